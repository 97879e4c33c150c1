import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { decodeMailboxName, encodeMailboxName, Utf7Error } from "./utf7.ts";

Deno.test("encodeMailboxName() follows the examples of RFC 3501 5.1.3", () => {
  assertEquals(encodeMailboxName("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  assertEquals(encodeMailboxName("INBOX"), "INBOX");
  assertEquals(encodeMailboxName("A&B"), "A&-B");
});

Deno.test("decodeMailboxName() inverts encodeMailboxName()", () => {
  for (const name of ["Entwürfe", "收件箱", "R&D", "emoji 📬 box", "plain"]) {
    assertEquals(decodeMailboxName(encodeMailboxName(name)), name);
  }
});

Deno.test("decodeMailboxName() refuses broken shift sequences", () => {
  assertThrows(() => decodeMailboxName("&ZTZO9nux"), Utf7Error);
  assertThrows(() => decodeMailboxName("&Z!-"), Utf7Error);
});
