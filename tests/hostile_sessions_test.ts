/**
 * The three mail servers against clients that guess passwords, stay silent, open many
 * connections, or reset: the exact bytes each server answers, on real sockets.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import {
  AuthThrottle,
  connectLoopback,
  LineReader,
  type LoopbackServer,
  writeAll,
} from "../lib/net/mod.ts";
import { MemoryMailStore, serveSmtp, type SmtpServerOptions } from "../lib/smtp/mod.ts";
import { MemoryStore, type Pop3ServerOptions, servePop3 } from "../lib/pop3/mod.ts";
import { type ImapServerOptions, serveImap } from "../lib/imap/mod.ts";
import { MailStore } from "../lib/maildir/mod.ts";
import { requireTool } from "./tools.ts";

const encoder = new TextEncoder();

/** A raw client: sends bytes as given, reads lines as they come. */
async function raw(port: number) {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 10_000, maxLineLength: 1 << 16 });
  return {
    send: (text: string) => writeAll(conn, encoder.encode(text)),
    line: async () => (await reader.readLine())?.text ?? null,
    /** Every line until the server closes. */
    async rest(): Promise<string[]> {
      const lines: string[] = [];
      for (let line = await reader.readLine(); line; line = await reader.readLine()) {
        lines.push(line.text);
      }
      return lines;
    },
    /** Lines up to and including the first that starts with `prefix`. */
    async until(prefix: string): Promise<string[]> {
      const lines: string[] = [];
      while (true) {
        const line = await reader.readLine();
        if (!line) throw new Error(`Closed before "${prefix}": ${lines.join(" | ")}`);
        lines.push(line.text);
        if (line.text.startsWith(prefix)) return lines;
      }
    },
    [Symbol.dispose]: () => conn.close(),
  };
}

/** Connect from another loopback address (all of 127.0.0.0/8 is this machine); the first line. */
function firstLineFrom(localAddress: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    let text = "";
    socket.on("data", (chunk: Uint8Array) => {
      text += new TextDecoder().decode(chunk);
      const end = text.indexOf("\r\n");
      if (end >= 0) {
        socket.destroy();
        resolve(text.slice(0, end));
      }
    });
    socket.once("error", reject);
  });
}

/** Wait until `ready()` holds: the server's own bookkeeping, checked every few ms. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A throttle with tiny delays that records each delay it imposes. */
function recordingThrottle(firstDelayMs = 1) {
  const delays: number[] = [];
  const throttle = new AuthThrottle({ firstDelayMs, onDelay: (_, ms) => delays.push(ms) });
  return { throttle, delays };
}

const plain = (user: string, password: string) => btoa(`\0${user}\0${password}`);

function smtp(options: Partial<SmtpServerOptions> = {}) {
  return serveSmtp({
    store: new MemoryMailStore(),
    users: new Map([["bob", "pw"]]),
    hostname: "mx.test",
    ...options,
  });
}

function pop3(options: Partial<Pop3ServerOptions> = {}) {
  return servePop3({ store: new MemoryStore(), users: new Map([["alice", "pw"]]), ...options });
}

