/**
 * RFC sections and figures the course cites, and the tables of contents they are checked
 * against (`fixtures/rfc/rfcNNNN.toc`), so that a citation to a section or figure that
 * does not exist (RFC 9293 has no simultaneous open in "Figure 8"; RFC 1939's lock is not
 * in section 8, which is the command summary) cannot slip back in unnoticed.
 *
 * A citation is written `RFC <number> <section>` or `RFC <number> section <section>`,
 * optionally followed by more sections or figures joined with "and" or commas:
 * `RFC 9293 3.6 and 3.10.8`, `RFC 9293 3.3.2 and Figure 5`, `RFC 5321 section 5`.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** Folder of the tables of contents. */
export const TOC_DIR = `${ROOT}/fixtures/rfc`;

/** One section or figure cited. */
export interface Citation {
  rfc: string;
  /** `"3.10.8"` or `"Figure 7"`. */
  ref: string;
}

const REF = String.raw`(?:Figure \d+|\d+(?:\.\d+)*)`;
const CITATION = new RegExp(
  String
    .raw`\bRFC (\d{3,4})\s+(?:section |§)?(${REF}(?:(?:,? and |, )(?:section )?${REF})*)(?!\w|\.\d)`,
  "g",
);

/**
 * The sections and figures cited in `text`.
 *
 * @example
 * ```ts
 * import { citations } from "./citations.ts";
 * const found = citations("RFC 9293 3.6 and 3.10.8; RFC 5321 section 5; RFC 9293 Figure 7.");
 * const refs = found.map((c) => `${c.rfc} ${c.ref}`);
 * if (refs.join("|") !== "9293 3.6|9293 3.10.8|5321 5|9293 Figure 7") throw new Error(refs.join("|"));
 * ```
 */
export function citations(text: string): Citation[] {
  const found: Citation[] = [];
  for (const match of text.matchAll(CITATION)) {
    for (const ref of match[2].match(new RegExp(REF, "g")) ?? []) {
      // "RFC 1122 (1989)"-style years are not sections; neither are bare years after a number.
      if (/^\d{4}$/.test(ref)) continue;
      found.push({ rfc: match[1], ref });
    }
  }
  return found;
}

/** Entries of `fixtures/rfc/rfc<n>.toc`: section numbers and `Figure N`, or null if none is kept. */
export function tableOfContents(rfc: string): Set<string> | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${TOC_DIR}/rfc${rfc}.toc`);
  } catch {
    return null;
  }
  const entries = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const figure = /^Figure (\d+)\b/.exec(line);
    if (figure) entries.add(`Figure ${figure[1]}`);
    else entries.add(line.split(/\s/)[0].replace(/\.$/, ""));
  }
  return entries;
}

/** Citations whose RFC has no table of contents here, or whose section or figure is not in it. */
export function unknownCitations(text: string): string[] {
  return citations(text).flatMap(({ rfc, ref }) => {
    const toc = tableOfContents(rfc);
    if (!toc) return [`RFC ${rfc} ${ref}: no table of contents in fixtures/rfc/rfc${rfc}.toc`];
    return toc.has(ref) ? [] : [`RFC ${rfc} ${ref}: not in RFC ${rfc}'s table of contents`];
  });
}
