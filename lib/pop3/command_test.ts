import assert from "node:assert/strict";
import { CommandSyntaxError, formatCommand, parseCommand } from "./command.ts";

Deno.test("parseCommand() upper-cases the keyword and splits arguments", () => {
  assert.deepEqual(parseCommand("top 3 10"), { verb: "TOP", args: ["3", "10"] });
  assert.deepEqual(parseCommand("STAT"), { verb: "STAT", args: [] });
});

Deno.test("parseCommand() keeps the rest of a PASS line, spaces included", () => {
  assert.deepEqual(parseCommand("PASS open sesame"), { verb: "PASS", args: ["open sesame"] });
});

Deno.test("parseCommand() refuses empty lines and non-keywords", () => {
  assert.throws(() => parseCommand(""), CommandSyntaxError);
  assert.throws(() => parseCommand("R3TR 1"), /not a POP3 keyword/);
  assert.throws(() => parseCommand("RETRIEVE 1"), /not a POP3 keyword/);
});

Deno.test("parseCommand() refuses control characters without echoing them", () => {
  for (const line of ["USER a\rb\0c", "USER a\tb", "PASS x\x7f", "USER \x1b[2J"]) {
    assert.throws(() => parseCommand(line), (error: unknown) => {
      assert.ok(error instanceof CommandSyntaxError);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(error.message, /[\0-\x1f\x7f]/);
      assert.match(error.message, /control character 0x[0-9a-f]{2}/);
      return true;
    });
  }
});

Deno.test("formatCommand() joins arguments and refuses injection", () => {
  assert.equal(formatCommand("retr", 1), "RETR 1");
  assert.equal(formatCommand("PASS", "with space"), "PASS with space");
  assert.throws(() => formatCommand("USER", "a\r\nDELE 1"), /CR, LF or NUL/);
  assert.throws(() => formatCommand("USER", "a b"), /contains a space/);
  assert.throws(() => formatCommand("USER", ""), /empty/);
  assert.throws(() => formatCommand("RE TR"), /not a POP3 keyword/);
});

Deno.test("formatCommand() and parseCommand() round-trip", () => {
  for (const [verb, ...args] of [["USER", "alice"], ["TOP", "1", "0"], ["PASS", "a b c"]]) {
    assert.deepEqual(parseCommand(formatCommand(verb, ...args)), { verb, args });
  }
});
