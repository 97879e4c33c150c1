import { deepStrictEqual } from "node:assert/strict";
import { parseUidList, readUidList, UIDLIST_FILE, writeUidList } from "./uidlist.ts";
import { fromLetters, toLetters } from "./flags.ts";
import { formatDateTime, parseDateTime, parseSearchDate } from "./date.ts";
import { parseAddressList } from "./envelope.ts";

Deno.test("writeUidList() replaces the file atomically and readUidList() reads it back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    deepStrictEqual(await readUidList(dir), null);
    await writeUidList(dir, {
      uidValidity: 42,
      uidNext: 3,
      firstRecentUid: 2,
      uids: new Map([["a", 1], ["b", 2]]),
    });
    const back = await readUidList(dir);
    deepStrictEqual([back?.uidValidity, back?.uidNext, [...back!.uids]], [42, 3, [["a", 1], [
      "b",
      2,
    ]]]);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepStrictEqual(names, [UIDLIST_FILE]); // no temporary file left behind
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseUidList() never hands out a UID twice, even if UIDNEXT was stale", () => {
  deepStrictEqual(parseUidList("course-uidlist 1 7 2\n5 x\n")?.uidNext, 6);
  deepStrictEqual(parseUidList("something else"), null);
});

Deno.test("flags map to Maildir letters and back, keeping letters IMAP does not own", () => {
  deepStrictEqual(toLetters(["\\Seen", "\\deleted", "$Junk"], "P"), "PST");
  deepStrictEqual(fromLetters("DFPRST"), [
    "\\Seen",
    "\\Answered",
    "\\Flagged",
    "\\Deleted",
    "\\Draft",
  ]);
});

Deno.test("dates follow RFC 3501's date and date-time", () => {
  deepStrictEqual(parseSearchDate("6-May-2024").toISOString(), "2024-05-06T00:00:00.000Z");
  const d = parseDateTime("17-Jul-1996 02:44:25 -0700");
  deepStrictEqual(formatDateTime(d), "17-Jul-1996 09:44:25 +0000");
});

Deno.test("parseAddressList() reads display names, bare addresses and groups", () => {
  deepStrictEqual(parseAddressList("Alice <a@x.org>, b@y.org (Bob)"), [
    { name: "Alice", mailbox: "a", host: "x.org" },
    { name: "Bob", mailbox: "b", host: "y.org" },
  ]);
  deepStrictEqual(parseAddressList("team: c@z.org;").map((a) => a.group ?? a.mailbox), [
    "start",
    "c",
    "end",
  ]);
});
