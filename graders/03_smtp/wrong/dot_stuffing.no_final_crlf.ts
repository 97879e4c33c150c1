// Mistake: appends ".\r\n" straight after the text, so a message without a final CRLF puts the dot on its last line.
/** The DATA block for `message`. */
export function stuffData(message: string): string {
  return message.split("\r\n").map((l) => l.startsWith(".") ? "." + l : l).join("\r\n") + ".\r\n";
}

/** The message inside a DATA block. */
export function unstuffData(block: string): string {
  if (block === ".\r\n") return "";
  if (!block.endsWith("\r\n.\r\n")) throw new Error("no terminator");
  return block.slice(0, -5).split("\r\n").map((l) => l.startsWith(".") ? l.slice(1) : l).join(
    "\r\n",
  ) + "\r\n";
}
