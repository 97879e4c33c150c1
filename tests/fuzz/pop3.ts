/**
 * Fuzz targets for lib/pop3: the command parser, the session state machine, the
 * multi-line encoder (against a reference decoder), and the server on a real socket.
 *
 * @module
 */
import fc from "fast-check";
import { encodeLines } from "../../lib/net/mod.ts";
import {
  afterLogin,
  afterUpdate,
  CommandSyntaxError,
  encodeMessage,
  formatStatus,
  initialState,
  type LoginOutcome,
  MemoryStore,
  MultilineEncoder,
  parseCommand,
  type Reply,
  servePop3,
  type SessionState,
  step,
  stuffLines,
} from "../../lib/pop3/mod.ts";
import { bytesOf, type FuzzTarget, mutated, sendAndDrain } from "./harness.ts";

/** Real transcripts (client side), the seeds the mutations start from. */
export const POP3_TRANSCRIPTS = [
  "CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n",
  "APOP alice c4c9334bac560ecc979e58001b3e22fb\r\nUSER alice\r\nPASS wrong\r\nUSER alice\r\nPASS secret\r\nLIST 2\r\nUIDL 3\r\nDELE 2\r\nQUIT\r\n",
  "USER a\rb\0c\r\nPASS x y z\r\nRETR 99999999999999999999\r\nTOP 1 -1\r\nQUIT\r\n",
];

const commandLine = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      "USER ",
      "PASS ",
      "APOP ",
      "CAPA",
      "QUIT",
      "STAT",
      "LIST",
      "LIST ",
      "UIDL",
      "UIDL ",
      "RETR ",
      "TOP ",
      "DELE ",
      "NOOP",
      "RSET",
      "user ",
      "STLS",
      "",
    ),
    fc.oneof(
      fc.constantFrom(
        "alice",
        "secret",
        "1",
        "2",
        "3",
        "0",
        "1 0",
        "2 5",
        "-1",
        "99",
        "alice 0123456789abcdef0123456789abcdef",
      ),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "binary", maxLength: 30 }),
    ),
  ).map(([verb, arg]) => verb + arg),
  fc.string({ unit: "binary", maxLength: 300 }),
);

/** A reply could go on the wire: the line writer accepts its status line and lines. */
function assertSendable(replies: Reply[]): void {
  for (const reply of replies) {
    encodeLines([formatStatus(reply), ...(reply.lines ? stuffLines(reply.lines) : [])]);
  }
}

/** A multi-line body read back the way a client does: split at CRLF, drop one dot. */
function decodeMultiline(wire: Uint8Array): string[] {
  const text = new TextDecoder("latin1").decode(wire);
  if (!text.endsWith("\r\n.\r\n") && text !== ".\r\n") throw new Error("No terminator");
  const lines = text.slice(0, -3).split("\r\n");
  lines.pop(); // after the last CRLF
  return lines.map((line) => (line.startsWith(".") ? line.slice(1) : line));
}

/** The message as lines, the way the RFC sends it: CRLF or a bare LF ends a line. */
function referenceLines(message: Uint8Array, limit?: number): string[] {
  const text = new TextDecoder("latin1").decode(message);
  if (text === "") return [];
  const lines = text.split("\n");
  const last = lines.pop()!; // after the last LF: a line without an ending, or ""
  // A CR right before LF belongs to the line ending; any other CR is data (RFC 1939 3
  // frames lines with CRLF; a stored bare CR is sent as it is).
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
  }
  if (last !== "") lines.push(last);
  if (limit === undefined) return lines;
  const blank = lines.indexOf("");
  return blank < 0 ? lines : lines.slice(0, blank + 1 + limit);
}

const message = fc.array(
  fc.oneof(
    fc.constantFrom("\r\n", "\n", "\r", ".", "..", ".\r\n", "\r\n\r\n", "Subject: x", "a"),
    fc.string({ maxLength: 20 }),
  ),
  { maxLength: 40 },
).map((parts) => new TextEncoder().encode(parts.join("")));

