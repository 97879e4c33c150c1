/**
 * Fuzz targets for lib/imap: the framing (against a whole-input reference), the command
 * parser with the argument parsers behind it (sequence sets, sections, SEARCH keys), the
 * compiler (round trip through framing and parser), the response parser a client uses,
 * and the server on a real socket, both fed mutated streams and driven command by command.
 *
 * Seeds are real transcripts: what Python's imaplib, curl, fetchmail, mbsync and mutt sent
 * our server and what it answered (tests/fuzz/imap_seeds.json, written by
 * tests/fuzz/record_imap_seeds.ts).
 *
 * @module
 */
import fc from "fast-check";
import { closeQuietly, connectLoopback, LineTooLongError, writeAll } from "../../lib/net/mod.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import {
  compile,
  type Frame,
  type FrameLimits,
  FrameReader,
  ImapParseError,
  type ImapValue,
  LIMITS,
  LiteralTooLargeError,
  Parser,
  parseResponse,
  parseSearch,
  parseSection,
  parseSequenceSet,
  piecesToBytes,
  SearchError,
  SectionError,
  selectFrom,
  SequenceSetError,
  serveImap,
} from "../../lib/imap/mod.ts";
import { rawConnection } from "../../lib/imap/wire_test_helpers.ts";
import { chunkedSource, type FuzzTarget, mutated, sendAndDrainBytes } from "./harness.ts";
import SEEDS from "./imap_seeds.json" with { type: "json" };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What real clients sent (client to server). */
export const IMAP_CLIENT_TRANSCRIPTS = Object.values(SEEDS).map((seed) => seed.client);
/** What our server answered them (server to client). */
export const IMAP_SERVER_TRANSCRIPTS = Object.values(SEEDS).map((seed) => seed.server);

/** IMAP syntax that mutations insert: literals, quoting, lists, sections, sets, SEARCH keys. */
const IMAP_TOKENS = [
  "\r\n",
  "\n",
  "\r",
  "\0",
  " ",
  "{0}\r\n",
  "{5}\r\n",
  "{3+}\r\n",
  "{99999999999}\r\n",
  "{4294967296+}\r\n",
  "~{2}\r\n",
  "~{4+}\r\n",
  "{",
  "}",
  '"',
  '\\"',
  "\\\\",
  "\\",
  "(",
  ")",
  "((((((",
  "))))))",
  "[",
  "]",
  "<0.5>",
  "<",
  ">",
  "*",
  "1:*",
  "4294967295",
  "0",
  ",",
  ":",
  "NOT ",
  "OR ",
  "UID ",
  "BODY[",
  "BODY.PEEK[1.2.MIME]",
  "BINARY[1]",
  "HEADER.FIELDS (",
  "NIL",
  "DONE\r\n",
  "+",
  "%",
];

// ---------------------------------------------------------------------------------------
// Generated commands: the grammar's pieces, combined at random.

const atomChars = fc.string({
  unit: fc.constantFrom(..."abcXYZ019.-_$\\*%:,[]<>+!#&'/=?^`|~"),
  minLength: 1,
  maxLength: 8,
});
const quoted = fc.string({ maxLength: 12 }).map((s) => '"' + s.replace(/["\\]/g, "\\$&") + '"');
const sequenceSet = fc.oneof(
  fc.constantFrom("1", "1:*", "*", "2:3", "3:1", "1,3", "1:2,3:*", "0", "4294967295", "1:"),
  fc.array(
    fc.tuple(fc.oneof(fc.nat({ max: 5 }).map(String), fc.constant("*")), fc.constantFrom(",", ":")),
    { minLength: 1, maxLength: 4 },
  ).map((parts) => parts.flat().join("").slice(0, -1)),
);
const section = fc.constantFrom(
  "",
  "HEADER",
  "TEXT",
  "1",
  "1.MIME",
  "2.1.TEXT",
  "HEADER.FIELDS (Subject From)",
  "HEADER.FIELDS.NOT (To)",
  "0",
  "1.0",
  "MIME",
);
const fetchItem = fc.oneof(
  fc.constantFrom(
    "FLAGS",
    "UID",
    "ENVELOPE",
    "BODYSTRUCTURE",
    "BODY",
    "RFC822.SIZE",
    "INTERNALDATE",
    "RFC822",
    "RFC822.HEADER",
    "ALL",
    "FAST",
    "FULL",
  ),
  fc.tuple(
    fc.constantFrom("BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE"),
    section,
    fc.constantFrom("", "<0>", "<0.10>", "<5.0>", "<4294967295.1>", "<1.99999999999>"),
  ).map(([name, s, partial]) => `${name}[${s}]${partial}`),
);
const searchKey: fc.Arbitrary<string> = fc.letrec<{ key: string }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      "ALL",
      "SEEN",
      "UNSEEN",
      "DELETED",
      "NEW",
      "OLD",
      "RECENT",
      "SUBJECT x",
      "FROM alice",
      'BODY "Body"',
      "TEXT number",
      "LARGER 10",
      "SMALLER 99999999999",
      "SINCE 1-Jan-2020",
      "BEFORE 31-Feb-2024",
      "ON 1-Jan-2024",
      'HEADER Message-ID "<1@example.org>"',
      "UID 1:*",
      "KEYWORD $Junk",
      "1:2",
      "CHARSET UTF-8 ALL",
    ),
    tie("key").map((k) => `NOT ${k}`),
    fc.tuple(tie("key"), tie("key")).map(([a, b]) => `OR ${a} ${b}`),
    fc.array(tie("key"), { minLength: 1, maxLength: 3 }).map((ks) => `(${ks.join(" ")})`),
  ),
})).key;

