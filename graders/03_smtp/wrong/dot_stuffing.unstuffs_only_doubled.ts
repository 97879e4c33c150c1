// Mistake: the receiver removes a dot only from lines that start with "..", as if every
// client stuffed correctly; RFC 5321 4.5.2 says to remove the first dot of any line that
// starts with one, so a client's unstuffed ".x" must arrive as "x".
/** The DATA block for `message`. */
export function stuffData(message: string): string {
  if (message === "") return ".\r\n";
  const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
  return body.split("\r\n").map((l) => l.startsWith(".") ? "." + l : l).join("\r\n") +
    "\r\n.\r\n";
}

/** The message inside a DATA block. */
export function unstuffData(block: string): string {
  if (block === ".\r\n") return "";
  if (!block.endsWith("\r\n.\r\n")) throw new Error("no terminator");
  return block.slice(0, -5).split("\r\n").map((l) => l.startsWith("..") ? l.slice(1) : l)
    .join("\r\n") + "\r\n";
}
