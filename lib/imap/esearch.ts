/**
 * ESEARCH (RFC 4731), ESORT and CONTEXT=SEARCH (RFC 5267): `SEARCH RETURN (MIN MAX ALL
 * COUNT)` answers with one `* ESEARCH` line holding only what the client asked for (the
 * count of a 100,000-message search, say) instead of every number; `PARTIAL 1:50` asks for
 * one page of the results; `UPDATE` keeps the search alive, the server telling the client
 * what joins (ADDTO) or leaves (REMOVEFROM) the results as the mailbox changes, until
 * CANCELUPDATE.
 *
 * @module
 */

import { formatSequenceSet } from "./sequence_set.ts";
import { type ImapValue, isAtom, textOf } from "./values.ts";

/** The result options of RFC 4731 3.1 and RFC 5267 4.1, 4.4. */
export type ReturnOption = "MIN" | "MAX" | "ALL" | "COUNT" | "UPDATE" | "CONTEXT" | "PARTIAL";

/** What a RETURN asks for. */
export interface ReturnOptions {
  options: Set<ReturnOption>;
  /** PARTIAL low:high, positions in the results counted from 1 (RFC 5267 4.4). */
  partial?: [number, number];
  /**
   * `UPDATE (fetch-att ...)` (RFC 5465 7): what to FETCH for each new message that joins
   * the results, as FETCH reads it.
   */
  updateFetch?: ImapValue;
}

const OPTIONS = new Set<string>(["MIN", "MAX", "ALL", "COUNT", "UPDATE", "CONTEXT", "PARTIAL"]);

/** A RETURN option we do not know, or a bad PARTIAL range: the command is BAD. */
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
 * const args = [atom("RETURN"), list(atom("min"), atom("PARTIAL"), atom("4:2")), atom("SEEN")];
 * const result = takeReturnOptions(args);
 * if (!result?.options.has("MIN") || result.partial?.join() !== "2,4" || args.length !== 1) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function takeReturnOptions(args: ImapValue[]): ReturnOptions | null {
  if (!isAtom(args[0], "RETURN")) return null;
  const list = args[1];
  if (list?.type !== "list") throw new ReturnOptionError("RETURN expects a list of options");
  const result: ReturnOptions = { options: new Set() };
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
    if (!OPTIONS.has(word)) {
      throw new ReturnOptionError(`Unknown RETURN option ${JSON.stringify(textOf(item))}`);
    }
    if (word === "PARTIAL") {
      // RFC 5267 4.4: partial-range = number ":" number; either order, no "*".
      const range = /^([1-9]\d{0,9}):([1-9]\d{0,9})$/.exec(textOf(list.items[++i]) ?? "");
      if (!range) throw new ReturnOptionError("PARTIAL expects a range of positions like 1:50");
      const [a, b] = [Number(range[1]), Number(range[2])];
      result.partial = [Math.min(a, b), Math.max(a, b)];
    }
    if (word === "UPDATE" && list.items[i + 1]?.type === "list") {
      result.updateFetch = list.items[++i]; // RFC 5465 8 `modifier-update`
    }
    result.options.add(word as ReturnOption);
  }
  args.splice(0, 2);
  if (!list.items.length) result.options.add("ALL");
  return result;
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

/** The start of every ESEARCH line: `* ESEARCH (TAG "a1")`, and `UID` for UID commands. */
function head(tag: string, uid: boolean): string {
  return `* ESEARCH (TAG ${JSON.stringify(tag)})${uid ? " UID" : ""}`;
}

/**
 * The `* ESEARCH` line (RFC 4731 3.1): `(TAG "a1")`, `UID` for UID commands, then the
 * options asked for. MIN, MAX and ALL are left out when nothing matched; COUNT is not.
 * For ESORT (`sorted`), MIN and MAX are the first and last in sort order and ALL keeps
 * that order (RFC 5267 3.2). PARTIAL gives the results at the positions asked, or NIL.
 *
 * @example
 * ```ts
 * import { esearchLine } from "./esearch.ts";
 * const line = esearchLine("a1", true, [3, 4, 5, 9], { options: new Set(["MIN", "COUNT", "ALL"]) });
 * if (line !== '* ESEARCH (TAG "a1") UID MIN 3 ALL 3:5,9 COUNT 4') throw new Error(line);
 * ```
 */
export function esearchLine(
  tag: string,
  uid: boolean,
  numbers: readonly number[],
  request: ReturnOptions,
  sorted = false,
): string {
  const { options, partial } = request;
  let line = head(tag, uid);
  if (numbers.length) {
    const min = sorted ? numbers[0] : Math.min(...numbers);
    const max = sorted ? numbers[numbers.length - 1] : Math.max(...numbers);
    if (options.has("MIN")) line += ` MIN ${min}`;
    if (options.has("MAX")) line += ` MAX ${max}`;
    if (options.has("ALL")) {
      line += ` ALL ${sorted ? orderedSet(numbers) : formatSequenceSet(numbers)}`;
    }
  }
  if (partial) {
    const page = numbers.slice(partial[0] - 1, partial[1]);
    const set = page.length ? (sorted ? orderedSet(page) : formatSequenceSet(page)) : "NIL";
    line += ` PARTIAL (${partial[0]}:${partial[1]} ${set})`;
  }
  if (options.has("COUNT")) line += ` COUNT ${numbers.length}`;
  return line;
}

/**
 * An update of a live search (RFC 5267 4.3): `ADDTO (position set)` for numbers that
 * joined the results, `REMOVEFROM (position set)` for those that left. The position is
 * where the first of them stands in the (new) results, counted from 1; 0 means "not
 * said", which REMOVEFROM uses.
 *
 * @example
 * ```ts
 * import { updateLine } from "./esearch.ts";
 * const line = updateLine("s1", false, "ADDTO", 2, [3, 4, 5]);
 * if (line !== '* ESEARCH (TAG "s1") ADDTO (2 3:5)') throw new Error(line);
 * ```
 */
export function updateLine(
  tag: string,
  uid: boolean,
  kind: "ADDTO" | "REMOVEFROM",
  position: number,
  numbers: readonly number[],
): string {
  return `${head(tag, uid)} ${kind} (${position} ${formatSequenceSet(numbers)})`;
}
