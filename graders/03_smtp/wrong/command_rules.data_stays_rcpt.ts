// Mistake: DATA leaves the state in "rcpt", as if the transaction went on after the message.
/** Where a server is in a session. */
export type SmtpState = "start" | "greeted" | "mail" | "rcpt" | "closed";

const OPEN: SmtpState[] = ["start", "greeted", "mail", "rcpt"];

/** For each verb: where it is allowed, and what it does there. */
const RULES: Record<
  string,
  { allowed: SmtpState[]; code: number; next: (s: SmtpState) => SmtpState }
> = {
  EHLO: { allowed: OPEN, code: 250, next: () => "greeted" },
  HELO: { allowed: OPEN, code: 250, next: () => "greeted" },
  MAIL: { allowed: ["greeted"], code: 250, next: () => "mail" },
  RCPT: { allowed: ["mail", "rcpt"], code: 250, next: () => "rcpt" },
  DATA: { allowed: ["rcpt"], code: 354, next: () => "rcpt" },
  RSET: { allowed: OPEN, code: 250, next: (s) => s === "start" ? "start" : "greeted" },
  NOOP: { allowed: OPEN, code: 250, next: (s) => s },
  VRFY: { allowed: OPEN, code: 252, next: (s) => s },
  QUIT: { allowed: OPEN, code: 221, next: () => "closed" },
};

/** The reply code for `verb` in `state`, and the state after it. */
export function nextState(state: SmtpState, verb: string): { code: number; state: SmtpState } {
  if (state === "closed") throw new Error("Cannot take commands: the session is closed");
  const rule = RULES[verb.toUpperCase()];
  if (!rule) return { code: 500, state };
  if (!rule.allowed.includes(state)) return { code: 503, state };
  return { code: rule.code, state: rule.next(state) };
}
