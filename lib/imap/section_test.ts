import { deepStrictEqual, throws } from "node:assert/strict";
import { scanMessage, toCrlf } from "../mail/mod.ts";
import { parseSection, sectionBytes, SectionError } from "./section.ts";
import { atom, list } from "./values.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);
const INNER = "Subject: inner\r\n\r\ninner body\r\n";
const MESSAGE = enc(
  'Subject: outer\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\npreamble\r\n' +
    "--x\r\nContent-Type: text/plain\r\n\r\nfirst\r\n" +
    "--x\r\nContent-Type: message/rfc822\r\n\r\n" + INNER +
    "--x--\r\nepilogue\r\n",
);
const root = scanMessage(MESSAGE);
const get = (...values: Parameters<typeof parseSection>[0]) =>
  dec(sectionBytes(MESSAGE, root, parseSection(values)));

Deno.test("sectionBytes() returns parts by number, without the CRLF before the boundary", () => {
  deepStrictEqual(get(atom("1")), "first");
  deepStrictEqual(get(atom("1.MIME")), "Content-Type: text/plain\r\n\r\n");
  deepStrictEqual(get(atom("2")), INNER.replace(/\r\n$/, ""));
  deepStrictEqual(get(atom("3")), null);
});

Deno.test("sectionBytes() walks into message/rfc822 parts for HEADER and TEXT", () => {
  deepStrictEqual(get(atom("2.HEADER")), "Subject: inner\r\n\r\n");
  deepStrictEqual(get(atom("2.TEXT")), "inner body");
  deepStrictEqual(get(atom("1.HEADER")), null);
});

Deno.test("sectionBytes() filters header fields in and out", () => {
  deepStrictEqual(get(atom("HEADER.FIELDS"), list(atom("subject"))), "Subject: outer\r\n\r\n");
  deepStrictEqual(
    get(atom("HEADER.FIELDS.NOT"), list(atom("Subject"))),
    'Content-Type: multipart/mixed; boundary="x"\r\n\r\n',
  );
});

Deno.test("a single-part message has one part, numbered 1", () => {
  const single = enc("Subject: s\r\n\r\nbody\r\n");
  deepStrictEqual(
    dec(sectionBytes(single, scanMessage(single), parseSection([atom("1")]))),
    "body\r\n",
  );
});

Deno.test("parseSection() refuses unknown specifiers and part 0", () => {
  throws(() => parseSection([atom("FOO")]), SectionError);
  throws(() => parseSection([atom("0")]), SectionError);
  throws(() => parseSection([atom("MIME")]), SectionError);
  throws(() => parseSection([atom("HEADER.FIELDS")]), SectionError);
});

Deno.test("toCrlf() turns bare LF into CRLF and leaves CRLF alone", () => {
  deepStrictEqual(dec(toCrlf(enc("a\nb\r\nc\n"))), "a\r\nb\r\nc\r\n");
  const ok = enc("a\r\n");
  deepStrictEqual(toCrlf(ok), ok);
});
