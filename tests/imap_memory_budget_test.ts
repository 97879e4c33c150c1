/**
 * The IMAP server under the worst inputs its limits allow, in a process of its own (the
 * lab): each input gets its exact reply (a tagged BAD or NO, RFC 3501 7.1; for a
 * non-synchronizing literal the server will not read, BAD [TOOBIG] and then BYE, since its
 * octets are already on their way), the session or the server goes on, and the process's
 * peak resident memory (`VmHWM`) stays within a budget computed from LIMITS in
 * lib/imap/constants.ts.
 *
 * The budget: what one logged-in command may make the server hold (its literals and its
 * text), plus what each of the connections open at once may hold before login (a line
 * buffer, its literals and its text), plus a fixed allowance for the runtime itself
 * (heap growth, buffers of the sockets). Each step prints its peak.
 */
import assert from "node:assert/strict";
import { LIMITS } from "../lib/imap/mod.ts";
import { rawConnection } from "../lib/imap/wire_test_helpers.ts";
import { startLabProcess } from "./lab_process.ts";

const MiB = 1024 * 1024;
/** How many clients the "many connections" step opens at once. */
const CONNECTIONS = 200;
/** What one connection may hold before login: its line buffer, literals and command text. */
const PRE_AUTH_BYTES = LIMITS.maxLineLength + LIMITS.preAuthLiteralSize +
  LIMITS.preAuthCommandText + LIMITS.maxLineLength;
/** What one logged-in command may hold: its literals and its text. */
const COMMAND_BYTES = LIMITS.maxCommandLiteralSize + LIMITS.maxCommandText +
  LIMITS.maxLineLength;
/**
 * The runtime's own share, a stated allowance: V8 grows its heap in steps and keeps what
 * it grew for a while (garbage counts until collected), and each socket has buffers.
 */
const RUNTIME_MiB = 64;
/** Growth of the server's peak memory allowed for this whole file's load, in MiB. */
const BUDGET_MiB = (COMMAND_BYTES + CONNECTIONS * PRE_AUTH_BYTES) / MiB + RUNTIME_MiB;

const enc = new TextEncoder();

/** `count` LITERAL+ literals of `size` octets, as one command's text after `head`. */
function literals(head: string, count: number, size: number): Uint8Array {
  const one = `{${size}+}\r\n` + "x".repeat(size) + " ";
  return enc.encode(head + " " + one.repeat(count).slice(0, -1) + "\r\n");
}

