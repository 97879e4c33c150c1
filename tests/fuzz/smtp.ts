/**
 * Fuzz targets for lib/smtp: the DATA block reader (against a line-by-line reference
 * model), the session state machine, and the server on a real socket.
 *
 * @module
 */
import fc from "fast-check";
import { encodeLines, LineReader } from "../../lib/net/mod.ts";
import {
  complete,
  type DataResult,
  formatReply,
  initialState,
  lineTooLong,
  MemoryMailStore,
  PHASE,
  readDataBlock,
  serveSmtp,
  type SessionConfig,
  type SessionState,
  SmtpError,
  step,
} from "../../lib/smtp/mod.ts";
import { bytesOf, chunkedSource, type FuzzTarget, mutated, sendAndDrain } from "./harness.ts";

const enc = new TextEncoder();

/** Real transcripts (client side), the seeds the mutations start from. */
export const SMTP_TRANSCRIPTS = [
  "EHLO pc.test\r\nMAIL FROM:<al@pc.test> SIZE=20 BODY=8BITMIME\r\nRCPT TO:<bob@mx.test>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n",
  "EHLO pc\r\nAUTH PLAIN AGJvYgBwdw==\r\nMAIL FROM:<bob@mx.test>\r\nRCPT TO:<zed@far.test>\r\nRSET\r\nNOOP\r\nQUIT\r\n",
  "HELO pc\r\nAUTH LOGIN\r\nYm9i\r\ncHc=\r\nVRFY bob\r\nHELP\r\nQUIT\r\n",
  "EHLO pc\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\nhi\r\n\n.\nMAIL FROM:<x@y>\r\n.\r\n",
];

/** The DATA block as the RFC reads it, line by line over the whole input: the reference. */
export function referenceDataBlock(
  input: Uint8Array,
  maxSize: number,
  maxLineLength: number,
): { result: DataResult; used: number } {
  let error: SmtpError | undefined;
  let previousCrlf = true;
  let lineNumber = 0;
  const parts: number[] = [];
  let at = 0;
  const refuse = (code: number, enhanced: string, text: string) => {
    error ??= new SmtpError(code, enhanced, text);
  };
  while (true) {
    const lf = input.indexOf(10, at);
    if (lf < 0) return { result: { kind: "vanished" }, used: input.length };
    const crlf = lf > at && input[lf - 1] === 13;
    const line = input.subarray(at, crlf ? lf - 1 : lf);
    at = lf + 1;
    lineNumber++;
    if (line.length > maxLineLength) {
      refuse(552, "5.3.4", `Message line ${lineNumber} too long (${line.length} bytes)`);
      previousCrlf = true;
      continue;
    }
    if (line.length === 1 && line[0] === 0x2e) {
      if (crlf && previousCrlf) {
        return {
          result: error
            ? { kind: "refused", error, close: false }
            : { kind: "message", bytes: Uint8Array.from(parts) },
          used: at,
        };
      }
      return {
        result: {
          kind: "refused",
          error: new SmtpError(
            554,
            "5.6.11",
            `Bare LF next to "." on line ${lineNumber}: closing (SMTP smuggling guard)`,
          ),
          close: true,
        },
        used: at,
      };
    }
    previousCrlf = crlf;
    if (!crlf) {
      refuse(
        554,
        "5.6.11",
        `Bare LF on line ${lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
      );
    } else if (line.includes(13)) {
      refuse(
        554,
        "5.6.11",
        `Bare CR on line ${lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
      );
    } else if (line.includes(0)) {
      refuse(554, "5.6.0", `NUL byte on line ${lineNumber} (RFC 5322 2.1 forbids it)`);
    }
    if (error) continue;
    const body = line[0] === 0x2e ? line.subarray(1) : line;
    if (parts.length + body.length + 2 > maxSize) {
      refuse(552, "5.3.4", `Message exceeds the fixed maximum size of ${maxSize} bytes`);
      continue;
    }
    parts.push(...body, 13, 10);
  }
}

/** Bytes of a DATA block: text pieces that stress the rules, or mutated transcripts. */
const dataInput = fc.oneof(
  fc.array(
    fc.oneof(
      fc.constantFrom("\r\n", "\n", "\r", ".", "..", ".\r\n", "\r\n.\r\n", "\n.\n", "\0", "a", "é"),
      fc.string({ maxLength: 30 }),
      fc.integer({ min: 1, max: 80 }).map((n) => "x".repeat(n)),
    ),
    { maxLength: 60 },
  ).map((parts) => enc.encode(parts.join(""))),
  mutated(SMTP_TRANSCRIPTS),
);

const config: SessionConfig = {
  hostname: "mx.test",
  maxMessageSize: 1000,
  maxRecipients: 3,
  authMechanisms: ["PLAIN", "LOGIN"],
};

/** A command line: a verb the server knows with arguments, or anything at all. */
const commandLine = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      "EHLO",
      "HELO",
      "MAIL FROM:",
      "RCPT TO:",
      "DATA",
      "RSET",
      "NOOP",
      "QUIT",
      "VRFY",
      "HELP",
      "AUTH PLAIN",
      "AUTH LOGIN",
      "AUTH",
      "EXPN",
      "BDAT",
      "mail from:",
      "",
    ),
    fc.oneof(
      fc.constantFrom(
        " pc.test",
        "<a@b.test>",
        "<>",
        "<a@b> SIZE=99999",
        "<a@b> BODY=8BITMIME",
        " =",
        " *",
        " AGJvYgBwdw==",
        "*",
        "Ym9i",
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
    ),
  ).map(([verb, arg]) => verb + arg),
  fc.string({ unit: "binary", maxLength: 120 }),
);