async function imap(options: Partial<ImapServerOptions> = {}) {
  const root = await Deno.makeTempDir({ prefix: "hostile-imap-" });
  const server = serveImap({
    store: new MailStore(root),
    users: new Map([["alice", "pw"]]),
    ...options,
  });
  return {
    server,
    port: server.port,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

// Item 9: one password-guessing policy -------------------------------------------------

Deno.test("SMTP: wrong AUTH passwords wait, get 535 5.7.8 twice, then 421 4.7.0 and the close", async () => {
  const { throttle, delays } = recordingThrottle();
  await using server = smtp({ authThrottle: throttle });
  {
    using c = await raw(server.port);
    await c.until("220 ");
    await c.send("EHLO pc\r\n");
    await c.until("250 ");
    const wrong = `AUTH PLAIN ${plain("bob", "guess")}\r\n`;
    await c.send(wrong + wrong + wrong + wrong);
    assert.deepEqual(await c.rest(), [
      "535 5.7.8 Authentication credentials invalid",
      "535 5.7.8 Authentication credentials invalid",
      "421 4.7.0 mx.test too many failed authentication attempts (3), closing connection",
    ]);
  }
  assert.deepEqual(delays, [1, 2, 4]);
  // Reconnecting does not start over: the next failure waits longer still.
  using again = await raw(server.port);
  await again.until("220 ");
  await again.send(`EHLO pc\r\nAUTH LOGIN\r\n${btoa("bob")}\r\n${btoa("guess")}\r\n`);
  assert.deepEqual((await again.until("535 ")).slice(-3), [
    "334 VXNlcm5hbWU6",
    "334 UGFzc3dvcmQ6",
    "535 5.7.8 Authentication credentials invalid",
  ]);
  assert.deepEqual(delays, [1, 2, 4, 8]);
  // The right password is answered at once and clears the address's record.
  await again.send(`AUTH PLAIN ${plain("bob", "pw")}\r\n`);
  assert.equal(await again.line(), "235 2.7.0 Authentication successful");
  assert.equal(throttle.failuresOf("127.0.0.1"), 0);
  assert.deepEqual(delays, [1, 2, 4, 8]);
});

Deno.test("POP3: wrong passwords (USER/PASS and APOP) wait, then -ERR [AUTH] and the close", async () => {
  const { throttle, delays } = recordingThrottle();
  await using server = pop3({ authThrottle: throttle });
  using c = await raw(server.port);
  assert.match((await c.line())!, /^\+OK POP3 server ready <.+>$/);
  await c.send("USER alice\r\nPASS guess\r\n");
  await c.send(`APOP alice ${"0".repeat(32)}\r\n`);
  await c.send("USER alice\r\nPASS guess\r\nUSER alice\r\n");
  assert.deepEqual(await c.rest(), [
    "+OK Hello alice, send PASS",
    "-ERR [AUTH] Invalid user name or password",
    "-ERR [AUTH] Invalid user name or password",
    "+OK Hello alice, send PASS",
    "-ERR [AUTH] Authentication failed 3 times, closing",
  ]);
  assert.deepEqual(delays, [1, 2, 4]);
});

Deno.test("IMAP: wrong LOGIN and AUTHENTICATE wait, then NO [AUTHENTICATIONFAILED] with BYE and the close", async () => {
  const { throttle, delays } = recordingThrottle();
  await using server = await imap({ authThrottle: throttle });
  using c = await raw(server.port);
  assert.match((await c.line())!, /^\* OK \[CAPABILITY /);
  await c.send("a1 LOGIN alice guess\r\n");
  await c.send(`a2 AUTHENTICATE PLAIN ${plain("alice", "guess")}\r\n`);
  await c.send("a3 LOGIN alice guess\r\na4 NOOP\r\n");
  assert.deepEqual(await c.rest(), [
    "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password",
    "a2 NO [AUTHENTICATIONFAILED] Invalid user name or password",
    "* BYE Too many failed logins (3), closing",
    "a3 NO [AUTHENTICATIONFAILED] Invalid user name or password",
  ]);
  assert.deepEqual(delays, [1, 2, 4]);
});

Deno.test("One throttle shared by SMTP, POP3 and IMAP: a client's failures add up across them", async () => {
  const { throttle, delays } = recordingThrottle();
  await using s = smtp({ authThrottle: throttle });
  await using p = pop3({ authThrottle: throttle });
  await using i = await imap({ authThrottle: throttle });
  using a = await raw(s.port);
  await a.until("220 ");
  await a.send(`EHLO pc\r\nAUTH PLAIN ${plain("bob", "guess")}\r\n`);
  await a.until("535 ");
  using b = await raw(p.port);
  await b.send("USER alice\r\nPASS guess\r\n");
  await b.until("-ERR");
  using c = await raw(i.port);
  await c.send("a1 LOGIN alice guess\r\n");
  await c.until("a1 ");
  assert.deepEqual(delays, [1, 2, 4]);
  assert.equal(throttle.failuresOf("127.0.0.1"), 3);
});

Deno.test("The default policy: SMTP answers a wrong password no sooner than about 2 s", async () => {
  await using server = smtp(); // the real defaults: AUTH_THROTTLE in lib/net/auth_throttle.ts
  using c = await raw(server.port);
  await c.until("220 ");
  await c.send("EHLO pc\r\n");
  await c.until("250 ");
  const start = performance.now();
  await c.send(`AUTH PLAIN ${plain("bob", "guess")}\r\n`);
  assert.equal(await c.line(), "535 5.7.8 Authentication credentials invalid");
  // A generous lower bound only: a timer never fires early, a loaded machine makes it late.
  assert.ok(performance.now() - start >= 1500, "the first failure waits 2 s");
});

Deno.test("The default policy: closing a POP3 server ends a 2 s password delay at once, with no reply", async () => {
  let started!: (ms: number) => void;
  const delaying = new Promise<number>((resolve) => started = resolve);
  const server = pop3({ authThrottle: new AuthThrottle({ onDelay: (_, ms) => started(ms) }) });
  using c = await raw(server.port);
  await c.until("+OK POP3");
  await c.send("USER alice\r\nPASS guess\r\n");
  assert.equal(await delaying, 2000);
  await server.close(); // returns at once; the test's sanitizers see no timer left behind
  assert.deepEqual(await c.rest(), ["+OK Hello alice, send PASS"]);
});

// Item 10: short timeouts before login -------------------------------------------------

Deno.test("SMTP: a client that neither authenticates nor sends MAIL gets 421 4.4.2 at the login deadline", async () => {
  await using server = smtp({ loginTimeoutMs: 300, idleTimeoutMs: 10_000 });
  using c = await raw(server.port);
  await c.until("220 ");
  await c.send("EHLO pc\r\nNOOP\r\n"); // commands do not extend the deadline
  await c.until("250 2.0.0");
  assert.deepEqual(await c.rest(), [
    "421 4.4.2 mx.test login timeout (no AUTH or MAIL within 0.3 s), closing connection",
  ]);
});

Deno.test("SMTP: after AUTH, or after MAIL for a relay client, only the idle timeout counts", async () => {
  await using server = smtp({
    loginTimeoutMs: 1000,
    idleTimeoutMs: 1500,
    relayDomains: ["far.test"],
  });
  using authenticated = await raw(server.port);
  using relay = await raw(server.port);
  await authenticated.until("220 ");
  await relay.until("220 ");
  await authenticated.send(`EHLO pc\r\nAUTH PLAIN ${plain("bob", "pw")}\r\n`);
  await authenticated.until("235 ");
  await relay.send("EHLO mx.far.test\r\nMAIL FROM:<a@far.test>\r\n");
  await relay.until("250 2.1.0");
  const idle = ["421 4.4.2 mx.test idle timeout, closing connection"];
  assert.deepEqual(await authenticated.rest(), idle);
  assert.deepEqual(await relay.rest(), idle);
});

Deno.test("POP3: no login in time gets -ERR and the close; a logged-in session's autologout is silent (RFC 1939 3)", async () => {
  await using server = pop3({ loginTimeoutMs: 300, idleTimeoutMs: 10_000 });
  {
    using c = await raw(server.port);
    await c.until("+OK POP3");
    await c.send("CAPA\r\n");
    await c.until(".");
    assert.deepEqual(await c.rest(), ["-ERR No login within 0.3 s, closing"]);
  }
  await using short = pop3({ loginTimeoutMs: 1000, idleTimeoutMs: 1500 });
  using c = await raw(short.port);
  await c.until("+OK POP3");
  await c.send("USER alice\r\nPASS pw\r\n");
  await c.until("+OK alice's maildrop");
  assert.deepEqual(await c.rest(), [], "closed without a reply");
});

Deno.test("IMAP: no login in time gets * BYE; after login the idle autologout's BYE", async () => {
  {
    await using server = await imap({ loginTimeoutMs: 300, idleTimeoutMs: 10_000 });
    using c = await raw(server.port);
    await c.until("* OK");
    await c.send("a1 NOOP\r\n");
    await c.until("a1 OK");
    assert.deepEqual(await c.rest(), ["* BYE No login in time, closing"]);
  }
  await using server = await imap({ loginTimeoutMs: 1000, idleTimeoutMs: 1500 });
  using c = await raw(server.port);
  await c.until("* OK");
  await c.send("a1 LOGIN alice pw\r\n");
  await c.until("a1 OK");
  assert.deepEqual(await c.rest(), ["* BYE Autologout; idle for too long (RFC 3501 5.4)"]);
});

// Item 10: connections per client address ----------------------------------------------

async function perAddress(server: LoopbackServer, greeting: RegExp, refusal: string) {
  using first = await raw(server.port);
  assert.match((await first.line())!, greeting);
  using second = await raw(server.port);
  assert.deepEqual(await second.rest(), [refusal]);
  assert.match(await firstLineFrom("127.0.0.2", server.port), greeting, "another address gets in");
}

Deno.test("SMTP with its defaults: 60 silent connections from one address get 50 slots, another address still gets in", async () => {
  await using server = smtp();
  const clients = [];
  try {
    for (let k = 0; k < 60; k++) clients.push(await raw(server.port));
    const first = await Promise.all(clients.map((client) => client.line()));
    assert.equal(first.filter((line) => line?.startsWith("220 mx.test ESMTP")).length, 50);
    assert.deepEqual(
      first.filter((line) => !line?.startsWith("220 ")),
      Array(10).fill(
        "421 4.7.0 mx.test too many connections from 127.0.0.1 (the limit is 50), try again later",
      ),
    );
    assert.match(await firstLineFrom("127.0.0.2", server.port), /^220 mx\.test ESMTP/);
  } finally {
    for (const client of clients) client[Symbol.dispose]();
  }
});

Deno.test("SMTP: past the per-address limit, 421 4.7.0 and the close", async () => {
  await using server = smtp({ maxConnectionsPerAddress: 1 });
  await perAddress(
    server,
    /^220 mx\.test ESMTP/,
    "421 4.7.0 mx.test too many connections from 127.0.0.1 (the limit is 1), try again later",
  );
});

Deno.test("POP3: past the per-address limit, -ERR [SYS/TEMP] and the close", async () => {
  await using server = pop3({ maxConnectionsPerAddress: 1 });
  await perAddress(
    server,
    /^\+OK POP3 server ready/,
    "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (the limit is 1), try again later",
  );
});

Deno.test("IMAP: past the per-address limit, * BYE instead of a greeting", async () => {
  await using server = await imap({ maxConnectionsPerAddress: 1 });
  await perAddress(
    server.server,
    /^\* OK \[CAPABILITY /,
    "* BYE Too many connections (from 127.0.0.1; the limit is 1 per address), try again later",
  );
});

// Item 11: a client's reset is an ordinary end -----------------------------------------

for (
  const [name, start] of [
    ["SMTP", (onError: (e: unknown) => void) => Promise.resolve(smtp({ onError }))],
    ["POP3", (onError: (e: unknown) => void) => Promise.resolve(pop3({ onError }))],
    ["IMAP", async (onError: (e: unknown) => void) => (await imap({ onError }))],
  ] as const
) {
  Deno.test(`${name}: a client that resets is not reported as a failure`, async () => {
    const errors: unknown[] = [];
    const server = await start((error) => errors.push(error));
    try {
      const listening = "server" in server ? server.server : server;
      const socket = net.connect({ host: "127.0.0.1", port: listening.port });
      await new Promise<void>((resolve, reject) => {
        socket.once("data", () => resolve()); // the greeting: the server now waits to read
        socket.once("error", reject);
      });
      socket.write("NOOP"); // half a command, then RST
      socket.resetAndDestroy();
      await until(() => listening.connections.size === 0, "the server has seen the reset");
      assert.deepEqual(errors, []);
    } finally {
      await server[Symbol.asyncDispose]();
    }
  });
}

// Third-party clients against the throttled servers ---------------------------------------

Deno.test({
  name: "Python's imaplib, poplib and smtplib report a wrong password clearly, then log in",
  ...requireTool("python3"),
  async fn() {
    await using i = await imap({ authFailureDelayMs: 1 });
    await using p = pop3({ authFailureDelayMs: 1 });
    await using s = smtp({ authFailureDelayMs: 1 });
    const script = `
import imaplib, poplib, smtplib
m = imaplib.IMAP4("127.0.0.1", ${i.port})
try:
    m.login("alice", "guess")
except imaplib.IMAP4.error as e:
    print("imap", e)
print("imap", m.login("alice", "pw")[0])
p = poplib.POP3("127.0.0.1", ${p.port})
p.user("alice")
try:
    p.pass_("guess")
except poplib.error_proto as e:
    print("pop3", e)
p.user("alice")
print("pop3", p.pass_("pw").split()[0])
c = smtplib.SMTP("127.0.0.1", ${s.port})
c.ehlo("pc")
try:
    c.login("bob", "guess")
except smtplib.SMTPAuthenticationError as e:
    print("smtp", e.smtp_code, e.smtp_error)
print("smtp", c.login("bob", "pw")[0])
`;
    const out = await new Deno.Command("python3", { args: ["-c", script], stderr: "inherit" })
      .output();
    assert.equal(out.code, 0);
    assert.deepEqual(new TextDecoder().decode(out.stdout).trim().split("\n"), [
      "imap b'[AUTHENTICATIONFAILED] Invalid user name or password'",
      "imap OK",
      "pop3 b'-ERR [AUTH] Invalid user name or password'",
      "pop3 b'+OK'",
      "smtp 535 b'5.7.8 Authentication credentials invalid'",
      "smtp 235",
    ]);
  },
});