Deno.test("the IMAP server's memory stays within a budget computed from LIMITS under the worst inputs", async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "imap-memory-" });
  try {
    await using lab = await startLabProcess(folder, ["ann:pw"]);
    const port = lab.port("IMAP");
    const connect = async (login: boolean) => {
      const wire = await rawConnection(port);
      if (login) {
        await wire.send("L LOGIN ann pw\r\nS SELECT INBOX\r\n");
        assert.match((await wire.until("S "))!.at(-1)!, /^S OK/);
      }
      return wire;
    };
    {
      using warm = await connect(true);
      await warm.send("w NOOP\r\n");
      assert.equal((await warm.until("w ")).at(-1), "w OK NOOP completed");
    }
    const status = async (field: "VmHWM" | "VmRSS") =>
      Number(
        new RegExp(`${field}:\\s+(\\d+)`).exec(
          await Deno.readTextFile(`/proc/${lab.pid}/status`),
        )![1],
      ) / 1024;
    const baseline = await status("VmHWM");
    let stepStart = baseline;
    const peaks: string[] = [];
    /** The peak since the step began, checked against the budget (over the server at rest). */
    const within = async (what: string) => {
      const peak = await status("VmHWM");
      const signed = (n: number) => (n < 0 ? "" : "+") + n.toFixed(1);
      const line = `${what}: peak ${peak.toFixed(0)} MiB, ${signed(peak - stepStart)} over the ` +
        `step's start, ${signed(peak - baseline)} over rest`;
      console.log(line);
      peaks.push(line);
      assert.ok(peak - baseline < BUDGET_MiB, `${line}; the budget is ${BUDGET_MiB} MiB`);
    };
    /** A step whose peak is its own: the high-water mark is reset first (proc(5) clear_refs). */
    const step = (name: string, fn: () => Promise<void>) =>
      t.step(name, async () => {
        await Deno.writeTextFile(`/proc/${lab.pid}/clear_refs`, "5");
        stepStart = await status("VmRSS");
        await fn();
      });

    await step(
      "parentheses nested to the limit are parsed, beyond it get a tagged BAD",
      async () => {
        using wire = await connect(true);
        const deep = (n: number) => "(".repeat(n) + "FLAGS" + ")".repeat(n);
        await wire.send(`a FETCH 1 ${deep(LIMITS.maxNesting)}\r\n`);
        assert.equal((await wire.until("a ")).at(-1), "a BAD FETCH: expected a data item name");
        await wire.send(`b FETCH 1 ${deep(30_000)}\r\n`);
        assert.equal(
          await wire.line(),
          "b BAD Cannot parse: lists nested deeper than 100 levels at column 111",
        );
        await wire.send("c NOOP\r\n");
        assert.equal((await wire.until("c ")).at(-1), "c OK NOOP completed");
        await within("nesting");
      },
    );

    await step("SEARCH with 15,000 NOTs gets a tagged BAD", async () => {
      using wire = await connect(true);
      await wire.send("a SEARCH " + "NOT ".repeat(15_000) + "ALL\r\n");
      assert.equal(
        await wire.line(),
        "a BAD Cannot parse SEARCH: keys nested deeper than 100 levels",
      );
      await wire.send("b NOOP\r\n");
      assert.equal((await wire.until("b ")).at(-1), "b OK NOOP completed");
      await within("SEARCH NOT x 15,000");
    });

    await step(
      "before login, literals up to the limits, then one more: BAD [TOOBIG] and BYE",
      async () => {
        using wire = await connect(false);
        const size = LIMITS.preAuthLiteralSize / LIMITS.preAuthLiterals;
        await wire.send(literals("a LOGIN", LIMITS.preAuthLiterals, size));
        assert.equal(await wire.line(), "a BAD LOGIN expects a user name and a password");
        await wire.send(literals("b LOGIN", LIMITS.preAuthLiterals + 1, 1));
        assert.deepEqual(await wire.until("<closed>"), [
          `b BAD [TOOBIG] Too many literals: the limit is ${LIMITS.preAuthLiterals} in one command`,
          "* BYE Closing: cannot skip an oversized non-synchronizing literal",
          "<closed>",
        ]);
        await within("literals before login");
      },
    );

    await step(
      "after login, a command of 1,000 literals holding 64 MB, then one more",
      async () => {
        using wire = await connect(true);
        const size = Math.floor(LIMITS.maxCommandLiteralSize / LIMITS.maxLiterals);
        await wire.send(literals("a XYZZY", LIMITS.maxLiterals, size));
        assert.equal(await wire.line(), 'a BAD Unknown command "XYZZY"');
        await within(`${LIMITS.maxLiterals} literals of ${size} octets`);
        await wire.send(literals("b XYZZY", LIMITS.maxLiterals + 1, 0));
        assert.deepEqual(await wire.until("<closed>"), [
          `b BAD [TOOBIG] Too many literals: the limit is ${LIMITS.maxLiterals} in one command`,
          "* BYE Closing: cannot skip an oversized non-synchronizing literal",
          "<closed>",
        ]);
        await within("literals after login");
      },
    );

    await step("a LITERAL+ flood past the limit is not read: BAD [TOOBIG] and BYE", async () => {
      using wire = await connect(true);
      const announced = LIMITS.maxLiteralSize + 1;
      await wire.send(`a APPEND INBOX {${announced}+}\r\n`);
      // The octets are on their way; the server answers without reading them.
      const flood = wire.send(new Uint8Array(8 * MiB).fill(0x78)).catch(() => {});
      assert.deepEqual(await wire.until("<closed>"), [
        `a BAD [TOOBIG] Literal too large: ${announced} octets announced, the limit is ${LIMITS.maxLiteralSize}`,
        "* BYE Closing: cannot skip an oversized non-synchronizing literal",
        "<closed>",
      ]);
      await flood;
      await within("LITERAL+ flood");
    });

    await step("200,000 empty lines and 20,000 tiny commands", async () => {
      using wire = await connect(true);
      const replies = wire.until("z ");
      await wire.send("\r\n".repeat(200_000) + "t NOOP\r\n".repeat(20_000) + "z NOOP\r\n");
      const lines = await replies;
      assert.equal(lines.filter((l) => l === "t OK NOOP completed").length, 20_000);
      assert.equal(lines.at(-1), "z OK NOOP completed");
      await within("tiny lines");
    });

    await step(
      "lines past the 64 KiB limit get an untagged BAD each, and the session goes on",
      async () => {
        using wire = await connect(false);
        // At the limit a line is a command; one octet more and it is not.
        const noop = (length: number) => "a NOOP" + " ".repeat(length - "a NOOP".length) + "\r\n";
        await wire.send(noop(LIMITS.maxLineLength));
        assert.equal(await wire.line(), "a OK NOOP completed");
        await wire.send(noop(LIMITS.maxLineLength + 1));
        assert.equal(
          await wire.line(),
          `* BAD Line too long: ${
            LIMITS.maxLineLength + 1
          } bytes, the limit is ${LIMITS.maxLineLength}`,
        );
        const long = LIMITS.maxLineLength + 1000;
        const replies = wire.until("z ");
        await wire.send(
          ("y".repeat(long) + "\r\n").repeat(100) + "x".repeat(16 * MiB) + "\r\nz NOOP\r\n",
        );
        const lines = await replies;
        const bad = `* BAD Line too long: ${long} bytes, the limit is ${LIMITS.maxLineLength}`;
        assert.equal(lines.filter((l) => l === bad).length, 100);
        assert.equal(
          lines.at(-2),
          `* BAD Line too long: ${16 * MiB} bytes, the limit is ${LIMITS.maxLineLength}`,
        );
        assert.equal(lines.at(-1), "z OK NOOP completed");
        await within("overlong lines");
      },
    );

    await step(
      "an overlong line ends IDLE and cancels AUTHENTICATE with a tagged BAD",
      async () => {
        using wire = await connect(true);
        await wire.send("a IDLE\r\n");
        assert.equal(await wire.line(), "+ idling");
        await wire.send("x".repeat(16 * MiB) + "\r\n");
        assert.equal(
          await wire.line(),
          `a BAD Line too long: ${
            16 * MiB
          } bytes, the limit is ${LIMITS.maxLineLength}; expected DONE to end IDLE`,
        );
        using other = await connect(false);
        await other.send("b AUTHENTICATE PLAIN\r\n");
        assert.equal(await other.line(), "+ ");
        await other.send("A".repeat(16 * MiB) + "\r\n");
        assert.equal(
          await other.line(),
          `b BAD AUTHENTICATE cancelled: Line too long: ${
            16 * MiB
          } bytes, the limit is ${LIMITS.maxLineLength}`,
        );
        await other.send("c NOOP\r\n");
        assert.equal(await other.line(), "c OK NOOP completed");
        await within("IDLE and AUTHENTICATE");
      },
    );

    await step(
      `${CONNECTIONS} connections at once, each holding what it may before login`,
      async () => {
        const wires = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect(false)));
        try {
          // Each: a command whose literals fill the pre-login budget, its text near the line
          // limit, and then the line buffer filled with a line that does not end yet.
          const size = LIMITS.preAuthLiteralSize / LIMITS.preAuthLiterals;
          const command = literals("a ID", LIMITS.preAuthLiterals, size);
          await Promise.all(wires.map(async (w) => {
            await w.send(command.subarray(0, -2)); // the command, without its CRLF
            await w.send(" " + "y".repeat(LIMITS.maxLineLength - 2000));
          }));
          await Promise.all(wires.map((w) => w.send("\r\n")));
          for (const w of wires) assert.match((await w.until("a ")).at(-1)!, /^a OK/);
          using late = await connect(true);
          await late.send("n NOOP\r\n");
          assert.equal((await late.until("n ")).at(-1), "n OK NOOP completed");
        } finally {
          for (const w of wires) w[Symbol.dispose]();
        }
        await within(`${CONNECTIONS} connections`);
      },
    );

    console.log(
      `IMAP server (the lab process): ${baseline.toFixed(0)} MiB at rest; budget ` +
        `${BUDGET_MiB.toFixed(0)} MiB over rest, from LIMITS:\n  ${peaks.join("\n  ")}`,
    );
    assert.equal((await lab.stop()).code, 0);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
