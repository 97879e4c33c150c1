// Mistake: un-stuffs by removing every leading dot, and accepts a block with LF-only endings as terminated.
/** The DATA block for `message`. */
export function stuffData(message: string): string {
  if (message === "") return ".\r\n";
  const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
  return body.split("\r\n").map((l) => l.startsWith(".") ? "." + l : l).join("\r\n") + "\r\n.\r\n";
}

/** The message inside a DATA block. */
export function unstuffData(block: string): string {
  if (block === ".\r\n") return "";
  const end = block.endsWith("\r\n.\r\n") ? 5 : block.endsWith("\n.\n") ? 3 : -1;
  if (end < 0) throw new Error("no terminator");
  return block.slice(0, -end).split(/\r?\n/).map((l) => l.replace(/^\.+/, "")).join("\r\n") +
    "\r\n";
}
