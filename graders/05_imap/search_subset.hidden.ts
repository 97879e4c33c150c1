/**
 * Hidden checks for SEARCH: generated mailboxes and generated criteria (every key, NOT,
 * OR, groups, UID sets with "*"), judged by the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { search } from "../../solutions/05_imap/search_subset.ts";

type Impl = typeof import("../../exercises/05_imap/search_subset.ts");
type Message = Parameters<Impl["search"]>[0][number];

const WORDS = ["alice", "bob", "lunch", "report", "example.net", "Re:", "WON"];
const header = fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }).map((w) => w.join(" "));
const mailbox = fc.array(
  fc.record({
    uid: fc.integer({ min: 1, max: 30 }),
    flags: fc.subarray(["\\Seen", "\\Flagged", "\\Deleted", "\\Answered"]),
    size: fc.constantFrom(0, 300, 1200, 5000),
    headers: fc.record({ from: header, to: header, subject: header }),
  }),
  { maxLength: 6 },
).map((ms) => {
  const uids = [...new Set(ms.map((m) => m.uid))].sort((a, b) => a - b);
  return uids.map((uid, i) => ({ ...ms.find((m) => m.uid === uid)!, seq: i + 1 })) as Message[];
});

const key: fc.Arbitrary<string> = fc.letrec<{ key: string }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      "ALL",
      "SEEN",
      "UNSEEN",
      "FLAGGED",
      "UNFLAGGED",
      "DELETED",
      "UNDELETED",
      "ANSWERED",
      "UNANSWERED",
    ),
    fc.tuple(
      fc.constantFrom("FROM", "TO", "SUBJECT"),
      fc.constantFrom(...WORDS, "LUNCH", '"re: lunch"', '"x y"'),
    )
      .map(([k, v]) => `${k} ${v}`),
    fc.tuple(fc.constantFrom("LARGER", "SMALLER"), fc.constantFrom(0, 299, 300, 1200, 4999)).map((
      [k, n],
    ) => `${k} ${n}`),
    fc.constantFrom("UID 1:*", "UID 20:*", "UID *", "UID 3,8:10", "UID 30:5"),
    tie("key").map((k) => `NOT ${k}`),
    fc.tuple(tie("key"), tie("key")).map(([a, b]) => `OR ${a} ${b}`),
    fc.array(tie("key"), { minLength: 1, maxLength: 3 }).map((ks) => `(${ks.join(" ")})`),
  ),
})).key;
const criteria = fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ks.join(" "));

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "search() agrees with the reference on 300 generated mailboxes and criteria",
    points: 3,
    hint:
      'FROM, TO and SUBJECT look only at their own header; NOT negates the one key after it; "*" in a UID set is the highest UID in the mailbox.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: fc.tuple(mailbox, criteria),
        learner: (m, c) => impl.search(m, c),
        reference: search,
        call: (m, c) => `search(${show(m, 500)}, ${show(c)})`,
      }),
  },
];