/** A literal as the client sends it at once (LITERAL+ or literal8), with its octets. */
const literal = fc.tuple(fc.constantFrom("", "~"), fc.string({ unit: "binary", maxLength: 12 }))
  .map(([tilde, text]) => `${tilde}{${enc.encode(text).length}+}\r\n${text}`);
const argument = fc.oneof(
  atomChars,
  quoted,
  literal,
  sequenceSet,
  fetchItem,
  fc.constantFrom("INBOX", "Archive", '""', "*", "%", "NIL", "(\\Seen)", "(\\Deleted $Junk)"),
);

/** One command line (with LITERAL+ literals): a known verb and arguments that fit it or not. */
const command = fc.oneof(
  fc.constantFrom(
    "CAPABILITY",
    "NOOP",
    "LOGIN alice pw",
    "LOGIN alice wrong",
    "AUTHENTICATE PLAIN AGFsaWNlAHB3",
    "SELECT INBOX",
    "EXAMINE INBOX",
    "CREATE Box",
    "DELETE Box",
    "RENAME Box Other",
    'LIST "" *',
    'LSUB "" *',
    "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)",
    "EXPUNGE",
    "CLOSE",
    "UNSELECT",
    "CHECK",
    "NAMESPACE",
    "ENABLE UTF8=ACCEPT",
    "ID NIL",
    "IDLE",
    "NOTIFY SET STATUS (selected (MessageNew (UID FLAGS) MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge MailboxName SubscriptionChange))",
    "NOTIFY SET (selected-delayed (MessageNew MessageExpunge)) (subtree INBOX (FlagChange))",
    "NOTIFY NONE",
    "LOGOUT",
    "AUTHENTICATE PLAIN",
    "UID EXPUNGE 1:*",
  ),
  fc.tuple(
    fc.constantFrom("FETCH", "UID FETCH"),
    sequenceSet,
    fc.array(fetchItem, { maxLength: 4 }),
  )
    .map(([verb, set, items]) => `${verb} ${set} (${items.join(" ")})`),
  fc.tuple(fc.constantFrom("SEARCH", "UID SEARCH", "SEARCH RETURN (MIN COUNT)"), searchKey)
    .map(([verb, key]) => `${verb} ${key}`),
  fc.tuple(
    fc.constantFrom("STORE", "UID STORE"),
    sequenceSet,
    fc.constantFrom("+FLAGS", "-FLAGS.SILENT", "FLAGS"),
  ).map(([verb, set, what]) => `${verb} ${set} ${what} (\\Seen \\Deleted)`),
  fc.tuple(fc.constantFrom("COPY", "MOVE", "UID COPY", "UID MOVE"), sequenceSet)
    .map(([verb, set]) => `${verb} ${set} Archive`),
  fc.tuple(fc.constantFrom("SORT (DATE)", "SORT (REVERSE SUBJECT)", "THREAD REFERENCES"), searchKey)
    .map(([verb, key]) => `${verb} UTF-8 ${key}`),
  fc.string({ unit: "binary", maxLength: 20 }).map((text) =>
    `APPEND INBOX (\\Seen) {${enc.encode(text).length}+}\r\n${text}`
  ),
  fc.tuple(
    fc.constantFrom("SELECT", "FETCH", "SEARCH", "LIST", "STATUS", "APPEND", "XYZZY", "UID"),
    fc.array(argument, { maxLength: 5 }),
  ).map(([verb, args]) => [verb, ...args].join(" ")),
);

