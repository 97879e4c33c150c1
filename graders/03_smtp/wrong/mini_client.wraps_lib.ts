// Mistake: wraps the course library's SMTP client instead of speaking SMTP itself.
import { formatReply, sendMail } from "../../../lib/smtp/mod.ts";

/** Deliver `message` through the course library's client. */
export async function deliver(
  port: number,
  from: string,
  to: string,
  message: string,
): Promise<string> {
  const result = await sendMail({ port, from, to: [to], data: message, pipelining: false });
  if (result.rejected.length) {
    throw new Error(`RCPT refused: ${formatReply(result.rejected[0].reply).join(" ")}`);
  }
  return formatReply(result.reply).at(-1)!;
}
