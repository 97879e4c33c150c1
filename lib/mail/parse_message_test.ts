import assert from "node:assert/strict";
import { parseMessage } from "./parse_message.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const slice = (bytes: Uint8Array, range: { start: number; end: number }) =>
  decoder.decode(bytes.subarray(range.start, range.end));

const NESTED = [
  "From: a@example.org",
  "Subject: =?UTF-8?B?5rWL6K+V?=",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "preamble, ignored",
  "--outer",
  'Content-Type: multipart/alternative; boundary="inner"',
  "",
  "--inner",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "caf=C3=A9",
  "--inner",
  "Content-Type: text/html; charset=gb2312",
  "Content-Transfer-Encoding: base64",
  "",
  "tefX09PKvP4=",
  "--inner--",
  "",
  "--outer",
  "Content-Type: application/octet-stream; name=data.bin",
  'Content-Disposition: attachment; filename="data.bin"',
  "Content-Transfer-Encoding: base64",
  "",
  "AAEC/w==",
  "--outer",
  "Content-Type: message/rfc822",
  "",
  "Subject: inner",
  "",
  "inner body",
  "--outer--",
  "epilogue",
].join("\r\n");

Deno.test("parseMessage() builds the MIME tree with decoded bodies", () => {
  const message = parseMessage(encoder.encode(NESTED));
  assert.equal(message.headers.get("from"), "a@example.org");
  assert.equal(message.contentType.subtype, "mixed");
  const [alternative, attachment, forwarded] = message.parts!;
  const [plain, html] = alternative.parts!;
  assert.equal(plain.text, "café");
  assert.equal(plain.transferEncoding, "quoted-printable");
  assert.equal(html.text, "电子邮件");
  assert.equal(attachment.filename, "data.bin");
  assert.equal(attachment.disposition?.type, "attachment");
  assert.deepEqual(attachment.body, new Uint8Array([0, 1, 2, 255]));
  assert.equal(forwarded.message?.headers.get("subject"), "inner");
  assert.equal(forwarded.message?.text, "inner body");
});

Deno.test("parseMessage() records byte ranges for IMAP BODY[section]", () => {
  const bytes = encoder.encode(NESTED);
  const message = parseMessage(bytes);
  assert.equal(message.header.start, 0);
  assert.match(slice(bytes, message.header), /^From: .*\r\n\r\n$/s);
  assert.equal(message.bodyRange.end, bytes.length);
  const [alternative, attachment, forwarded] = message.parts!;
  // BODY[1.1] and BODY[1.2]: encoded bodies, without the CRLF before the delimiter.
  assert.equal(slice(bytes, alternative.parts![0].bodyRange), "caf=C3=A9");
  assert.equal(slice(bytes, alternative.parts![1].bodyRange), "tefX09PKvP4=");
  // BODY[1.2.MIME]: the part's header with its blank line.
  assert.equal(
    slice(bytes, alternative.parts![1].header),
    "Content-Type: text/html; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n",
  );
  assert.equal(slice(bytes, attachment.bodyRange), "AAEC/w==");
  assert.equal(attachment.size, 8);
  assert.equal(attachment.lines, 1);
  assert.equal(slice(bytes, forwarded.bodyRange), "Subject: inner\r\n\r\ninner body");
  assert.equal(forwarded.lines, 3);
  assert.equal(slice(bytes, forwarded.message!.header), "Subject: inner\r\n\r\n");
  // The multipart/alternative body runs from the first inner delimiter to its close.
  assert.match(slice(bytes, alternative.bodyRange), /^--inner\r\n.*--inner--\r\n$/s);
});

Deno.test("parseMessage() reads a message without MIME headers as text/plain", () => {
  const message = parseMessage(encoder.encode("Subject: hi\n\nline 1\nline 2\n"));
  assert.deepEqual(message.contentType, {
    type: "text",
    subtype: "plain",
    params: { charset: "us-ascii" },
  });
  assert.equal(message.text, "line 1\nline 2\n");
  assert.equal(message.lines, 2);
  assert.equal(message.transferEncoding, "7bit");
});

Deno.test("parseMessage() survives malformed input", async (t) => {
  await t.step("no blank line: all header, empty body", () => {
    const m = parseMessage(encoder.encode("Subject: only headers\r\n"));
    assert.equal(m.headers.get("subject"), "only headers");
    assert.equal(m.size, 0);
  });
  await t.step("empty input", () => {
    const m = parseMessage(new Uint8Array());
    assert.equal(m.text, "");
    assert.equal(m.headers.fields.length, 0);
  });
  await t.step("multipart without a boundary parameter", () => {
    const m = parseMessage(encoder.encode("Content-Type: multipart/mixed\r\n\r\nbody"));
    assert.equal(m.parts, undefined);
    assert.equal(decoder.decode(m.body), "body");
  });
  await t.step("boundary never appears", () => {
    const m = parseMessage(encoder.encode("Content-Type: multipart/mixed; boundary=x\r\n\r\nbody"));
    assert.deepEqual(m.parts, []);
  });
  await t.step("missing close delimiter: the last part runs to the end", () => {
    const m = parseMessage(
      encoder.encode(
        "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\none\r\n--x\r\n\r\ntwo",
      ),
    );
    assert.deepEqual(m.parts!.map((p) => p.text), ["one", "two"]);
  });
  await t.step("bad base64 and an unknown charset still decode", () => {
    const m = parseMessage(
      encoder.encode(
        "Content-Type: text/plain; charset=x-klingon\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
          "aGVs!!bG8=garbage",
      ),
    );
    assert.equal(m.text, "hello");
  });
  await t.step("deep nesting stops at MAX_DEPTH instead of overflowing", () => {
    let text = "leaf";
    for (let i = 0; i < 200; i++) {
      text = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${text}\r\n--b${i}--`;
    }
    const m = parseMessage(encoder.encode(text));
    let depth = 0;
    for (let p = m; p.parts?.length; p = p.parts[0]) depth++;
    assert.equal(depth, 32);
  });
  await t.step("8-bit header bytes that are not UTF-8 read as Latin-1", () => {
    const bytes = new Uint8Array([...encoder.encode("Subject: caf"), 0xe9, 13, 10, 13, 10]);
    assert.equal(parseMessage(bytes).headers.get("subject"), "café");
  });
  await t.step("a huge header section", () => {
    const header = Array.from({ length: 50_000 }, (_, i) => `X-H${i}: ${"v".repeat(50)}`).join(
      "\r\n",
    );
    const m = parseMessage(encoder.encode(header + "\r\n\r\nbody"));
    assert.equal(m.headers.fields.length, 50_000);
    assert.equal(m.text, "body");
  });
});

Deno.test("parseMessage() defaults digest parts to message/rfc822", () => {
  const m = parseMessage(encoder.encode(
    "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nhi\r\n--d--\r\n",
  ));
  const [part] = m.parts!;
  assert.equal(`${part.contentType.type}/${part.contentType.subtype}`, "message/rfc822");
  assert.equal(part.message?.headers.get("subject"), "one");
});
