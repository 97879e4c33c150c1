import { deepStrictEqual, throws } from "node:assert/strict";
import {
  matchSearch,
  parseSearch,
  SearchError,
  type SearchMessage,
  searchNeeds,
} from "./search.ts";
import { parseFrame } from "./parser.ts";

const keys = (text: string) => parseSearch(parseFrame({ lines: [text], literals: [], size: 0 }));
const msg = (seq: number, flags: string[], subject: string, size = 100): SearchMessage => ({
  seq,
  uid: seq * 10,
  flags: new Set(flags.map((f) => f.toLowerCase())),
  size,
  internalDate: new Date("2024-05-06T09:00:00Z"),
  header: [{ name: "Subject", value: subject }, {
    name: "Date",
    value: "Mon, 6 May 2024 09:00:00 +0000",
  }],
  body: "hello world",
});
const box = [
  msg(1, ["\\Seen"], "Lunch"),
  msg(2, [], "=?UTF-8?B?5Lit5paH?= news", 5000),
  msg(3, ["\\Deleted"], "lunch again"),
];
const run = (text: string) =>
  box.filter((m) => matchSearch(keys(text), m, { maxSeq: 3, maxUid: 30 })).map((m) => m.seq);

Deno.test("matchSearch() combines flags with AND, OR and NOT", () => {
  deepStrictEqual(run("UNSEEN"), [2, 3]);
  deepStrictEqual(run("UNSEEN UNDELETED"), [2]);
  deepStrictEqual(run("OR SEEN DELETED"), [1, 3]);
  deepStrictEqual(run("NOT (OR SEEN DELETED)"), [2]);
});

Deno.test("matchSearch() matches headers case-insensitively, after RFC 2047 decoding", () => {
  deepStrictEqual(run('SUBJECT "LUNCH"'), [1, 3]);
  deepStrictEqual(run('SUBJECT "中文"'), [2]);
  deepStrictEqual(run("BODY world"), [1, 2, 3]);
});

Deno.test("matchSearch() compares sizes strictly, dates by day, and sets with *", () => {
  deepStrictEqual(run("LARGER 100"), [2]);
  deepStrictEqual(run("SMALLER 5000"), [1, 3]);
  deepStrictEqual(run("ON 6-May-2024 SENTSINCE 6-May-2024"), [1, 2, 3]);
  deepStrictEqual(run("BEFORE 6-May-2024"), []);
  deepStrictEqual(run("UID 20:*"), [2, 3]);
  deepStrictEqual(run("2:*"), [2, 3]);
});

Deno.test("parseSearch() refuses unknown keys and missing arguments", () => {
  throws(() => keys("BOGUS"), SearchError);
  throws(() => keys("FROM"), SearchError);
  throws(() => keys("SINCE yesterday"), SearchError);
  throws(() => keys("LARGER big"), SearchError);
});

Deno.test("searchNeeds() opens messages only for header and body keys", () => {
  deepStrictEqual(searchNeeds(keys("SEEN LARGER 10 UID 1:*")), "index");
  deepStrictEqual(searchNeeds(keys("OR SEEN FROM x")), "header");
  deepStrictEqual(searchNeeds(keys("NOT TEXT x")), "full");
});
