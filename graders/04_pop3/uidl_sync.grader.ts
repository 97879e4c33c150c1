/**
 * Grader for the UIDL sync plan. The last check runs two real sessions against the
 * course's POP3 server and fetches with the learner's plan.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { MemoryStore, Pop3Client, servePop3 } from "../../lib/pop3/mod.ts";

type Impl = typeof import("../../exercises/04_pop3/uidl_sync.ts");

export default defineExercise<Impl>({
  title: "Leave mail on server: a UIDL sync",
  hints: [
    "A UIDL line is /^([1-9][0-9]*) ([\\x21-\\x7e]{1,70})$/: the number, one space, the uid.",
    "Decide by uid, never by message number: numbers are per session. Filter the parsed entries whose uid is not in `known`.",
    "gone = the uids in `known` that no entry of the listing has. Sort fetch ascending.",
  ],
  checks: [
    {
      name: "parseUidlLine() reads the number and a uid with punctuation",
      points: 2,
      hint: "The uid may hold any visible ASCII character: . / : + = and so on.",
      run: (impl) => {
        assert.deepEqual(impl.parseUidlLine("1 whqtswO00WBw418f9t5JxYwZ"), {
          number: 1,
          uid: "whqtswO00WBw418f9t5JxYwZ",
        });
        assert.deepEqual(impl.parseUidlLine("12 1795665337.M408310P16941Q1.vm"), {
          number: 12,
          uid: "1795665337.M408310P16941Q1.vm",
        });
        assert.deepEqual(impl.parseUidlLine("3 a/b:c+d="), { number: 3, uid: "a/b:c+d=" });
      },
    },
    {
      name: "parseUidlLine() throws on malformed lines",
      points: 2,
      hint:
        "No number, number 0, a missing uid, a space inside the uid or more than 70 characters: throw.",
      run: (impl) => {
        assert.deepEqual(
          impl.parseUidlLine("70 ok"),
          { number: 70, uid: "ok" },
          "a good line parses",
        );
        for (
          const bad of ["", "abc", "0 x", "1", "1 ", "1 two words", "x 1", "1 " + "u".repeat(71)]
        ) {
          assert.throws(() => impl.parseUidlLine(bad), `${JSON.stringify(bad)} must be refused`);
        }
      },
    },
    {
      name: "planFetch() fetches only uids not downloaded yet",
      points: 3,
      hint: "Look each uid up in `known`.",
      run: (impl) => {
        const plan = impl.planFetch(["1 aaa", "2 bbb", "3 ccc"], new Set(["bbb"]));
        assert.deepEqual(plan.fetch, [1, 3]);
        assert.deepEqual(impl.planFetch(["1 aaa"], new Set(["aaa"])).fetch, []);
        assert.deepEqual(impl.planFetch([], new Set()).fetch, []);
      },
    },
    {
      name: "planFetch() decides by uid, not by message number",
      points: 2,
      hint: "`known` holds uids; a uid that looks like a number is still a uid.",
      run: (impl) => {
        const plan = impl.planFetch(["1 7", "2 1"], new Set(["1", "2"]));
        assert.deepEqual(plan.fetch, [1]);
        assert.deepEqual(plan.gone, ["2"]);
      },
    },
    {
      name: "planFetch() reports known uids that the server no longer lists",
      points: 2,
      hint: "Another client deleted them: they are in `known` but in no listing line.",
      run: (impl) => {
        const plan = impl.planFetch(["2 bbb"], new Set(["aaa", "bbb", "zzz"]));
        assert.deepEqual(plan.fetch, []);
        assert.deepEqual([...plan.gone].sort(), ["aaa", "zzz"]);
      },
    },
    {
      name: "planFetch() drives a real sync: the second session downloads only the new message",
      points: 3,
      hint:
        "Only the uids you planned are fetched; after the first sync, `known` holds every uid you saved.",
      run: async (impl) => {
        const store = new MemoryStore();
        const text = (s: string) => new TextEncoder().encode(s);
        store.add("alice", text("Subject: 1\r\n\r\none\r\n"));
        store.add("alice", text("Subject: 2\r\n\r\ntwo\r\n"));
        await using server = servePop3({
          store,
          users: new Map([["alice", "pw"]]),
          authFailureDelayMs: 1,
        });
        const known = new Set<string>();
        const sync = async () => {
          await using client = await Pop3Client.connect(server.port, { timeoutMs: 2000 });
          await client.login("alice", "pw");
          const listing = (await client.uidl()).map((e) => `${e.number} ${e.value}`);
          const plan = impl.planFetch(listing, known);
          const got: string[] = [];
          for (const n of plan.fetch) {
            got.push(new TextDecoder().decode(await client.retr(n)));
            known.add((await client.uidl(n)).value);
          }
          await client.dele(1); // deleted on the server: must not matter to the plan
          await client.rset();
          await client.quit();
          return got;
        };
        assert.equal((await sync()).length, 2);
        store.add("alice", text("Subject: 3\r\n\r\nthree\r\n"));
        const second = await sync();
        assert.deepEqual(second.map((m) => m.split("\r\n")[0]), ["Subject: 3"]);
      },
    },
  ],
});
