/**
 * Grader for the RFC 2047 subject encoder and the MIME multipart builder. The judge is a
 * real mail parser, Python's `email` package (policy "default", as modern Python mail
 * code uses it), run by the grader on generated subjects and letters; the RFCs' length
 * and 7-bit rules are checked here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { type Random, seededRandom } from "../seeded_random.ts";

type Impl = typeof import("../../exercises/03_smtp/mime_message.ts");
type Letter = Parameters<Impl["buildMultipart"]>[0];

const encoder = new TextEncoder();

/** Python reads each message (base64 in a JSON list) and says what it found. */
const JUDGE = `
import sys, json, base64, email
from email import policy
def defects(m): return [type(d).__name__ for d in m.defects]
out = []
for b64 in json.load(sys.stdin):
    msg = email.message_from_bytes(base64.b64decode(b64), policy=policy.default)
    subject = msg["subject"]
    found = {"subject": None if subject is None else str(subject), "contentType": msg.get_content_type(),
             "defects": defects(msg), "parts": []}
    if msg.is_multipart():
        for part in msg.iter_parts():
            found["parts"].append({"contentType": part.get_content_type(),
                "charset": part.get_content_charset(), "filename": part.get_filename(),
                "payload": base64.b64encode(part.get_payload(decode=True) or b"").decode(),
                "defects": defects(part)})
    out.append(found)
print(json.dumps(out))
`;

