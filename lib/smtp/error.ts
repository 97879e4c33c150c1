/**
 * Errors as values that carry the SMTP reply they stand for.
 *
 * A backend hook that refuses a recipient throws `new SmtpError(550, "5.1.1", "No such
 * user")`, and the server sends exactly that reply (emersion/go-smtp does the same).
 * The client throws {@linkcode SmtpReplyError} when a server answers with an unexpected
 * code, carrying the whole reply and the command that drew it.
 *
 * @module
 */

import { type Reply, replyClass, replyText } from "./reply.ts";

/**
 * A refusal with its reply code and enhanced status code (RFC 3463).
 *
 * @example
 * ```ts
 * import { SmtpError } from "./error.ts";
 * const e = new SmtpError(550, "5.1.1", "No such user here");
 * if (e.reply.code !== 550 || e.message !== "550 5.1.1 No such user here") throw new Error();
 * ```
 */
export class SmtpError extends Error {
  constructor(readonly code: number, readonly enhanced: string | undefined, readonly text: string) {
    super([code, enhanced, text].filter(Boolean).join(" "));
    this.name = "SmtpError";
  }

  /** The reply a server sends for this error. */
  get reply(): Reply {
    return { code: this.code, enhanced: this.enhanced, lines: [this.text] };
  }
}

/** What a client was doing when the server said no. */
export type SmtpStep =
  | "connect"
  | "greeting"
  | "EHLO"
  | "HELO"
  | "AUTH"
  | "MAIL"
  | "RCPT"
  | "DATA"
  | "message"
  | "QUIT"
  | "RSET"
  | "NOOP";

/**
 * The server answered a client command with a code the client did not expect. The
 * message names the step, the reply and what the reply class means (RFC 5321 4.2.1):
 * a 4yz reply is worth retrying later, a 5yz one is not.
 *
 * @example
 * ```ts
 * import { SmtpReplyError } from "./error.ts";
 * const e = new SmtpReplyError("RCPT", "RCPT TO:<x@y>", { code: 451, enhanced: "4.3.0", lines: ["Try later"] });
 * if (!e.transient || !e.message.includes("transient")) throw new Error(e.message);
 * ```
 */
export class SmtpReplyError extends Error {
  constructor(readonly step: SmtpStep, readonly command: string, readonly reply: Reply) {
    const advice = reply.code >= 500
      ? "permanent failure: do not retry as is"
      : reply.code >= 400
      ? "transient failure: retry later"
      : "unexpected at this step";
    super(
      `Server refused ${command || step}: ${replyText(reply)} (${
        replyClass(reply.code)
      }, ${advice})`,
    );
    this.name = "SmtpReplyError";
  }

  /** 4yz: the same transaction may succeed later. */
  get transient(): boolean {
    return this.reply.code >= 400 && this.reply.code < 500;
  }

  /** 5yz: it will not. */
  get permanent(): boolean {
    return this.reply.code >= 500;
  }
}
