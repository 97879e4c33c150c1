/**
 * The base subject of RFC 5256 2.1, which SORT (SUBJECT) and THREAD group and order by:
 * "Re: [list] Fwd: Lunch (fwd)" and "lunch" are the same conversation.
 *
 * @module
 */

import { decodeWords } from "../mail/mod.ts";

/** subj-trailer (RFC 5256 5): "(fwd)" or white space at the end. */
const TRAILER = /(?:\(fwd\)|\s)$/i;
/** subj-blob: "[" *BLOBCHAR "]" *WSP. */
const BLOB = /^\[[^[\]]*\]\s*/;
/** subj-refwd: ("re" / ("fw" ["d"])) *WSP [subj-blob] ":". */
const REFWD = /^(?:re|fwd?)\s*(?:\[[^[\]]*\]\s*)?:/i;

/** Remove one subj-leader from the start: *subj-blob subj-refwd, or a WSP. Null if none. */
function stripLeader(text: string): string | null {
  if (/^\s/.test(text)) return text.replace(/^\s+/, "");
  let rest = text;
  while (BLOB.test(rest)) rest = rest.replace(BLOB, "");
  return REFWD.test(rest) ? rest.replace(REFWD, "") : null;
}

/**
 * The base subject (RFC 5256 2.1, steps 1 to 7), for comparing with i;unicode-casemap
 * (see {@linkcode compareText}).
 *
 * @example
 * ```ts
 * import { baseSubject } from "./base_subject.ts";
 * if (baseSubject("Re: [list] Fwd: Lunch (fwd)") !== "Lunch") throw new Error("unexpected");
 * if (baseSubject("[fwd: re: Party]") !== "Party") throw new Error("unexpected");
 * ```
 */
export function baseSubject(subject: string): string {
  // (1) decode encoded words, make tabs and folding single spaces.
  let text = decodeWords(subject).replace(/\s+/g, " ");
  while (true) {
    // (2) trailers, repeatedly.
    while (TRAILER.test(text)) text = text.replace(TRAILER, "");
    // (3)-(5) leaders and blobs, repeatedly.
    while (true) {
      const stripped = stripLeader(text);
      if (stripped !== null) {
        text = stripped;
        continue;
      }
      const blob = BLOB.exec(text);
      // (4) a leading blob goes only if something is left after it.
      if (blob && text.length > blob[0].length) {
        text = text.slice(blob[0].length);
        continue;
      }
      break;
    }
    // (6) "[fwd: ... ]" around everything: unwrap and start again at (2).
    if (/^\[fwd:/i.test(text) && text.endsWith("]")) {
      text = text.slice(5, -1);
      continue;
    }
    return text;
  }
}

/**
 * Compare with the i;unicode-casemap collation (RFC 5051) that SORT uses: strings are
 * compared after case folding (here upper case, which is title case for single letters)
 * and NFKD decomposition, as Dovecot does.
 */
export function compareText(a: string, b: string): number {
  const fa = fold(a), fb = fold(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

function fold(text: string): string {
  return text.toUpperCase().normalize("NFKD");
}
