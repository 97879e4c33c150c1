// Mistake: unstuffData() accepts any block ending in ".\r\n", even when the dot is not on a line of its own.
/** The DATA block for `message` (CRLF lines): stuffed, terminated. */
export function stuffData(message: string): string {
  if (message === "") return ".\r\n";
  const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
  const lines = body.split("\r\n").map((line) => line.startsWith(".") ? "." + line : line);
  return lines.join("\r\n") + "\r\n.\r\n";
}

/** The message inside a DATA block: terminator removed, one leading dot per line removed. */
export function unstuffData(block: string): string {
  if (block === ".\r\n") return "";
  if (!block.endsWith(".\r\n")) {
    throw new Error("Cannot unstuff: the block does not end with CRLF.CRLF");
  }
  const lines = block.slice(0, block.endsWith("\r\n.\r\n") ? -5 : -3).split("\r\n").map((line) =>
    line.startsWith(".") ? line.slice(1) : line
  );
  return lines.join("\r\n") + "\r\n";
}
