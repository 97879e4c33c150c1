// Mistake: keeps the user name after a wrong password, so PASS can be retried without USER.
/** The three states of RFC 1939 section 3. */
export type Pop3State = "AUTHORIZATION" | "TRANSACTION" | "UPDATE";

/** Everything the session remembers. */
export interface MiniSession {
  state: Pop3State;
  /** The name given by USER, waiting for PASS. */
  user?: string;
  /** Size of message n at index n - 1. */
  sizes: number[];
  /** Message numbers marked by DELE. */
  deleted: Set<number>;
}

/** What `handle` returns. */
export interface Handled {
  session: MiniSession;
  /** One status line, starting with "+OK" or "-ERR" (multi-line bodies left out). */
  reply: string;
  /** Only for QUIT: the message numbers removed in UPDATE, ascending ([] when none). */
  removed?: number[];
}

/** A new session over a maildrop with these message sizes. */
export function newSession(sizes: number[]): MiniSession {
  return { state: "AUTHORIZATION", sizes: [...sizes], deleted: new Set() };
}

const ALLOWED: Record<string, Pop3State[]> = {
  USER: ["AUTHORIZATION"],
  PASS: ["AUTHORIZATION"],
  QUIT: ["AUTHORIZATION", "TRANSACTION"],
  STAT: ["TRANSACTION"],
  LIST: ["TRANSACTION"],
  DELE: ["TRANSACTION"],
  RSET: ["TRANSACTION"],
  NOOP: ["TRANSACTION"],
};

/** Answer one command line; `password` is the one the user must give. */
export function handle(session: MiniSession, line: string, password: string): Handled {
  const [word, ...args] = line.split(" ");
  const verb = word.toUpperCase();
  const allowed = ALLOWED[verb];
  if (!allowed) return { session, reply: `-ERR unknown command ${verb}` };
  if (!allowed.includes(session.state)) {
    return { session, reply: `-ERR ${verb} not allowed in ${session.state}` };
  }
  const s = session;
  const number = (arg: string | undefined): number | string => {
    if (arg === undefined || !/^[0-9]+$/.test(arg)) return "-ERR message number required";
    const n = Number(arg);
    if (n < 1 || n > s.sizes.length) return `-ERR no such message ${n}`;
    if (s.deleted.has(n)) return `-ERR message ${n} already deleted`;
    return n;
  };
  switch (verb) {
    case "USER":
      if (!args[0]) return { session, reply: "-ERR USER needs a name" };
      return { session: { ...s, user: args[0] }, reply: "+OK send PASS" };
    case "PASS":
      if (s.user === undefined) return { session, reply: "-ERR send USER first" };
      if (args.join(" ") !== password) {
        return { session, reply: "-ERR invalid password" };
      }
      return { session: { ...s, state: "TRANSACTION" }, reply: "+OK maildrop locked" };
    case "STAT": {
      let count = 0;
      let size = 0;
      s.sizes.forEach((bytes, i) => {
        if (!s.deleted.has(i + 1)) {
          count++;
          size += bytes;
        }
      });
      return { session, reply: `+OK ${count} ${size}` };
    }
    case "LIST": {
      if (args.length === 0) return { session, reply: "+OK scan listing follows" };
      const n = number(args[0]);
      if (typeof n === "string") return { session, reply: n };
      return { session, reply: `+OK ${n} ${s.sizes[n - 1]}` };
    }
    case "DELE": {
      const n = number(args[0]);
      if (typeof n === "string") return { session, reply: n };
      return {
        session: { ...s, deleted: new Set(s.deleted).add(n) },
        reply: `+OK message ${n} deleted`,
      };
    }
    case "RSET":
      return { session: { ...s, deleted: new Set() }, reply: "+OK" };
    case "NOOP":
      return { session, reply: "+OK" };
    default: { // QUIT
      if (s.state === "AUTHORIZATION") return { session, reply: "+OK bye", removed: [] };
      const removed = [...s.deleted].sort((a, b) => a - b);
      return { session: { ...s, state: "UPDATE" }, reply: "+OK bye", removed };
    }
  }
}
