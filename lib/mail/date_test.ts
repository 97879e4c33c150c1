import assert from "node:assert/strict";
import { formatDate, parseDate } from "./date.ts";

Deno.test("formatDate() writes RFC 5322 3.3 dates with the offset", () => {
  const date = new Date("2024-02-29T23:05:09Z");
  assert.equal(formatDate(date, 0), "Thu, 29 Feb 2024 23:05:09 +0000");
  assert.equal(formatDate(date, 480), "Fri, 01 Mar 2024 07:05:09 +0800");
  assert.equal(formatDate(date, -330), "Thu, 29 Feb 2024 17:35:09 -0530");
  assert.match(
    formatDate(date),
    /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/,
  );
  assert.throws(() => formatDate(new Date("x")), RangeError);
});

Deno.test("parseDate() reads what formatDate() writes, and obsolete forms", () => {
  const date = new Date("2024-02-29T23:05:09Z");
  for (const offset of [0, 480, -330]) {
    assert.equal(parseDate(formatDate(date, offset))?.getTime(), date.getTime());
  }
  assert.equal(parseDate("1 Jan 99 00:00 GMT")?.toISOString(), "1999-01-01T00:00:00.000Z");
  assert.equal(
    parseDate("Mon, 1 Jan 2001 00:00:00 EST")?.toISOString(),
    "2001-01-01T05:00:00.000Z",
  );
  assert.equal(parseDate("not a date"), null);
  assert.equal(parseDate("1 Foo 2001 00:00:00 +0000"), null);
});