/** Check that a reply could go on the wire: the formatter and the line writer accept it. */
function assertSendable(replies: { code: number; enhanced?: string; lines: string[] }[]): void {
  for (const reply of replies) encodeLines(formatReply(reply));
}

export const SMTP_TARGETS: FuzzTarget[] = [
  {
    name: "SMTP DATA reader (chunked, against the line-by-line reference)",
    kind: "pure",
    property: () =>
      fc.asyncProperty(
        dataInput,
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.oneof(fc.integer({ min: 4, max: 60 }), fc.constant(1000)),
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(1_000_000)),
        async (input, chunks, maxLineLength, maxSize) => {
          const expected = referenceDataBlock(input, maxSize, maxLineLength);
          const reader = new LineReader(chunkedSource(input, chunks), { maxLineLength });
          const actual = await readDataBlock(reader, { maxSize });
          if (JSON.stringify(describe(actual)) !== JSON.stringify(describe(expected.result))) {
            throw new Error(
              `DATA reader disagrees with the reference:\n${JSON.stringify(describe(actual))}\n${
                JSON.stringify(describe(expected.result))
              }`,
            );
          }
          if (actual.kind !== "vanished") {
            // What follows the end of data is left for the next command, byte for byte.
            const rest: number[] = [];
            do rest.push(...reader.peek()), reader.consume(reader.peek().length); while (
              await reader.readMore()
            );
            const want = [...input.subarray(expected.used)];
            if (rest.join() !== want.join()) {
              throw new Error("Bytes after the end of data were lost");
            }
          }
        },
      ),
  },
  {
    name: "SMTP session state machine (random command lines)",
    kind: "pure",
    property: () =>
      fc.property(
        fc.array(fc.tuple(commandLine, fc.boolean(), fc.boolean()), { maxLength: 30 }),
        (lines) => {
          let state: SessionState = initialState();
          for (const [line, refuse, overlong] of lines) {
            if (state.phase === PHASE.Closed) return;
            let result = overlong ? lineTooLong(state) : step(config, state, line);
            while (true) {
              state = result.state;
              assertSendable(result.replies);
              const effect = result.effect;
              if (!effect || effect.kind === "close") break;
              const outcome = refuse ? new SmtpError(550, "5.7.1", "No") : null;
              result = complete(state, effect, outcome, "ID1");
            }
            if ((state.phase as string) === PHASE.Data) throw new Error("Stuck in DATA");
          }
        },
      ),
  },
  {
    name: "SMTP server on a socket (random and mutated byte streams)",
    kind: "socket",
    property: () =>
      fc.asyncProperty(
        fc.oneof(mutated(SMTP_TRANSCRIPTS), bytesOf(commandLine)),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        async (input, chunks) => {
          const errors: unknown[] = [];
          await using server = serveSmtp({
            store: new MemoryMailStore(),
            users: new Map([["bob", "pw"]]),
            hostname: "mx.test",
            maxMessageSize: 2000,
            maxLineLength: 200,
            authFailureDelayMs: 0, // mutated AUTH lines fail often; the delay is tested elsewhere
            onError: (error) => errors.push(error),
          });
          const output = await sendAndDrain(server.port, input, chunks);
          checkSmtpOutput(output);
          if (errors.length) throw errors[0];
        },
      ),
  },
];

/**
 * Every reply line is `ddd`, then space or hyphen, then text, then CRLF; the text is
 * RFC 5321 4.2's textstring: HT or printable, never CR, LF, NUL or another control.
 */
function checkSmtpOutput(output: string): void {
  if (output === "") throw new Error("No greeting");
  if (!output.endsWith("\r\n")) {
    throw new Error(`Output does not end with CRLF: ${JSON.stringify(output.slice(-40))}`);
  }
  for (const line of output.slice(0, -2).split("\r\n")) {
    // deno-lint-ignore no-control-regex
    if (!/^[2-5]\d\d([ -][^\0-\x08\x0a-\x1f\x7f]*)?$/.test(line)) {
      throw new Error(`Malformed reply line: ${JSON.stringify(line)}`);
    }
  }
}

function describe(result: DataResult) {
  if (result.kind === "message") return { kind: result.kind, bytes: [...result.bytes].join() };
  if (result.kind === "refused") {
    return { kind: result.kind, error: result.error.message, close: result.close };
  }
  return result;
}