/** Whole command streams: tags, commands, CRLF (now and then a bare LF). */
const commandStream = fc.array(
  fc.tuple(command, fc.constantFrom("\r\n", "\r\n", "\r\n", "\n")),
  { maxLength: 12 },
).map((lines) =>
  enc.encode(
    "L LOGIN alice pw\r\n" + lines.map(([line, end], i) => `t${i} ${line}${end}`).join(""),
  )
);

const clientInput = fc.oneof(mutated(IMAP_CLIENT_TRANSCRIPTS, IMAP_TOKENS), commandStream);

// ---------------------------------------------------------------------------------------
// The framing reference: RFC 3501 2.2 and 4.3 read off the whole input at once.

type FrameOutcome =
  | { kind: "frame"; lines: string[]; literals: number[][]; size: number }
  | { kind: "too large"; message: string; synchronizing: boolean; line: string }
  | { kind: "line too long"; message: string };

/**
 * Frames of `input` the way RFC 3501 reads them: a line ends at LF (a CR before it is
 * part of the ending); a line ending in `{n}`/`{n+}` is followed by n octets, and the
 * command goes on after them. A line over the limit is refused and skipped; a literal
 * over a limit is refused before any of its octets is read; a frame cut by the end of
 * input is not a frame.
 */
function referenceFrames(
  input: Uint8Array,
  maxLineLength: number,
  limits: Required<FrameLimits>,
  stats = { bareLf: 0 },
): FrameOutcome[] {
  const out: FrameOutcome[] = [];
  let at = 0;
  let frame: { lines: string[]; literals: number[][]; size: number } | null = null;
  let total = 0;
  let text = 0;
  while (true) {
    const lf = input.indexOf(0x0a, at);
    if (lf < 0) return out; // a partial line at the end: the peer vanished
    const crlf = lf > at && input[lf - 1] === 0x0d;
    if (!crlf) stats.bareLf++;
    const bytes = input.subarray(at, crlf ? lf - 1 : lf);
    at = lf + 1;
    if (bytes.length > maxLineLength) {
      out.push({
        kind: "line too long",
        message: `Line too long: ${bytes.length} bytes, the limit is ${maxLineLength}`,
      });
      frame = null;
      continue;
    }
    frame ??= { lines: [], literals: [], size: 0 };
    if (frame.lines.length === 0) total = text = 0;
    const line = dec.decode(bytes);
    frame.lines.push(line);
    frame.size += bytes.length + (crlf ? 2 : 1);
    text += bytes.length;
    const marker = /\{(\d{1,20})(\+?)\}$/.exec(line);
    if (!marker) {
      out.push({ kind: "frame", ...frame });
      frame = null;
      continue;
    }
    const size = Number(marker[1]);
    const synchronizing = marker[2] !== "+";
    const refuse = (message: string) => {
      out.push({ kind: "too large", message, synchronizing, line: frame!.lines.join("") });
      frame = null;
    };
    if (size > limits.maxLiteralSize) {
      refuse(
        `Literal too large: ${size} octets announced, the limit is ${limits.maxLiteralSize}`,
      );
    } else if (text > limits.maxTextSize) {
      refuse(
        `Command too long: ${text} octets of text besides its literals, ` +
          `the limit is ${limits.maxTextSize}`,
      );
    } else if (frame.literals.length >= limits.maxLiterals) {
      refuse(`Too many literals: the limit is ${limits.maxLiterals} in one command`);
    } else if (total + size > limits.maxTotalLiteralSize) {
      refuse(
        `Literals too large: ${total + size} octets in one command, ` +
          `the limit is ${limits.maxTotalLiteralSize}`,
      );
    } else {
      if (at + size > input.length) return out; // cut inside the literal
      frame.literals.push([...input.subarray(at, at + size)]);
      frame.size += size;
      total += size;
      at += size;
    }
  }
}

