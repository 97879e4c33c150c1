import assert from "node:assert/strict";
import { IdleTimeoutError, LineReader, LineTooLongError } from "./line_reader.ts";

/** A source that hands out the given chunks one read at a time, then EOF. */
function chunks(...parts: string[]) {
  const queue = parts.map((p) => new TextEncoder().encode(p));
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const next = queue.shift();
      if (!next) return Promise.resolve(null);
      if (next.length > buffer.length) {
        queue.unshift(next.subarray(buffer.length));
        buffer.set(next.subarray(0, buffer.length));
        return Promise.resolve(buffer.length);
      }
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("LineReader.readLine() joins a line split across reads", async () => {
  const reader = new LineReader(chunks("EH", "LO exa", "mple\r", "\nQUIT\r\n"));
  assert.deepEqual((await reader.readLine())?.text, "EHLO example");
  assert.deepEqual((await reader.readLine())?.text, "QUIT");
  assert.equal(await reader.readLine(), null);
});

Deno.test("LineReader.readLine() tells CRLF from a bare LF", async () => {
  const reader = new LineReader(chunks("a\r\nb\nc\r\r\n"));
  assert.equal((await reader.readLine())?.ending, "CRLF");
  const bare = await reader.readLine();
  assert.equal(bare?.ending, "LF");
  assert.equal(bare?.text, "b");
  // A CR that is not right before the LF stays in the line (SMTP smuggling hides there).
  assert.deepEqual([...(await reader.readLine())!.bytes], [0x63, 0x0d]);
});

Deno.test("LineReader.readLine() skips an overlong line and reads on", async () => {
  const long = "x".repeat(5000);
  const reader = new LineReader(chunks(long.slice(0, 3000), long.slice(3000) + "\r\nNOOP\r\n"), {
    maxLineLength: 100,
  });
  await assert.rejects(reader.readLine(), (error: unknown) => {
    assert.ok(error instanceof LineTooLongError);
    assert.equal(error.length, 5000);
    return true;
  });
  assert.equal((await reader.readLine())?.text, "NOOP");
});

Deno.test("LineReader.readLine() accepts a line of exactly the limit", async () => {
  const reader = new LineReader(chunks("y".repeat(100) + "\r\n"), { maxLineLength: 100 });
  assert.equal((await reader.readLine())?.text.length, 100);
});

Deno.test("LineReader.readLine() drops a partial line at end of stream", async () => {
  const reader = new LineReader(chunks("DATA\r\nhalf a li"));
  assert.equal((await reader.readLine())?.text, "DATA");
  assert.equal(await reader.readLine(), null);
});

Deno.test("LineReader.readBytes() reads exact counts after a line", async () => {
  const reader = new LineReader(chunks("A1 APPEND {5}\r\nhel", "lo)\r\n"));
  assert.equal((await reader.readLine())?.text, "A1 APPEND {5}");
  assert.equal(new TextDecoder().decode((await reader.readBytes(5))!), "hello");
  assert.equal((await reader.readLine())?.text, ")");
});

Deno.test("LineReader gives up on a silent peer after the idle timeout", async () => {
  let pending: ((n: number | null) => void) | undefined;
  const silent = { read: () => new Promise<number | null>((resolve) => pending = resolve) };
  const reader = new LineReader(silent, { idleTimeoutMs: 20 });
  await assert.rejects(reader.readLine(), IdleTimeoutError);
  await assert.rejects(reader.readLine(), /earlier read timed out/);
  pending?.(null); // what closing the connection does to the pending read
});
