// Mistake: stuffs only a line that is exactly ".", leaving ".x" alone (the receiver then eats its dot).
/** The DATA block for `message`. */
export function stuffData(message: string): string {
  if (message === "") return ".\r\n";
  const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
  return body.split("\r\n").map((l) => l === "." ? ".." : l).join("\r\n") + "\r\n.\r\n";
}

/** The message inside a DATA block. */
export function unstuffData(block: string): string {
  if (block === ".\r\n") return "";
  if (!block.endsWith("\r\n.\r\n")) throw new Error("no terminator");
  return block.slice(0, -5).split("\r\n").map((l) => l === ".." ? "." : l).join("\r\n") + "\r\n";
}
