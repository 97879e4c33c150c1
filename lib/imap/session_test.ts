/**
 * The session without a socket: inputs in (commands, continuation lines, wake-ups, what
 * the transport noticed), bytes and the next wait out. Every rule here is checked with
 * no network at all; server_test.ts checks the same server on real sockets.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { MailStore } from "../maildir/mod.ts";
import { LiteralTooLargeError } from "./framing.ts";
import { MailboxRegistry } from "./mailbox.ts";
import { Session, type SessionConfig, type SessionInput, type StepResult } from "./session.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE = "From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n";

/** A command frame: text with `{n}` markers, then the literals that follow them. */
function command(text: string, ...literals: string[]): SessionInput {
  const lines = text.split("\n");
  return {
    kind: "command",
    frame: { lines, literals: literals.map((l) => encoder.encode(l)), size: text.length },
  };
}

/** The output of a step as lines (CRLF removed). */
function lines(result: StepResult): string[] {
  const text = decoder.decode(result.output);
  return text === "" ? [] : text.replace(/\r\n$/, "").split("\r\n");
}

/** A store with alice's INBOX holding `count` messages, and a session factory. */
async function fixture(count = 1) {
  const root = await Deno.makeTempDir({ prefix: "imap-session-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (let i = 0; i < count; i++) await box.deliver(encoder.encode(MESSAGE));
  const config: SessionConfig = {
    store,
    users: new Map([["alice", "pw"]]),
    registry: new MailboxRegistry(),
    pollIntervalMs: 60_000,
    maxLiteralSize: 1000,
    maxCommandLiteralSize: 1500,
  };
  const sessions: Session[] = [];
  return {
    box,
    config,
    /** A greeted session, logged in as alice (and with INBOX selected) if asked. */
    async session(login = true, select = false) {
      const session = new Session(config);
      sessions.push(session);
      session.greet();
      if (login) await session.step(command("L LOGIN alice pw"));
      if (select) await session.step(command("S SELECT INBOX"));
      return session;
    },
    async [Symbol.asyncDispose]() {
      for (const session of sessions) await session.end();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("Session greets, then waits for a command within the pre-login limits", async () => {
  await using f = await fixture();
  const session = new Session(f.config);
  const hello = session.greet();
  ok(lines(hello)[0].startsWith("* OK [CAPABILITY IMAP4rev1 "));
  ok(lines(hello)[0].includes("AUTH=PLAIN"));
  deepStrictEqual(hello.next.kind, "command");
  if (hello.next.kind !== "command") return;
  deepStrictEqual(hello.next.limits.maxLiteralSize, 1000);
  deepStrictEqual(decoder.decode(hello.next.literalReady), "+ Ready for literal data\r\n");
  const login = await session.step(command("a LOGIN alice pw"));
  ok(lines(login)[0].startsWith("a OK [CAPABILITY IMAP4rev1 "));
  ok(!lines(login)[0].includes("AUTH=PLAIN"), "no AUTH= once logged in");
  if (login.next.kind !== "command") throw new Error("expected a command wait");
  deepStrictEqual(login.next.limits.maxTotalLiteralSize, 1500);
});

Deno.test("Session answers bad tags, unknown commands and wrong states with BAD", async () => {
  await using f = await fixture();
  const session = await f.session(false);
  deepStrictEqual(lines(await session.step(command("a SELECT INBOX"))), [
    "a BAD SELECT is not allowed in the NOT AUTHENTICATED state",
  ]);
  deepStrictEqual(lines(await session.step(command("b FROB"))), ['b BAD Unknown command "FROB"']);
  deepStrictEqual(lines(await session.step(command("c* NOOP"))), ['* BAD Invalid tag "c*"']);
  deepStrictEqual(lines(await session.step(command(""))), [], "an empty line is ignored");
  deepStrictEqual(lines(await session.step(command("d NOOP"))), ["d OK NOOP completed"]);
});

Deno.test("Session takes literals as parsed frames: APPEND, then SELECT sees it", async () => {
  await using f = await fixture(0);
  const session = await f.session();
  const append = await session.step(
    command(`a APPEND INBOX (\\Seen) {${MESSAGE.length}}\n`, MESSAGE),
  );
  ok(/^a OK \[APPENDUID \d+ 1\] APPEND completed$/.test(lines(append)[0]), lines(append)[0]);
  const select = lines(await session.step(command("b SELECT INBOX")));
  ok(select.includes("* 1 EXISTS"), select.join("\n"));
  const fetch = lines(await session.step(command("c FETCH 1 (FLAGS RFC822.SIZE)")));
  deepStrictEqual(fetch, [
    `* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.SIZE ${MESSAGE.length})`,
    "c OK FETCH completed",
  ]);
});

Deno.test("Session turns what the transport noticed into the prescribed answers", async (t) => {
  await using f = await fixture();
  await t.step("an overlong line: untagged BAD, and the session goes on", async () => {
    const session = await f.session();
    const result = await session.step({ kind: "line-too-long", reason: "Line too long" });
    deepStrictEqual(lines(result), ["* BAD Line too long"]);
    deepStrictEqual(result.next.kind, "command");
  });
  await t.step("a synchronizing literal too large: NO [TOOBIG], no +, go on", async () => {
    const session = await f.session();
    const error = new LiteralTooLargeError(5000, 1000, "a APPEND INBOX {5000}", true);
    const result = await session.step({ kind: "literal-too-large", error });
    deepStrictEqual(lines(result), [
      "a NO [TOOBIG] Literal too large: 5000 octets announced, the limit is 1000",
    ]);
    deepStrictEqual(result.next.kind, "command");
  });
  await t.step("a non-synchronizing literal too large: BAD [TOOBIG], BYE, close", async () => {
    const session = await f.session();
    const error = new LiteralTooLargeError(5000, 1000, "a APPEND INBOX {5000+}", false);
    const result = await session.step({ kind: "literal-too-large", error });
    deepStrictEqual(
      lines(result)[1],
      "* BYE Closing: cannot skip an oversized non-synchronizing literal",
    );
    deepStrictEqual(result.next.kind, "close");
  });
  await t.step("silence: BYE autologout (RFC 3501 5.4), close", async () => {
    const session = await f.session();
    const result = await session.step({ kind: "timeout" });
    deepStrictEqual(lines(result), ["* BYE Autologout; idle for too long (RFC 3501 5.4)"]);
    deepStrictEqual(result.next.kind, "close");
  });
  await t.step("LOGOUT: BYE, tagged OK, close", async () => {
    const session = await f.session();
    const result = await session.step(command("z LOGOUT"));
    deepStrictEqual(lines(result), ["* BYE Logging out", "z OK LOGOUT completed"]);
    deepStrictEqual(result.next.kind, "close");
  });
});

Deno.test("AUTHENTICATE PLAIN asks with + and takes the next line", async (t) => {
  await using f = await fixture();
  await t.step("the response on its own line logs in", async () => {
    const session = await f.session(false);
    const asked = await session.step(command("a AUTHENTICATE PLAIN"));
    deepStrictEqual(lines(asked), ["+ "]);
    deepStrictEqual(asked.next.kind, "line");
    const done = await session.step({ kind: "line", text: btoa("\0alice\0pw") });
    ok(lines(done)[0].startsWith("a OK [CAPABILITY "), lines(done)[0]);
    deepStrictEqual(session.state, "AUTHENTICATED");
    deepStrictEqual(done.next.kind, "command");
  });
  await t.step('"*" cancels with BAD (RFC 3501 6.2.2)', async () => {
    const session = await f.session(false);
    await session.step(command("a AUTHENTICATE PLAIN"));
    deepStrictEqual(lines(await session.step({ kind: "line", text: "*" })), [
      "a BAD AUTHENTICATE cancelled",
    ]);
  });
  await t.step("an overlong response cancels; the next line is a command again", async () => {
    const session = await f.session(false);
    await session.step(command("a AUTHENTICATE PLAIN"));
    const result = await session.step({ kind: "line-too-long", reason: "Line too long" });
    deepStrictEqual(lines(result), ["a BAD AUTHENTICATE cancelled: Line too long"]);
    deepStrictEqual(result.next.kind, "command");
  });
});

/** The promise an idle wait races against the client's line. */
function changed(result: StepResult): Promise<void> {
  if (result.next.kind !== "idle") {
    throw new Error(`Expected an idle wait, got ${result.next.kind}`);
  }
  return result.next.changed;
}

Deno.test("IDLE waits for DONE or news, and pushes what another session changed", async (t) => {
  await using f = await fixture();
  const idler = await f.session(true, true);
  const other = await f.session(true, true);
  let result = await idler.step(command("i IDLE"));
  deepStrictEqual(lines(result), ["+ idling"]);
  await t.step("the first wake-up looks at the disk once: nothing new", async () => {
    await changed(result);
    result = await idler.step({ kind: "wake" });
    deepStrictEqual(lines(result), []);
  });
  await t.step("an APPEND by another session resolves the wait: EXISTS pushed", async () => {
    await other.step(command(`a APPEND INBOX {${MESSAGE.length}}\n`, MESSAGE));
    await changed(result);
    result = await idler.step({ kind: "wake" });
    deepStrictEqual(lines(result), ["* 2 EXISTS", "* 1 RECENT"]);
    changed(result);
  });
  await t.step("DONE ends it with OK", async () => {
    result = await idler.step({ kind: "line", text: "DONE" });
    deepStrictEqual(lines(result), ["i OK IDLE terminated"]);
    deepStrictEqual(result.next.kind, "command");
  });
  await t.step("a line that is not DONE ends IDLE with BAD", async () => {
    const session = await f.session(true, true);
    await session.step(command("j IDLE"));
    deepStrictEqual(lines(await session.step({ kind: "line", text: "NOOP" })), [
      'j BAD Expected DONE to end IDLE, got "NOOP"',
    ]);
  });
  await t.step("an overlong line ends IDLE with BAD that says DONE was expected", async () => {
    const session = await f.session(true, true);
    await session.step(command("j IDLE"));
    deepStrictEqual(lines(await session.step({ kind: "line-too-long", reason: "Line too long" })), [
      "j BAD Line too long; expected DONE to end IDLE",
    ]);
  });
  await t.step("the server closing: BYE, close", async () => {
    const session = await f.session(true, true);
    await session.step(command("k IDLE"));
    const closing = await session.step({ kind: "closing" });
    deepStrictEqual(lines(closing), ["* BYE Server shutting down"]);
    deepStrictEqual(closing.next.kind, "close");
  });
  // The test's resource check fails if a watcher of the folder were still open here.
});

Deno.test("a FETCH that grows large is spilled to the transport as it goes", async () => {
  const big = "Subject: big\r\n\r\n" + "x".repeat(200 * 1024) + "\r\n";
  await using f = await fixture(0);
  await f.box.deliver(encoder.encode(big));
  await f.box.deliver(encoder.encode(big));
  const session = await f.session(true, true);
  const spilled: Uint8Array[] = [];
  session.spill = (bytes) => {
    spilled.push(bytes);
    return Promise.resolve();
  };
  const result = await session.step(command("f FETCH 1:2 BODY.PEEK[]"));
  deepStrictEqual(spilled.length, 1, "the first two messages leave before the command ends");
  ok(decoder.decode(spilled[0]).startsWith("* 1 FETCH (BODY[] {"));
  ok(lines(result).at(-1) === "f OK FETCH completed");
});
