import assert from "node:assert/strict";
import { scanMessage } from "../mail/mod.ts";
import { compileLine } from "./compiler.ts";
import { envelope, parseAddressList } from "./envelope.ts";

Deno.test("parseAddressList() skips a ')' that closes no comment (found by fuzzing: it looped forever)", () => {
  assert.deepEqual(parseAddressList("a) <b@c>"), [{ name: "a", mailbox: "b", host: "c" }]);
  assert.deepEqual(parseAddressList(")"), []);
});

Deno.test("envelope() takes the first of each field, however far down the header", () => {
  const bytes = new TextEncoder().encode(
    "X: 1\r\n".repeat(1000) + "Subject: one\r\nSubject: two\r\nFrom: a@b\r\n\r\nbody",
  );
  const text = new TextDecoder().decode(compileLine([envelope(bytes, scanMessage(bytes))]));
  assert.equal(
    text,
    '(NIL "one" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)\r\n',
  );
});
