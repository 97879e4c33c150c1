/**
 * A number in a notebook's prose that a run produces must come from the run: a cell computes
 * it and shows it (`markdown()` in lib/viz), so the page never contradicts its own output.
 * This finds the quantities in markdown cells that look measured (a number with a unit of
 * time, size or count of packets, or an IMAP literal `{n}`) and are neither
 *
 * - qualified as approximate or as a bound ("about 150 KB", "at least 30 minutes",
 *   "100 ms or more"),
 * - a parameter the notebook's own code sets (the number appears in a code cell), nor
 * - a constant of a protocol or a system, listed in {@linkcode CONSTANTS} with the reason.
 *
 * @module
 */

import { type Cell, sourceOf } from "./notebooks.ts";

/** Quantities stated as constants, not measured, by notebook, with why they are constant. */
export const CONSTANTS: Record<string, Record<string, string>> = {
  "01_layers": {
    "14 bytes": "the Ethernet header: two 6-byte addresses and the 2-byte EtherType",
    "4-byte": "the BSD loopback header: one 32-bit address family",
    "1500-byte": "Ethernet's MTU",
  },
  "02_tcp": {
    "60 seconds": "Linux's TIME-WAIT length, TCP_TIMEWAIT_LEN, a constant of its source",
    "60 s": "the same constant",
    "2 minutes": "RFC 9293's MSL (its glossary, section 4)",
    "4 minutes": "2 × RFC 9293's MSL",
    "200 ms": "Linux's lower bound on the retransmission timeout, TCP_RTO_MIN",
  },
  "03_smtp": {
    "5 ms":
      "the pause in deliveries the filer waits for, FILING_LULL_MS in lib/maildir/journaled_store.ts",
  },
  "07_robustness": {
    "1 s": "the deadline per reply that the chapter's code gives the client (1000 ms)",
  },
  "06_journey": {
    "25 ms": "the IMAP server's Maildir poll interval, set in lib/journey/journey.ts",
  },
};

const UNIT = String
  .raw`(?:µs|microseconds?|ms|milliseconds?|s|seconds?|minutes?|bytes?|B|KB|kB|MB|octets?|packets?|segments?|round trips?|%)`;
const QUANTITY = new RegExp(
  String.raw`\{(\d+)\}|(?<![\w.])(\d[\d,.]*)(?:[\s-]?)(${UNIT})(?![\w])`,
  "g",
);
const QUALIFIED_BEFORE =
  /(?:about|around|at least|at most|more than|less than|under|over|up to|roughly)\s*$/i;
const QUALIFIED_AFTER = /^\s*or (?:more|less)/i;

/** A quantity in prose that looks measured and is not accounted for. */
export interface LooseNumber {
  cell: number;
  text: string;
  context: string;
}

const digits = (text: string) => text.replace(/[,_]/g, "").replace(/\.0+$/, "");

/** Prose quantities in `cells` that a run would produce but the text types by hand. */
export function looseNumbers(notebook: string, cells: readonly Cell[]): LooseNumber[] {
  const code = cells.filter((c) => c.cell_type === "code").map(sourceOf).join("\n");
  const codeNumbers = new Set((code.match(/\b\d[\d_]*(?:\.\d+)?\b/g) ?? []).map(digits));
  const constants = CONSTANTS[notebook] ?? {};
  const loose: LooseNumber[] = [];
  cells.forEach((cell, index) => {
    if (cell.cell_type !== "markdown") return;
    const prose = sourceOf(cell)
      .replace(/```[\s\S]*?```/g, "") // diagrams
      .split("\n").filter((line) => !line.startsWith(">")).join("\n"); // the notes' quotes
    for (const match of prose.matchAll(QUANTITY)) {
      const text = match[0];
      const number = digits(match[1] ?? match[2]);
      const before = prose.slice(Math.max(0, match.index - 20), match.index);
      const after = prose.slice(match.index + text.length, match.index + text.length + 12);
      if (QUALIFIED_BEFORE.test(before) || QUALIFIED_AFTER.test(after)) continue;
      // Small numbers appear in any code; only a distinctive one shows it is the code's own.
      if (Number(number) >= 10 && codeNumbers.has(number)) continue;
      if (Object.keys(constants).some((c) => prose.slice(match.index).startsWith(c))) continue;
      loose.push({
        cell: index,
        text,
        context: prose.slice(Math.max(0, match.index - 40), match.index + 40),
      });
    }
  });
  return loose;
}
