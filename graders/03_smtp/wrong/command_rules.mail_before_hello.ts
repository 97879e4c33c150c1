// Mistake: lets MAIL start a transaction before any EHLO/HELO (and in the middle of one).
/** Where a server is in a session. */
export type SmtpState = "start" | "greeted" | "mail" | "rcpt" | "closed";

/** The reply code for `verb` in `state`, and the state after it. */
export function nextState(state: SmtpState, verb: string): { code: number; state: SmtpState } {
  if (state === "closed") throw new Error("closed");
  switch (verb.toUpperCase()) {
    case "EHLO":
    case "HELO":
      return { code: 250, state: "greeted" };
    case "MAIL":
      return { code: 250, state: "mail" };
    case "RCPT":
      return state === "mail" || state === "rcpt"
        ? { code: 250, state: "rcpt" }
        : { code: 503, state };
    case "DATA":
      return state === "rcpt" ? { code: 354, state: "greeted" } : { code: 503, state };
    case "RSET":
      return { code: 250, state: state === "start" ? "start" : "greeted" };
    case "NOOP":
      return { code: 250, state };
    case "VRFY":
      return { code: 252, state };
    case "QUIT":
      return { code: 221, state: "closed" };
    default:
      return { code: 500, state };
  }
}
