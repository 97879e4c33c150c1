import assert from "node:assert/strict";
import { formatStatus, parseStatus, StatusSyntaxError } from "./status.ts";

Deno.test("parseStatus() reads +OK and -ERR with optional text", () => {
  assert.deepEqual(parseStatus("+OK 2 320"), { ok: true, text: "2 320" });
  assert.deepEqual(parseStatus("+OK"), { ok: true, text: "" });
  assert.deepEqual(parseStatus("-ERR no such message"), { ok: false, text: "no such message" });
});

Deno.test("parseStatus() separates an RFC 2449 response code", () => {
  assert.deepEqual(parseStatus("-ERR [IN-USE] locked"), {
    ok: false,
    code: "IN-USE",
    text: "locked",
  });
  assert.deepEqual(parseStatus("-ERR [SYS/TEMP]"), { ok: false, code: "SYS/TEMP", text: "" });
});

Deno.test("parseStatus() refuses other lines", () => {
  assert.throws(() => parseStatus("250 OK"), StatusSyntaxError);
  assert.throws(() => parseStatus("+OKAY"), /expected \+OK or -ERR/);
});

Deno.test("formatStatus() and parseStatus() round-trip", () => {
  for (const line of ["+OK", "+OK 1 2", "-ERR [AUTH] bad", "-ERR nope"]) {
    assert.equal(formatStatus(parseStatus(line)), line);
  }
});
