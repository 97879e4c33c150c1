// Mistake: returns the numbers to fetch in listing order, without sorting them.
/** One UIDL listing line, parsed. */
export interface UidlEntry {
  number: number;
  uid: string;
}

/**
 * Parse a UIDL listing line "n uid". RFC 1939 7: the uid is 1 to 70 characters in the
 * range 0x21 to 0x7E.
 *
 * @throws {Error} the line is not "number SP uid".
 */
export function parseUidlLine(line: string): UidlEntry {
  const match = /^([1-9][0-9]*) ([\x21-\x7e]{1,70})$/.exec(line);
  if (!match) throw new Error(`Cannot parse UIDL line: ${JSON.stringify(line)}`);
  return { number: Number(match[1]), uid: match[2] };
}

/** The plan for one sync. */
export interface FetchPlan {
  /** Message numbers to RETR, ascending. */
  fetch: number[];
  /** Known uids the server no longer lists. */
  gone: string[];
}

/** Compare the UIDL listing lines with the uids already downloaded. */
export function planFetch(listing: string[], known: ReadonlySet<string>): FetchPlan {
  const entries = listing.map(parseUidlLine);
  const listed = new Set(entries.map((e) => e.uid));
  const fetch = entries.filter((e) => !known.has(e.uid)).map((e) => e.number);
  const gone = [...known].filter((uid) => !listed.has(uid));
  return { fetch, gone };
}
