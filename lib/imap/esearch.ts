/**
 * ESEARCH (RFC 4731) and ESORT (RFC 5267 3): `SEARCH RETURN (MIN MAX ALL COUNT)` answers
 * with one `* ESEARCH` line holding only what the client asked for (the count of a
 * 100,000-message search, say) instead of every number.
 *
 * @module
 */

import { formatSequenceSet } from "./sequence_set.ts";
import { type ImapValue, isAtom, textOf } from "./values.ts";

/** The result options of RFC 4731 3.1. */
export type ReturnOption = "MIN" | "MAX" | "ALL" | "COUNT";

const OPTIONS = new Set<string>(["MIN", "MAX", "ALL", "COUNT"]);

/** A RETURN option we do not know: the command is BAD. */
export class ReturnOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReturnOptionError";
  }
}

/**
 * Split `RETURN (options)` off the front of SEARCH or SORT arguments. Returns null when
 * the command has no RETURN (then the classic `* SEARCH` / `* SORT` answer applies).
 * `RETURN ()` means `RETURN (ALL)` (RFC 4731 3.1).
 *
 * @example
 * ```ts
 * import { takeReturnOptions } from "./esearch.ts";
 * import { atom, list } from "./values.ts";
 * const args = [atom("RETURN"), list(atom("min"), atom("COUNT")), atom("SEEN")];
 * const options = takeReturnOptions(args);
 * if (!options?.has("MIN") || args.length !== 1) throw new Error("unexpected");
 * ```
 */
export function takeReturnOptions(args: ImapValue[]): Set<ReturnOption> | null {
  if (!isAtom(args[0], "RETURN")) return null;
  const list = args[1];
  if (list?.type !== "list") throw new ReturnOptionError("RETURN expects a list of options");
  const options = new Set<ReturnOption>();
  for (const item of list.items) {
    const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
    if (!OPTIONS.has(word)) {
      throw new ReturnOptionError(`Unknown RETURN option ${JSON.stringify(textOf(item))}`);
    }
    options.add(word as ReturnOption);
  }
  args.splice(0, 2);
  if (!options.size) options.add("ALL");
  return options;
}

/** Numbers as a sequence set in the order given: runs ascending by one are joined ("3:5,1"). */
function orderedSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(i === j ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * The `* ESEARCH` line (RFC 4731 3.1): `(TAG "a1")`, `UID` for UID commands, then the
 * options asked for. MIN, MAX and ALL are left out when nothing matched; COUNT is not.
 * For ESORT (`sorted`), MIN and MAX are the first and last in sort order and ALL keeps
 * that order (RFC 5267 3.2).
 *
 * @example
 * ```ts
 * import { esearchLine } from "./esearch.ts";
 * const line = esearchLine("a1", true, [3, 4, 5, 9], new Set(["MIN", "COUNT", "ALL"]));
 * if (line !== '* ESEARCH (TAG "a1") UID MIN 3 ALL 3:5,9 COUNT 4') throw new Error(line);
 * ```
 */
export function esearchLine(
  tag: string,
  uid: boolean,
  numbers: readonly number[],
  options: ReadonlySet<ReturnOption>,
  sorted = false,
): string {
  let line = `* ESEARCH (TAG ${JSON.stringify(tag)})${uid ? " UID" : ""}`;
  if (numbers.length) {
    const min = sorted ? numbers[0] : Math.min(...numbers);
    const max = sorted ? numbers[numbers.length - 1] : Math.max(...numbers);
    if (options.has("MIN")) line += ` MIN ${min}`;
    if (options.has("MAX")) line += ` MAX ${max}`;
    if (options.has("ALL")) {
      line += ` ALL ${sorted ? orderedSet(numbers) : formatSequenceSet(numbers)}`;
    }
  }
  if (options.has("COUNT")) line += ` COUNT ${numbers.length}`;
  return line;
}
