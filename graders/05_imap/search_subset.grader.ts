/**
 * Grader for search(): a SEARCH subset over a small mailbox.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";

type Impl = typeof import("../../exercises/05_imap/search_subset.ts");
type Message = Parameters<Impl["search"]>[0][number];

const MAILBOX: Message[] = [
  {
    seq: 1,
    uid: 3,
    flags: ["\\Seen"],
    size: 1200,
    headers: {
      from: "Alice <alice@example.org>",
      to: "bob@example.net",
      subject: "Lunch on Friday",
    },
  },
  {
    seq: 2,
    uid: 7,
    flags: [],
    size: 5000,
    headers: { from: "Carol <carol@example.com>", to: "bob@example.net", subject: "Report draft" },
  },
  {
    seq: 3,
    uid: 8,
    flags: ["\\Flagged", "\\Seen"],
    size: 300,
    headers: { from: "alice@example.org", to: "team@example.net", subject: "Re: lunch" },
  },
  {
    seq: 4,
    uid: 12,
    flags: ["\\Deleted"],
    size: 5000,
    headers: { from: "Spam <win@spam.test>", to: "bob@example.net", subject: "You WON" },
  },
];

export default defineExercise<Impl>({
  title: "A SEARCH subset",
  hints: [
    "First turn the criteria into tokens: words, quoted strings (keep their content), and the characters ( and ).",
    "Write a function that reads ONE key from the tokens and returns a predicate (m) => boolean; NOT calls it once more, OR twice, ( calls it until ).",
    "Strings match as case-insensitive substrings (lower-case both sides); LARGER and SMALLER are strict; * in a UID set is the highest UID.",
  ],
  checks: [
    {
      name: "search() matches flags, and ANDs keys together",
      points: 2,
      hint: "UNSEEN means \\Seen is not among the flags; several keys must all match.",
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "ALL"), [1, 2, 3, 4]);
        assert.deepEqual(impl.search(MAILBOX, "UNSEEN"), [2, 4]);
        assert.deepEqual(impl.search(MAILBOX, "SEEN FLAGGED"), [3]);
        assert.deepEqual(impl.search(MAILBOX, "UNDELETED UNSEEN"), [2]);
      },
    },
    {
      name: "search() matches header strings as case-insensitive substrings",
      points: 2,
      hint:
        'SUBJECT lunch must find "Lunch on Friday" and "Re: lunch"; quoted strings may contain spaces.',
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "SUBJECT lunch"), [1, 3]);
        assert.deepEqual(impl.search(MAILBOX, 'FROM "ALICE@example"'), [1, 3]);
        assert.deepEqual(impl.search(MAILBOX, 'subject "report DRAFT"'), [2]);
        assert.deepEqual(impl.search(MAILBOX, "TO team"), [3]);
      },
    },
    {
      name: "search() looks for FROM, TO and SUBJECT strings in that header only",
      points: 2,
      hint:
        "FROM x matches when the From header contains x; a To or Subject header containing x does not count.",
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "FROM bob"), []);
        assert.deepEqual(impl.search(MAILBOX, "TO alice"), []);
        assert.deepEqual(impl.search(MAILBOX, "SUBJECT example"), []);
        assert.deepEqual(impl.search(MAILBOX, "TO example.net"), [1, 2, 3, 4]);
      },
    },
    {
      name: "search() compares sizes strictly",
      points: 1,
      hint: "LARGER n means size > n, SMALLER n means size < n.",
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "LARGER 5000"), []);
        assert.deepEqual(impl.search(MAILBOX, "LARGER 1200"), [2, 4]);
        assert.deepEqual(impl.search(MAILBOX, "SMALLER 1200"), [3]);
      },
    },
    {
      name: "search() handles NOT, OR and parentheses",
      points: 2,
      hint: "OR reads two keys; NOT reads one; a parenthesized group is one key made of several.",
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "NOT SEEN"), [2, 4]);
        assert.deepEqual(impl.search(MAILBOX, "OR FLAGGED DELETED"), [3, 4]);
        assert.deepEqual(impl.search(MAILBOX, "OR (SEEN SMALLER 1000) FROM carol UNDELETED"), [
          2,
          3,
        ]);
        assert.deepEqual(impl.search(MAILBOX, "NOT (OR SEEN DELETED)"), [2]);
      },
    },
    {
      name: "search() understands UID sets and refuses unknown keys",
      points: 1,
      hint:
        'UID 7:* covers UIDs from 7 up to the highest; an unknown word like "BOGUS" must throw.',
      run(impl) {
        assert.deepEqual(impl.search(MAILBOX, "UID 7:*"), [2, 3, 4]);
        assert.deepEqual(impl.search(MAILBOX, "UID 3,8:10"), [1, 3]);
        assert.throws(() => impl.search(MAILBOX, "BOGUS"));
        assert.throws(() => impl.search(MAILBOX, "FROM"));
      },
    },
  ],
});
