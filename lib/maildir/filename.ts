/**
 * Maildir file names: unique names and the `:2,FLAGS` info suffix.
 *
 * D. J. Bernstein's maildir spec (https://cr.yp.to/proto/maildir.html): a message file
 * is named `<seconds>.<unique>.<hostname>`; once a client has seen it, it moves to cur/
 * and gains the info `:2,` followed by flag letters in ASCII order. The unique part here
 * is the modern form `M<microseconds>P<pid>Q<counter>` (Dovecot and Python's `mailbox`
 * write the same shape), and `/` and `:` in the host name are written `\057` and `\072`
 * so that the name stays one path component and the info separator stays unambiguous.
 *
 * @module
 */

/**
 * The flag letters of the maildir spec, named.
 * Dovecot also stores IMAP keywords as lowercase letters `a`–`z`; those are kept as is.
 */
export const FLAG = {
  /** "D": draft (IMAP \Draft). */
  Draft: "D",
  /** "F": flagged (IMAP \Flagged). */
  Flagged: "F",
  /** "P": passed, resent or forwarded. */
  Passed: "P",
  /** "R": replied (IMAP \Answered). */
  Replied: "R",
  /** "S": seen (IMAP \Seen). */
  Seen: "S",
  /** "T": trashed, to be expunged (IMAP \Deleted). */
  Trashed: "T",
} as const;

let counter = 0;
let hostPart: string | undefined;

/**
 * The host name with "/" and ":" escaped as the maildir spec asks, looked up once per
 * process (a system call per message cost the SMTP server's event loop 3 % of its time).
 */
function escapedHostname(): string {
  if (hostPart !== undefined) return hostPart;
  let host = "localhost";
  try {
    host = Deno.hostname() || host;
  } catch {
    // no --allow-sys: any stable name will do, uniqueness comes from pid and counter
  }
  return hostPart = host.replaceAll("/", "\\057").replaceAll(":", "\\072");
}

/**
 * A new unique base name `<seconds>.M<microseconds>P<pid>Q<counter>.<hostname>`.
 * The counter makes names unique within this process even within one microsecond.
 *
 * @example
 * ```ts
 * import { uniqueName } from "./filename.ts";
 * const name = uniqueName();
 * if (!/^\d+\.M\d+P\d+Q\d+\./.test(name)) throw new Error(name);
 * ```
 */
export function uniqueName(now: number = performance.timeOrigin + performance.now()): string {
  const seconds = Math.floor(now / 1000);
  const micros = Math.floor((now - seconds * 1000) * 1000);
  counter += 1;
  return `${seconds}.M${micros}P${Deno.pid}Q${counter}.${escapedHostname()}`;
}

/**
 * Flags in canonical form: deduplicated and sorted by ASCII code, as the spec requires.
 *
 * @throws {TypeError} a character is not a letter.
 *
 * @example
 * ```ts
 * import { normalizeFlags } from "./filename.ts";
 * if (normalizeFlags("SRS") !== "RS") throw new Error("unexpected");
 * ```
 */
export function normalizeFlags(flags: string): string {
  const bad = /[^A-Za-z]/.exec(flags);
  if (bad) {
    throw new TypeError(
      `Cannot use maildir flags ${JSON.stringify(flags)}: ${
        JSON.stringify(bad[0])
      } is not a flag letter`,
    );
  }
  return [...new Set(flags)].sort().join("");
}

/** A message file name split into its stable id and its flags. */
export interface ParsedFileName {
  /** Everything before the info separator ":". */
  id: string;
  /** The flags of a ":2," info, sorted; "" when there is no such info. */
  flags: string;
}

/** The id part of a file name (what comes before ":2,FLAGS"), without parsing the flags. */
export function fileNameId(name: string): string {
  const colon = name.lastIndexOf(":");
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * Split a file name from new/ or cur/ into id and flags.
 *
 * @example
 * ```ts
 * import { parseFileName } from "./filename.ts";
 * const { id, flags } = parseFileName("1700000000.M1P2Q3.host:2,SR");
 * if (id !== "1700000000.M1P2Q3.host" || flags !== "RS") throw new Error("unexpected");
 * ```
 */
export function parseFileName(name: string): ParsedFileName {
  const colon = name.lastIndexOf(":");
  if (colon < 0) return { id: name, flags: "" };
  const info = name.slice(colon + 1);
  let flags = "";
  if (info.startsWith("2,")) {
    // Unknown characters in someone else's info are dropped rather than refused.
    flags = [...new Set(info.slice(2).replace(/[^A-Za-z]/g, ""))].sort().join("");
  }
  return { id: name.slice(0, colon), flags };
}

/** The cur/ file name for an id with flags: `id:2,FLAGS`. */
export function curFileName(id: string, flags: string): string {
  return `${id}:2,${normalizeFlags(flags)}`;
}

/**
 * Order ids by delivery: the leading seconds, then the microseconds and counter of our
 * own names, numerically; anything else falls back to plain string order.
 */
export function compareIds(a: string, b: string): number {
  return compareParsed(a, idNumbers(a), b, idNumbers(b));
}

/**
 * Messages in delivery order: oldest internal date first, ties by id ({@linkcode compareIds}).
 * Each id is parsed once, not once per comparison: a folder of thousands of messages
 * delivered within the same millisecond would otherwise run a regular expression for
 * every comparison of the sort.
 */
export function sortByDelivery<T extends { id: string; internalDate: Date }>(items: T[]): T[] {
  return items
    .map((item) => ({ item, time: item.internalDate.getTime(), numbers: idNumbers(item.id) }))
    .sort((a, b) => a.time - b.time || compareParsed(a.item.id, a.numbers, b.item.id, b.numbers))
    .map(({ item }) => item);
}

type IdNumbers = [number, number, number] | null;

function compareParsed(a: string, pa: IdNumbers, b: string, pb: IdNumbers): number {
  if (pa && pb) {
    for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function idNumbers(id: string): IdNumbers {
  const match = /^(\d+)\.(?:M(\d+))?(?:P\d+)?(?:Q(\d+))?/.exec(id);
  if (!match) return null;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}