/** Frames of `input` as our FrameReader reads them, fed in chunks of the given sizes. */
async function readerFrames(
  input: Uint8Array,
  sizes: number[],
  maxLineLength: number,
  limits: Required<FrameLimits>,
): Promise<FrameOutcome[]> {
  const reader = new FrameReader(chunkedSource(input, sizes), {
    maxLineLength,
    initialBufferSize: 16,
    ...limits,
  });
  const out: FrameOutcome[] = [];
  while (true) {
    try {
      const frame = await reader.readFrame();
      if (frame === null) return out;
      out.push({
        kind: "frame",
        lines: frame.lines,
        literals: frame.literals.map((l) => [...l]),
        size: frame.size,
      });
    } catch (error) {
      if (error instanceof LiteralTooLargeError) {
        out.push({
          kind: "too large",
          message: error.message,
          synchronizing: error.synchronizing,
          line: error.line,
        });
      } else if (error instanceof LineTooLongError) {
        out.push({ kind: "line too long", message: error.message });
      } else {
        throw error;
      }
    }
  }
}

/** The frames of a whole input with the server's own limits after login. */
function framesOf(input: Uint8Array): Frame[] {
  return referenceFrames(input, LIMITS.maxLineLength, {
    maxLiteralSize: LIMITS.maxLiteralSize,
    maxLiterals: LIMITS.maxLiterals,
    maxTotalLiteralSize: LIMITS.maxCommandLiteralSize,
    maxTextSize: LIMITS.maxCommandText,
  }).flatMap((o) =>
    o.kind === "frame"
      ? [{ lines: o.lines, literals: o.literals.map((l) => Uint8Array.from(l)), size: o.size }]
      : []
  );
}

// ---------------------------------------------------------------------------------------
// The parser's grammar, checked on what it returns.

