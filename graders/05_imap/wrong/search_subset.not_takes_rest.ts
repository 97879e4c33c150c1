// Mistake: NOT negates all the keys that follow it, not just the next one.
/** A message as the search sees it. */
export interface Message {
  seq: number;
  uid: number;
  /** IMAP flags, e.g. ["\\Seen", "\\Flagged"]. */
  flags: string[];
  /** Size in octets (RFC822.SIZE). */
  size: number;
  /** Header fields by lower-case name: { from: "Alice <a@x>", subject: "Hi" }. */
  headers: Record<string, string>;
}

type Key = (m: Message) => boolean;

function tokenize(criteria: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([()])|([^\s()"]+))/y;
  let at = 0;
  while (criteria.slice(at).trim() !== "") {
    re.lastIndex = at;
    const m = re.exec(criteria);
    if (!m) throw new Error(`Cannot parse search criteria near ${criteria.slice(at)}`);
    tokens.push(m[1] !== undefined ? "\0" + m[1].replace(/\\(.)/g, "$1") : m[2] ?? m[3]);
    at = re.lastIndex;
  }
  return tokens;
}

const FLAGS: Record<string, [string, boolean]> = {
  SEEN: ["\\Seen", true],
  UNSEEN: ["\\Seen", false],
  FLAGGED: ["\\Flagged", true],
  UNFLAGGED: ["\\Flagged", false],
  DELETED: ["\\Deleted", true],
  UNDELETED: ["\\Deleted", false],
  ANSWERED: ["\\Answered", true],
  UNANSWERED: ["\\Answered", false],
};

/** Sequence numbers of the messages matching `criteria`. */
export function search(messages: Message[], criteria: string): number[] {
  const tokens = tokenize(criteria);
  const maxUid = Math.max(0, ...messages.map((m) => m.uid));
  let i = 0;
  const next = (what: string) => {
    if (i >= tokens.length) throw new Error(`Search criteria end too early: ${what} missing`);
    return tokens[i++];
  };
  const text = (key: string) => next(`the string after ${key}`).replace(/^\0/, "");
  const key = (): Key => {
    const token = next("a search key");
    if (token === "(") {
      const keys: Key[] = [];
      while (tokens[i] !== ")") keys.push(key());
      i++;
      return (m) => keys.every((k) => k(m));
    }
    const word = token.toUpperCase();
    if (FLAGS[word]) {
      const [flag, set] = FLAGS[word];
      return (m) => m.flags.includes(flag) === set;
    }
    switch (word) {
      case "ALL":
        return () => true;
      case "FROM":
      case "TO":
      case "SUBJECT": {
        const needle = text(word).toLowerCase();
        const field = word.toLowerCase();
        return (m) => (m.headers[field] ?? "").toLowerCase().includes(needle);
      }
      case "LARGER":
      case "SMALLER": {
        const n = Number(text(word));
        if (!Number.isInteger(n)) throw new Error(`${word} needs a number`);
        return word === "LARGER" ? (m) => m.size > n : (m) => m.size < n;
      }
      case "UID": {
        const ranges = text(word).split(",").map((part) => {
          const [a, b = a] = part.split(":").map((x) => (x === "*" ? maxUid : Number(x)));
          if (!Number.isInteger(a) || !Number.isInteger(b)) throw new Error(`Bad UID set ${part}`);
          return [Math.min(a, b), Math.max(a, b)];
        });
        return (m) => ranges.some(([lo, hi]) => m.uid >= lo && m.uid <= hi);
      }
      case "NOT": {
        const rest: Key[] = [];
        while (i < tokens.length && tokens[i] !== ")") rest.push(key());
        return (m) => !rest.every((k) => k(m));
      }
      case "OR": {
        const a = key(), b = key();
        return (m) => a(m) || b(m);
      }
    }
    throw new Error(`Unknown search key ${token}`);
  };
  const keys: Key[] = [];
  while (i < tokens.length) keys.push(key());
  return messages.filter((m) => keys.every((k) => k(m))).map((m) => m.seq).sort((a, b) => a - b);
}