/** What Python's email package read. */
export interface Judged {
  subject: string | null;
  contentType: string;
  defects: string[];
  parts: {
    contentType: string;
    charset: string | null;
    filename: string | null;
    payload: string;
    defects: string[];
  }[];
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Hand messages to Python's email parser. */
export async function pythonReads(messages: readonly string[]): Promise<Judged[]> {
  let child;
  try {
    child = new Deno.Command("python3", {
      args: ["-c", JUDGE],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(`Cannot run python3, the judge of this check: ${(error as Error).message}`);
  }
  const writer = child.stdin.getWriter();
  await writer.write(
    encoder.encode(JSON.stringify(messages.map((m) => base64(encoder.encode(m))))),
  );
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`Python's email parser failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const POOLS = [
  ["mail", "journey", "hello", "MX", "report", "2026", "a", "long-word-without-breaks"],
  ["一封信", "的", "旅程", "你好", "世界", "邮件", "协议", "学习笔记"],
  ["Grüße", "café", "naïve", "Ærø", "señor"],
  ["📬", "✉️", "🚀", "👩‍💻"],
  ["=?", "?=", "=?UTF-8?B?", "_", "?", '"', "(x)"],
];

/** A generated subject: words from a few pools, joined by single spaces. */
export function generateSubject(random: Random, maxWords = 16): string {
  const pools = random.shuffle(POOLS).slice(0, random.int(1, 3));
  return Array.from({ length: random.int(1, maxWords) }, () => random.pick(random.pick(pools)))
    .join(random.pick([" ", " ", ""]));
}

/** A generated letter with 1 to 4 parts, text and binary. */
export function generateLetter(random: Random, maxBytes = 3000): Letter {
  const parts = Array.from({ length: random.int(1, 4) }, (_, i) => {
    if (i === 0 || random.chance(0.4)) {
      const lines = Array.from(
        { length: random.int(1, 12) },
        () =>
          random.pick(["", ".", "--", "From here", "x".repeat(random.int(0, 1100))]) + " " +
          generateSubject(random, 6),
      );
      return {
        contentType: random.pick(["text/plain", "text/html"]),
        content: lines.join(random.pick(["\r\n", "\n"])),
      };
    }
    const bytes = new Uint8Array(random.int(0, maxBytes)).map(() => random.int(0, 255));
    return {
      contentType: random.pick(["image/png", "application/pdf", "application/octet-stream"]),
      content: bytes,
      filename: `${random.pick(["photo", "notes", "report"])}-${i}.${
        random.pick(["png", "pdf", "bin"])
      }`,
    };
  });
  return { from: "alice@a.test", to: "bob@b.test", subject: generateSubject(random), parts };
}

/**
 * RFC 2047 5: "each 'encoded-word' MUST represent an integral number of characters". A
 * lenient reader (Python's among them) glues split characters back together; the rule
 * is checked here, on each word alone.
 */
function wholeCharacters(word: string): boolean {
  const [, charset, encoding, text] = word.split("?");
  if (!/^utf-?8$/i.test(charset)) return true;
  let raw = text;
  if (/^b$/i.test(encoding)) {
    try {
      raw = atob(text);
    } catch {
      return false;
    }
  } else {
    raw = text.replaceAll("_", " ").replace(
      /=([0-9A-Fa-f]{2})/g,
      (_, hex) => String.fromCharCode(parseInt(hex, 16)),
    );
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(raw, (c) => c.charCodeAt(0)));
    return true;
  } catch {
    return false;
  }
}

/** RFC 2047 2's lengths for the header line `Subject: <value>`. */
export function assertSubjectLengths(value: string, subject: string): void {
  const context = `subject ${JSON.stringify(subject)} became ${JSON.stringify(value)}`;
  assert.ok(/^[\x20-\x7e]*(\r\n[ \t][\x20-\x7e]*)*$/.test(value), `${context}: not folded ASCII`);
  const lines = `Subject: ${value}`.split("\r\n");
  for (const word of value.match(/=\?[^?]*\?[bBqQ]\?[^?]*\?=/g) ?? []) {
    assert.ok(
      word.length <= 75,
      `${context}: an encoded word of ${word.length} characters (max 75)`,
    );
    assert.ok(wholeCharacters(word), `${context}: ${word} holds part of a character (RFC 2047 5)`);
  }
  if (value.includes("=?")) {
    for (const line of lines) {
      assert.ok(line.length <= 76, `${context}: a line of ${line.length} characters (max 76)`);
    }
  }
}

/** The 7-bit, CRLF and line-length rules for a whole message. */
export function assertWireRules(message: string): void {
  assert.ok(
    ![...message].some((c) => c.charCodeAt(0) > 127),
    "the message has bytes above 127: not 7-bit",
  );
  assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(message), "the message has a bare CR or LF");
  const lines = message.split("\r\n");
  for (const line of lines) {
    assert.ok(line.length <= 998, `a line of ${line.length} characters (RFC 5322 2.1.1: 998)`);
  }
  const body = message.slice(message.indexOf("\r\n\r\n") + 4);
  for (const line of body.split("\r\n")) {
    if (/^[A-Za-z0-9+/]+=*$/.test(line)) {
      assert.ok(line.length <= 76, `a base64 line of ${line.length} characters (RFC 2045 6.8: 76)`);
    }
  }
}

/** Compare what Python read with the letter. */
export function assertReadBack(judged: Judged, letter: Letter): void {
  assert.deepEqual(judged.defects, [], `Python found defects in the message: ${judged.defects}`);
  assert.equal(judged.subject, letter.subject, "the subject reads back differently");
  assert.equal(judged.contentType, "multipart/mixed");
  assert.equal(judged.parts.length, letter.parts.length, "Python found another number of parts");
  letter.parts.forEach((part, i) => {
    const got = judged.parts[i];
    const bytes = typeof part.content === "string" ? encoder.encode(part.content) : part.content;
    assert.deepEqual(got.defects, [], `part ${i + 1}: defects ${got.defects}`);
    assert.equal(got.contentType, part.contentType, `part ${i + 1}: content type`);
    if (typeof part.content === "string") {
      assert.equal(got.charset, "utf-8", `part ${i + 1}: text needs charset=utf-8`);
    }
    assert.equal(got.filename, part.filename ?? null, `part ${i + 1}: filename`);
    assert.equal(got.payload, base64(bytes), `part ${i + 1}: the content reads back changed`);
  });
}

export default defineExercise<Impl>({
  title: "A Chinese subject and a message with attachments",
  hints: [
    'Encoded word: "=?UTF-8?B?" + base64 of the UTF-8 bytes + "?=". At most 75 characters each, so each word carries only a few dozen bytes; a line holding one is at most 76 characters.',
    "Cut by characters, not bytes or UTF-16 units: `for (const ch of text)` walks code points; encode each and start a new word when the next one would not fit. Spaces belong inside words: white space between two encoded words disappears when decoding.",
    'Multipart: a boundary that cannot occur in base64 (it may contain "=_"); each part: "--boundary", its headers, a blank line, its base64 in 76-character lines; finally "--boundary--". Join everything with "\\r\\n".',
  ],
  checks: [
    {
      name: "encodeSubject() leaves short plain ASCII as it is",
      points: 1,
      hint: 'Printable ASCII without "=?" needs no encoding.',
      run: (impl) => {
        for (const subject of ["Hello", "Re: minutes of Monday's meeting", ""]) {
          assert.equal(impl.encodeSubject(subject), subject);
        }
      },
    },
    {
      name: "Python's email package reads generated subjects back exactly",
      // Generated cases, each read back by a Python process: more than the default 5 s on a
      // busy machine, even for a right answer.
      timeoutMs: 20_000,
      points: 3,
      hint: "Encode every non-ASCII subject whole; keep the spaces inside the encoded words.",
      run: async (impl) => {
        const random = seededRandom(331);
        const subjects = Array.from({ length: 120 }, () => generateSubject(random));
        const judged = await pythonReads(
          subjects.map((s) => `Subject: ${impl.encodeSubject(s)}\r\n\r\nbody\r\n`),
        );
        subjects.forEach((subject, i) => {
          assert.equal(judged[i].subject, subject, `encoded as ${impl.encodeSubject(subject)}`);
          assert.deepEqual(judged[i].defects, [], `defects for ${JSON.stringify(subject)}`);
        });
      },
    },
    {
      name: "encoded words stay within 75 characters and lines within 76 (generated)",
      points: 2,
      hint: "RFC 2047 2: fold long subjects into several encoded words, one per line.",
      run: (impl) => {
        const random = seededRandom(332);
        for (let i = 0; i < 200; i++) {
          const subject = generateSubject(random, 40);
          assertSubjectLengths(impl.encodeSubject(subject), subject);
        }
      },
    },
    {
      name: "Python's email package reads generated letters back: parts, types, files, bytes",
      points: 4,
      // Generated cases, each read back by a Python process: more than the default 5 s on a
      // busy machine, even for a right answer.
      timeoutMs: 20_000,
      hint:
        'One boundary line per part, a blank line after each part\'s headers, base64 content, and the closing "--boundary--".',
      run: async (impl) => {
        const random = seededRandom(333);
        const letters = Array.from({ length: 25 }, () => generateLetter(random));
        const judged = await pythonReads(letters.map((l) => impl.buildMultipart(l)));
        letters.forEach((letter, i) => assertReadBack(judged[i], letter));
      },
    },
    {
      name: "buildMultipart() writes 7-bit CRLF lines, base64 within 76 characters",
      points: 2,
      hint:
        "Encode text parts too (base64 or quoted-printable); cut base64 into 76-character lines.",
      run: (impl) => {
        const random = seededRandom(334);
        for (let i = 0; i < 25; i++) assertWireRules(impl.buildMultipart(generateLetter(random)));
      },
    },
  ],
});