/** Throw unless `values` could only have come from RFC 3501 9's grammar. */
function checkGrammar(values: readonly ImapValue[], depth = 0): void {
  if (depth > LIMITS.maxNesting) throw new Error(`Nesting ${depth} passed the limit`);
  for (const value of values) {
    switch (value.type) {
      case "atom":
        if (/[\0-\x20\x7f(){"]/.test(value.value)) {
          throw new Error(`Atom with a special character: ${JSON.stringify(value.value)}`);
        }
        if (value.value === "" && !value.section) throw new Error("Empty atom");
        if (value.section) checkGrammar(value.section, depth + 1);
        for (const n of value.partial ?? []) {
          if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Partial ${n}`);
        }
        break;
      case "string":
        // RFC 3501 9: a quoted string holds TEXT-CHARs, never NUL, CR or LF.
        if (/[\0\r\n]/.test(value.value)) {
          throw new Error(`Quoted string with NUL, CR or LF: ${JSON.stringify(value.value)}`);
        }
        break;
      case "list":
        checkGrammar(value.items, depth + 1);
        break;
    }
  }
}

/** Values in a form that compares equal when they mean the same (strings as octets). */
function canonical(value: ImapValue): unknown {
  switch (value.type) {
    case "atom":
      return ["atom", value.value, value.section?.map(canonical), value.partial];
    case "string":
      return ["string", [...enc.encode(value.value)].join()];
    case "literal":
      return [value.binary ? "literal8" : "string", [...value.value].join()];
    case "nil":
      return ["nil"];
    case "list":
      return ["list", value.items.map(canonical)];
  }
}

/** Parse a frame as the server does: tag, command name (after UID), arguments. */
function parseCommandFrame(frame: Frame): { name: string; args: ImapValue[] } | null {
  const parser = new Parser(frame, { nil: false });
  try {
    parser.readTag();
    if (parser.atEnd()) return null;
    let name = parser.readAtom().value.toUpperCase();
    if (name === "UID" && !parser.atEnd()) name = parser.readAtom().value.toUpperCase();
    return { name, args: parser.readAll() };
  } catch (error) {
    if (error instanceof ImapParseError) return null;
    throw error;
  }
}

/** Run the argument parsers on what they would see; only their own errors may come out. */
function parseArguments(name: string, args: readonly ImapValue[]): void {
  const tolerate = (fn: () => void, ...errors: (new (...a: never[]) => Error)[]) => {
    try {
      fn();
    } catch (error) {
      if (!errors.some((e) => error instanceof e)) throw error;
    }
  };
  const visit = (value: ImapValue) => {
    if (value.type === "atom") {
      if (/^[\d*:,]+$/.test(value.value)) {
        tolerate(() => {
          const set = parseSequenceSet(value.value);
          // Members among 1..20 come back the same after formatting and parsing again.
          const members = selectFrom(set, Array.from({ length: 20 }, (_, i) => i + 1));
          if (members.some((n) => n < 1 || n > 20)) throw new Error("Member out of range");
        }, SequenceSetError);
      }
      if (value.section) tolerate(() => parseSection(value.section!), SectionError);
    }
    if (value.type === "list") value.items.forEach(visit);
  };
  args.forEach(visit);
  if (name === "SEARCH") tolerate(() => parseSearch(args), SearchError);
}

// ---------------------------------------------------------------------------------------
// Random values for the compiler.

const valueTree: fc.Arbitrary<ImapValue> = fc.letrec<{ value: ImapValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atomChars.filter((a) => a.toUpperCase() !== "NIL" && !/[[\]]/.test(a)).map((value) => ({
      type: "atom" as const,
      value,
    })),
    fc.string({ unit: "binary", maxLength: 20 }).map((value) => ({
      type: "string" as const,
      value,
    })),
    fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.boolean()).map(([value, binary]) =>
      binary
        ? { type: "literal" as const, value, binary: true }
        : { type: "literal" as const, value }
    ),
    fc.constant({ type: "nil" as const }),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({ type: "list" as const, items })),
    fc.tuple(
      fc.constantFrom("BODY", "BODY.PEEK", "BINARY"),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
    ).map(([value, section, partial]) => ({
      type: "atom" as const,
      value,
      section: section.filter((v) => v.type !== "nil"),
      ...(partial ? { partial } : {}),
    })),
  ),
})).value;

// ---------------------------------------------------------------------------------------
// The server's output, read as a client does.

/**
 * Every response of a server's output: RFC 3501 7's three kinds. Returns them for the
 * caller's own checks; throws on anything a client could not read.
 */
function responsesOf(output: Uint8Array) {
  if (output.length && output.at(-1) !== 0x0a) {
    throw new Error(
      `Output does not end with CRLF: ${JSON.stringify(dec.decode(output.slice(-40)))}`,
    );
  }
  const stats = { bareLf: 0 };
  const frames = referenceFrames(output, Infinity, {
    maxLiteralSize: Infinity,
    maxLiterals: Infinity,
    maxTotalLiteralSize: Infinity,
    maxTextSize: Infinity,
  }, stats);
  if (stats.bareLf) throw new Error("A reply line ends with a bare LF");
  return frames.map((o) => {
    if (o.kind !== "frame") throw new Error("unreachable");
    const frame = { lines: o.lines, literals: o.literals.map((l) => Uint8Array.from(l)), size: 0 };
    for (const line of o.lines) {
      if (/[\0\r\n]/.test(line)) {
        throw new Error(`Reply line with CR or NUL: ${JSON.stringify(line)}`);
      }
    }
    const response = parseResponse(frame);
    if (
      response.tag !== "*" && response.tag !== "+" && !["OK", "NO", "BAD"].includes(response.type)
    ) {
      throw new Error(`Tagged reply that is not OK, NO or BAD: ${JSON.stringify(o.lines[0])}`);
    }
    return { response, line: o.lines[0] };
  });
}

/**
 * The Maildir every socket case starts from, built once (deliveries are fsynced, which
 * would cost more than the case): INBOX with three messages, and a folder "Archive".
 */
let template: Promise<string> | undefined;
function templateMaildir(): Promise<string> {
  return template ??= (async () => {
    const root = await Deno.makeTempDir({ dir: CASE_DIR, prefix: "imap-fuzz-template-" });
    const box = await new MailStore(root).mailbox("alice");
    await box.createFolder("Archive");
    for (const n of [1, 2, 3]) {
      await box.deliver(
        enc.encode(
          `From: a@example.org\r\nSubject: Message ${n}\r\nMessage-ID: <${n}@example.org>\r\n` +
            `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nBody ${n}\r\n--b--\r\n`,
        ),
      );
    }
    globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
    return root;
  })();
}

/**
 * Where the cases' Maildirs live: in memory (/dev/shm) when the machine has it, since the
 * server fsyncs what it writes and a disk would make that the cost of every case.
 */
const CASE_DIR = (() => {
  try {
    return Deno.statSync("/dev/shm").isDirectory ? "/dev/shm" : undefined;
  } catch {
    return undefined;
  }
})();

/** Copy a folder tree (files and folders only, as a Maildir holds). */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/** A server over a fresh copy of {@linkcode templateMaildir}, with alice's password "pw". */
async function imapFixture() {
  const root = await Deno.makeTempDir({ dir: CASE_DIR, prefix: "imap-fuzz-" });
  await copyTree(await templateMaildir(), root);
  const store = new MailStore(root);
  const errors: unknown[] = [];
  const server = serveImap({
    store,
    users: new Map([["alice", "pw"], ["alice@x", "s3cret"]]),
    pollIntervalMs: 1000,
    idleTimeoutMs: 10_000,
    maxLiteralSize: 4096,
    maxCommandLiteralSize: 8192,
    authFailureDelayMs: 0, // "LOGIN alice wrong" is in the corpus; the delay is tested elsewhere
    onError: (error) => errors.push(error),
  });
  return {
    server,
    errors,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** A second client is still served: it is greeted and its NOOP answered. */
async function stillServes(port: number): Promise<void> {
  using other = await rawConnection(port);
  await other.send("z NOOP\r\n");
  const reply = await other.until("z ");
  if (reply.at(-1) !== "z OK NOOP completed") {
    throw new Error(`Another client is not served: ${reply.join(" | ")}`);
  }
}

/**
 * A raw connection that reads whole responses (literals included), each checked as
 * {@linkcode responsesOf} checks a whole output.
 */
async function responseReader(port: number) {
  const conn = await connectLoopback(port);
  const reader = new FrameReader(conn, {
    maxLineLength: 1 << 20,
    idleTimeoutMs: 10_000,
    maxLiteralSize: 1 << 24,
    maxTotalLiteralSize: 1 << 24,
    maxTextSize: 1 << 24,
  });
  const next = async () => {
    const frame = await reader.readFrame();
    if (frame === null) return null;
    const lengths = frame.lines.reduce((n, line) => n + enc.encode(line).length + 2, 0) +
      frame.literals.reduce((n, l) => n + l.length, 0);
    if (lengths !== frame.size) throw new Error(`A reply line ends with a bare LF: ${frame.lines}`);
    const [{ response }] = responsesOf(piecesToBytes(
      frame.lines.map((line, i) => ({ text: line + "\r\n", literal: frame.literals[i] })),
    ));
    return response;
  };
  const greeting = await next();
  if (greeting?.type !== "OK") throw new Error(`Greeting ${JSON.stringify(greeting)}`);
  return {
    next,
    send: (text: string) => writeAll(conn, enc.encode(text)),
    [Symbol.dispose]: () => closeQuietly(conn),
  };
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });

export const IMAP_TARGETS: FuzzTarget[] = [
  {
    name: "IMAP framing (lines and literals in random chunks, against a whole-input reference)",
    kind: "pure",
    property: () =>
      fc.asyncProperty(
        clientInput,
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.oneof(fc.integer({ min: 4, max: 80 }), fc.constant(LIMITS.maxLineLength)),
        fc.record({
          maxLiteralSize: fc.oneof(fc.nat({ max: 40 }), fc.constant(LIMITS.maxLiteralSize)),
          maxLiterals: fc.oneof(fc.nat({ max: 4 }), fc.constant(LIMITS.maxLiterals)),
          maxTotalLiteralSize: fc.oneof(fc.nat({ max: 60 }), fc.constant(1 << 30)),
          maxTextSize: fc.oneof(fc.nat({ max: 100 }), fc.constant(LIMITS.maxCommandText)),
        }),
        fc.nat(),
        async (input, sizes, maxLineLength, limits, cut) => {
          const want = JSON.stringify(referenceFrames(input, maxLineLength, limits));
          // Random chunk sizes, and the input cut in two at one random place (a CRLF split
          // between its CR and LF, a literal split from its marker...).
          for (const chunks of [sizes, [cut % (input.length + 1) || 1, input.length + 1]]) {
            const got = JSON.stringify(await readerFrames(input, chunks, maxLineLength, limits));
            if (got !== want) {
              throw new Error(`FrameReader disagrees with the reference:\n${got}\n${want}`);
            }
          }
        },
      ),
  },
  {
    name: "IMAP command parser (values, sequence sets, sections, SEARCH keys)",
    kind: "pure",
    property: () =>
      fc.property(clientInput, (input) => {
        for (const frame of framesOf(input)) {
          const command = parseCommandFrame(frame);
          if (!command) continue;
          checkGrammar(command.args);
          // The compiler writes back what the parser read, and it reads the same again.
          const again = framesOf(piecesToBytes(compile(command.args)));
          if (again.length !== 1) throw new Error("Compiled arguments are not one frame");
          const reread = new Parser(again[0], { nil: false }).readAll();
          if (
            JSON.stringify(reread.map(canonical)) !== JSON.stringify(command.args.map(canonical))
          ) {
            throw new Error(
              `Parse, compile, parse differs:\n${JSON.stringify(command.args.map(canonical))}\n${
                JSON.stringify(reread.map(canonical))
              }`,
            );
          }
          parseArguments(command.name, command.args);
        }
      }),
  },
  {
    name: "IMAP compiler (random values through compile, framing and parser)",
    kind: "pure",
    property: () =>
      fc.property(fc.array(valueTree, { maxLength: 6 }), fc.boolean(), (values, literalPlus) => {
        const bytes = piecesToBytes(compile(values, { literalPlus }));
        const frames = framesOf(bytes);
        if (frames.length !== 1) throw new Error(`${frames.length} frames instead of one`);
        const back = new Parser(frames[0], { nil: true }).readAll();
        if (JSON.stringify(back.map(canonical)) !== JSON.stringify(values.map(canonical))) {
          throw new Error(
            `Round trip differs:\n${JSON.stringify(values.map(canonical))}\n${
              JSON.stringify(back.map(canonical))
            }`,
          );
        }
      }),
  },
  {
    name: "IMAP response parser (mutated server transcripts)",
    kind: "pure",
    property: () =>
      fc.property(mutated(IMAP_SERVER_TRANSCRIPTS, IMAP_TOKENS), (input) => {
        for (const frame of framesOf(input)) {
          try {
            const response = parseResponse(frame);
            if (!response.tag) throw new Error("Response without a tag");
          } catch (error) {
            if (!(error instanceof ImapParseError)) throw error;
          }
        }
      }),
  },
  {
    name: "IMAP server on a socket (random and mutated byte streams)",
    kind: "socket",
    property: () =>
      fc.asyncProperty(clientInput, chunkSizes, async (input, chunks) => {
        await using f = await imapFixture();
        const output = await sendAndDrainBytes(f.server.port, input, chunks);
        const responses = responsesOf(output);
        if (!responses[0]?.line.startsWith("* OK ")) {
          throw new Error(`No greeting: ${JSON.stringify(responses[0]?.line)}`);
        }
        await stillServes(f.server.port);
        if (f.errors.length) throw f.errors[0];
      }),
  },
  {
    name: "IMAP server command by command (each command its tagged reply)",
    kind: "socket",
    property: () =>
      fc.asyncProperty(
        fc.boolean(),
        fc.array(command, { minLength: 1, maxLength: 10 }),
        async (login, commands) => {
          await using f = await imapFixture();
          using wire = await responseReader(f.server.port);
          if (login) commands = ["LOGIN alice pw", ...commands];
          for (const [i, text] of commands.entries()) {
            const tag = `t${i}`;
            await wire.send(`${tag} ${text}\r\n`);
            let bye = false;
            while (true) {
              const response = await wire.next();
              if (response === null) throw new Error(`Closed without a reply to ${tag} ${text}`);
              if (response.tag === tag) break;
              if (response.tag === "+") {
                // IDLE waits for DONE; AUTHENTICATE for a response, "*" cancels it.
                await wire.send(/^IDLE/i.test(text) ? "DONE\r\n" : "*\r\n");
              } else if (response.tag !== "*") {
                throw new Error(`Reply to ${tag} ${text} with another tag: ${response.tag}`);
              } else if (response.type === "BYE") {
                // RFC 3501 7.1.5: BYE, then the tagged reply, then the server closes; we
                // send BYE for LOGOUT and after too many failed logins only.
                if (!/^(LOGOUT|LOGIN|AUTHENTICATE)/i.test(text)) {
                  throw new Error(`BYE after ${tag} ${text}`);
                }
                bye = true;
              }
            }
            if (bye) {
              const after = await wire.next();
              if (after !== null) throw new Error(`BYE, a reply, and then ${after.tag}`);
              break;
            }
          }
          await stillServes(f.server.port);
          if (f.errors.length) throw f.errors[0];
        },
      ),
  },
];
