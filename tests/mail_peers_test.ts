/**
 * Where lib/mail and the parsers mail software relies on (postal-mime from npm, Python's
 * email package) read the same input differently, found by the differential fuzz
 * targets of tests/fuzz/mail.ts. Each case shows both answers, and names the RFC rule
 * that decides for ours. If a peer changes its answer, its test fails: then the fuzz
 * target's allowance for it can go.
 */
import assert from "node:assert/strict";
import { addressParser } from "postal-mime";
import { decodeWords, parseAddressList, parseMessage } from "../lib/mail/mod.ts";
import { PythonMailPeer } from "./fuzz/python_peer.ts";
import { requireTool } from "./tools.ts";

const encoder = new TextEncoder();
const pairs = (list: { name: string; address: string }[]) => list.map((a) => [a.name, a.address]);

Deno.test("postal-mime ends a group at a ';' inside a quoted display name; RFC 5322 3.2.4 and 3.4 do not", () => {
  // A quoted-string's qtext includes ";" (RFC 5322 3.2.4); a group ends at the ";" that
  // follows its mailbox-list (3.4), not at one inside a quoted string.
  const text = 'Team: "Doe; Jane" <jane@example.org>;';
  assert.deepEqual(pairs(parseAddressList(text)), [["Doe; Jane", "jane@example.org"]]);
  assert.deepEqual(addressParser(text), [
    { name: "Team", group: [{ address: "", name: "Doe" }] },
    { address: "Jane <jane@example.org>;", name: "" },
  ]);
});

Deno.test({
  name: "Python's email package: the disagreements the fuzz targets allow, each with its rule",
  ...requireTool("python3"),
  fn: async (t) => {
    const peer = new PythonMailPeer();
    try {
      await t.step(
        "getaddresses() lists an empty group as one empty address; RFC 5322 3.4 lists none",
        async () => {
          // group = display-name ":" [group-list] ";": an empty group names no mailbox.
          const text = "Undisclosed recipients:;, ann@example.org";
          assert.deepEqual(pairs(parseAddressList(text)), [["", "ann@example.org"]]);
          const answer = await peer.ask({ op: "addresses", text });
          assert.deepEqual(answer.addresses, [["", ""], ["", "ann@example.org"]]);
        },
      );

      await t.step("decode_header() rejects RFC 2231 5's language in an encoded word", async () => {
        // RFC 2231 section 5 extends RFC 2047: "=?" charset ["*" language] "?" ...
        const text = "=?utf-8*en?Q?caf=C3=A9?=";
        assert.equal(decodeWords(text), "café");
        const answer = await peer.ask({ op: "words", text });
        assert.match(answer.error ?? "", /^LookupError: unknown encoding: utf-8\*en/);
      });

      await t.step(
        "compat32 keeps white space and comments in the media type; RFC 2045 3 ignores them",
        async () => {
          // RFC 2045 section 3: MIME fields follow RFC 822's rules, so white space may stand
          // between the tokens "type", "/" and "subtype", and comments carry no meaning.
          for (
            const [value, python] of [
              ["audio / basic", "audio / basic"],
              ["text/plain (a comment); charset=utf-8", "text/plain (a comment)"],
            ]
          ) {
            const bytes = encoder.encode(`Content-Type: ${value}\r\n\r\nbody`);
            const ours = parseMessage(bytes).contentType;
            assert.equal(
              `${ours.type}/${ours.subtype}`,
              value.startsWith("audio") ? "audio/basic" : "text/plain",
            );
            const answer = await peer.ask({
              op: "message",
              data: btoa(String.fromCharCode(...bytes)),
            });
            assert.equal((answer.tree as { type: string }).type, python);
          }
        },
      );
    } finally {
      await peer.close();
    }
  },
});
