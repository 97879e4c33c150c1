import assert from "node:assert/strict";
import {
  formatRfc5322Date,
  prependHeaders,
  receivedHeader,
  receivedLines,
  returnPathHeader,
} from "./received.ts";

Deno.test("formatRfc5322Date() writes day, date, time and zone", () => {
  assert.equal(
    formatRfc5322Date(new Date(Date.UTC(2024, 1, 29, 23, 59, 0))),
    "Thu, 29 Feb 2024 23:59:00 +0000",
  );
});

Deno.test("receivedHeader() says ESMTPA after AUTH and names the recipient", () => {
  const h = receivedHeader({
    helo: "pc.test",
    clientAddress: "127.0.0.1",
    by: "mx.test",
    esmtp: true,
    authenticated: true,
    id: "Q1",
    for: "bob@mx.test",
    date: new Date(Date.UTC(2025, 0, 1)),
  });
  assert.equal(
    h,
    "Received: from pc.test ([127.0.0.1])\r\n\tby mx.test with ESMTPA id Q1\r\n\tfor <bob@mx.test>;\r\n\tWed, 1 Jan 2025 00:00:00 +0000\r\n",
  );
});

Deno.test("receivedLines() unfolds the trace, newest first", () => {
  const message = prependHeaders(
    new TextEncoder().encode(
      "Received: from a\r\n\tby b; x\r\nSubject: s\r\n\r\nReceived: not a header\r\n",
    ),
    returnPathHeader("al@a.test"),
    "Received: from b\r\n by c; y\r\n",
  );
  assert.deepEqual(receivedLines(message), ["from b by c; y", "from a by b; x"]);
});