export const POP3_TARGETS: FuzzTarget[] = [
  {
    name: "POP3 command parser",
    kind: "pure",
    property: () =>
      fc.property(fc.oneof(commandLine, fc.string({ unit: "binary", maxLength: 300 })), (line) => {
        try {
          const command = parseCommand(line);
          if (!/^[A-Z]{3,4}$/.test(command.verb)) throw new Error(`Bad verb ${command.verb}`);
          // deno-lint-ignore no-control-regex
          if (command.args.some((arg) => /[\0-\x1f\x7f]/.test(arg))) {
            throw new Error("A control character reached an argument");
          }
        } catch (error) {
          if (!(error instanceof CommandSyntaxError)) throw error;
        }
      }),
  },
  {
    name: "POP3 session state machine (random command lines)",
    kind: "pure",
    property: () =>
      fc.property(
        fc.array(fc.tuple(commandLine, fc.nat({ max: 4 }), fc.nat({ max: 2 })), { maxLength: 30 }),
        (lines) => {
          let state: SessionState = initialState("<1.2@fuzz>");
          for (const [line, outcomeChoice, failed] of lines) {
            if (state.state === "UPDATE") return;
            let result = step(state, line);
            if (result.effect?.kind === "login" || result.effect?.kind === "apop") {
              const outcomes: LoginOutcome[] = [
                { ok: true, messages: [{ id: "m1", size: 10 }, { id: "m2", size: 20 }] },
                { ok: true, messages: [] },
                { ok: false, reason: "credentials" },
                { ok: false, reason: "locked" },
                { ok: false, reason: "unavailable" },
              ];
              result = afterLogin(result.state, result.effect, outcomes[outcomeChoice]);
            } else if (result.effect?.kind === "update") {
              result = afterUpdate(result.state, failed);
            }
            state = result.state;
            assertSendable(result.replies);
            if (result.close) return;
          }
        },
      ),
  },
  {
    name: "POP3 multi-line encoder (RETR and TOP in random chunks, against a reference decoder)",
    kind: "pure",
    property: () =>
      fc.property(
        message,
        fc.option(fc.nat({ max: 5 }), { nil: undefined }),
        fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 10 }),
        (bytes, limit, sizes) => {
          // Stream the message in chunks of the given sizes, as the server reads its file.
          const encoder = new MultilineEncoder(limit);
          const parts: number[] = [];
          for (let at = 0, i = 0; at < bytes.length && !encoder.done; i++) {
            const n = sizes[i % sizes.length];
            parts.push(...encoder.push(bytes.subarray(at, at + n)));
            at += n;
          }
          parts.push(...encoder.end());
          const wire = Uint8Array.from(parts);
          if (wire.join() !== encodeMessage(bytes, limit).join()) {
            throw new Error("Chunked encoding differs from the whole-message encoding");
          }
          const got = decodeMultiline(wire);
          const want = referenceLines(bytes, limit);
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            throw new Error(`Encoder disagrees:\n${JSON.stringify(got)}\n${JSON.stringify(want)}`);
          }
        },
      ),
  },
  {
    name: "POP3 server on a socket (random and mutated byte streams)",
    kind: "socket",
    property: () =>
      fc.asyncProperty(
        fc.oneof(mutated(POP3_TRANSCRIPTS), bytesOf(commandLine)),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        async (input, chunks) => {
          const store = new MemoryStore();
          const enc = new TextEncoder();
          store.add("alice", enc.encode("Subject: one\r\n\r\nfirst\r\n"));
          store.add("alice", enc.encode("Subject: two\r\n\r\n.leading dot\r\nand\nbare LF\n"));
          const errors: unknown[] = [];
          await using server = servePop3({
            store,
            users: new Map([["alice", "secret"]]),
            authFailureDelayMs: 0,
            onError: (error) => errors.push(error),
          });
          const output = await sendAndDrain(server.port, input, chunks);
          if (!output.startsWith("+OK ") || !output.endsWith("\r\n")) {
            throw new Error(`Output not framed: ${JSON.stringify(output.slice(0, 60))}`);
          }
          for (const line of output.slice(0, -2).split("\r\n")) {
            if (/[\0\r\n]/.test(line)) {
              throw new Error(
                `Reply line with CR, LF or NUL: ${JSON.stringify(line)}`,
              );
            }
          }
          if (errors.length) throw errors[0];
        },
      ),
  },
];
