import assert from "node:assert/strict";
import {
  countLines,
  fieldName,
  fieldValue,
  findField,
  findFields,
  headerFields,
  type MimeEntity,
  SCAN_LIMITS,
  scanMessage,
} from "./scan_message.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (bytes: Uint8Array, range: { start: number; end: number }) =>
  decoder.decode(bytes.subarray(range.start, range.end));

Deno.test("scanMessage() records header and body ranges of parts and nested messages", () => {
  const bytes = encoder.encode(
    'Subject: outer\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\npreamble\r\n' +
      "--x\r\nContent-Type: text/plain\r\n\r\nfirst\r\n" +
      "--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n" +
      "--x--\r\nepilogue\r\n",
  );
  const root = scanMessage(bytes);
  assert.equal(root.type, "multipart");
  assert.deepEqual(root.params, [["boundary", "x"]]);
  assert.equal(
    text(bytes, root.header),
    'Subject: outer\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n',
  );
  const [first, forwarded] = root.parts;
  assert.equal(text(bytes, first.header), "Content-Type: text/plain\r\n\r\n");
  assert.equal(text(bytes, first.body), "first");
  assert.equal(text(bytes, forwarded.body), "Subject: inner\r\n\r\ninner body");
  assert.equal(text(bytes, forwarded.message!.header), "Subject: inner\r\n\r\n");
  assert.equal(text(bytes, forwarded.message!.body), "inner body");
});

Deno.test("a delimiter line is the boundary alone, with transport padding at most (RFC 2046 5.1.1)", () => {
  const bytes = encoder.encode(
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
      "--b \t\r\n\r\none\r\n--bc\r\nstill one\r\n--b\r\n\r\ntwo\r\n--b--",
  );
  const parts = scanMessage(bytes).parts.map((p) => text(bytes, p.body));
  assert.deepEqual(parts, ["one\r\n--bc\r\nstill one", "two"]);
});

Deno.test("scanMessage() keeps the tree small: depth and part count are capped", async (t) => {
  await t.step("nesting stops at SCAN_LIMITS.depth", () => {
    let message = "body";
    for (let i = 0; i < SCAN_LIMITS.depth + 10; i++) {
      message =
        `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${message}\r\n--b${i}--`;
    }
    let depth = 0;
    for (let e: MimeEntity | undefined = scanMessage(encoder.encode(message)); e; e = e.parts[0]) {
      depth++;
    }
    assert.equal(depth, SCAN_LIMITS.depth + 1);
  });
  await t.step("parts past SCAN_LIMITS.parts are not split", () => {
    const bytes = encoder.encode(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
        "--b\r\n\r\nx\r\n".repeat(SCAN_LIMITS.parts + 500) + "--b--\r\n",
    );
    assert.equal(scanMessage(bytes).parts.length, SCAN_LIMITS.parts);
  });
});

Deno.test("Content-Type: comments and spaces are allowed, a broken value gives text/plain", () => {
  const of = (value: string) => {
    const e = scanMessage(encoder.encode(`Content-Type: ${value}\r\n\r\n`));
    return `${e.type}/${e.subtype}`;
  };
  assert.equal(of("Text/HTML (a comment) ; charset=utf-8"), "text/html");
  assert.equal(of("image / png"), "image/png");
  assert.equal(of("nonsense"), "text/plain");
  assert.equal(of(""), "text/plain");
});

Deno.test("headerFields() walks fields with their continuations and skips non-fields", () => {
  const bytes = encoder.encode(
    "From nobody Mon\r\nSubject: a\r\n\tlong one\r\n continued\r\nbad line\r\n more\r\nTo : b@c\r\n\r\nbody",
  );
  const header = scanMessage(bytes).header;
  const fields = [...headerFields(bytes, header)];
  assert.deepEqual(fields.map((f) => fieldName(bytes, f)), ["Subject", "To"]);
  assert.equal(fieldValue(bytes, fields[0]), "a\tlong one continued");
  assert.equal(fieldValue(bytes, findField(bytes, header, "TO")!), "b@c");
  assert.equal(findField(bytes, header, "Cc"), undefined);
});

Deno.test("fieldValue() reads UTF-8 (RFC 6532), and Latin-1 when the bytes are no UTF-8", () => {
  const utf8 = encoder.encode("Subject: 邮件\r\n\r\n");
  assert.equal(fieldValue(utf8, findField(utf8, scanMessage(utf8).header, "subject")!), "邮件");
  const latin1 = new Uint8Array([...encoder.encode("Subject: caf"), 0xe9, 13, 10, 13, 10]);
  assert.equal(
    fieldValue(latin1, findField(latin1, scanMessage(latin1).header, "subject")!),
    "café",
  );
});

Deno.test("findFields() takes the first of each name in one walk over a long header", () => {
  const bytes = encoder.encode(
    "a:\r\n".repeat(200_000) + "Subject: one\r\nSubject: two\r\nFrom: x@y\r\n\r\n",
  );
  const found = findFields(bytes, scanMessage(bytes).header, ["Subject", "from", "cc"]);
  assert.deepEqual([...found.keys()], ["subject", "from"]);
  assert.equal(fieldValue(bytes, found.get("subject")!), "one");
});

Deno.test("countLines() counts line breaks and a last unended line", () => {
  const bytes = encoder.encode("a\r\nb\r\nc");
  assert.equal(countLines(bytes, 0, bytes.length), 3);
  assert.equal(countLines(bytes, 0, 6), 2);
  assert.equal(countLines(bytes, 0, 0), 0);
});

Deno.test("an empty part right before a CRLF has an empty header (found by fuzzing)", () => {
  // The part between the two delimiters is empty; its header must not reach past it.
  const bytes = encoder.encode(
    "Content-Type: multipart/mixed; boundary=d\r\n\r\n--d\r\n--d\r\n\r\nx\r\n--d--",
  );
  const [empty, second] = scanMessage(bytes).parts;
  const at = decoder.decode(bytes).indexOf("--d\r\n") + 5;
  assert.deepEqual([empty.header, empty.body], [{ start: at, end: at }, { start: at, end: at }]);
  assert.equal(text(bytes, second.body), "x");
});
