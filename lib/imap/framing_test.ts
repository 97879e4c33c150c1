import { deepStrictEqual, rejects } from "node:assert/strict";
import { FrameReader, LiteralTooLargeError } from "./framing.ts";

/** A source that hands out the given chunks, then end of stream. */
function source(...chunks: string[]) {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read(buf: Uint8Array): Promise<number | null> {
      reads++;
      const next = queue.shift();
      if (!next) return Promise.resolve(null);
      buf.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("FrameReader reads a literal after the continuation callback", async () => {
  const asked: [number, boolean][] = [];
  const reader = new FrameReader(source("a APPEND INBOX {3}\r\n", "abc", "\r\nb NOOP\r\n"));
  const frame = await reader.readFrame((n, sync) => {
    asked.push([n, sync]);
  });
  deepStrictEqual(frame?.lines, ["a APPEND INBOX {3}", ""]);
  deepStrictEqual(new TextDecoder().decode(frame?.literals[0]), "abc");
  deepStrictEqual(asked, [[3, true]]);
  deepStrictEqual((await reader.readFrame())?.lines, ["b NOOP"]);
});

Deno.test("FrameReader tells non-synchronizing literals apart", async () => {
  const asked: boolean[] = [];
  const reader = new FrameReader(source("a LOGIN {4+}\r\nfred {2+}\r\npw\r\n"));
  const frame = await reader.readFrame((_, sync) => {
    asked.push(sync);
  });
  deepStrictEqual(frame?.lines, ["a LOGIN {4+}", " {2+}", ""]);
  deepStrictEqual(asked, [false, false]);
});

Deno.test("FrameReader refuses a huge literal before reading any of it", async () => {
  const src = source("a APPEND INBOX {4294967295}\r\n", "x".repeat(1000));
  const reader = new FrameReader(src, { maxLiteralSize: 1024 });
  const error = await rejects(
    reader.readFrame(() => {
      throw new Error("must not be asked");
    }),
    (e: unknown) => {
      return e instanceof LiteralTooLargeError && e.size === 4294967295 && e.synchronizing &&
        e.line === "a APPEND INBOX {4294967295}";
    },
  );
  deepStrictEqual(error, undefined);
  deepStrictEqual(src.reads, 1); // the literal's octets were never read
});

Deno.test("FrameReader returns null when the peer vanishes inside a literal", async () => {
  const reader = new FrameReader(source("a APPEND INBOX {10}\r\n", "abc"));
  deepStrictEqual(await reader.readFrame(), null);
});

Deno.test("FrameReader bounds a command's text besides its literals", async () => {
  // Lines under the line cap, each announcing a tiny literal, must not add up forever.
  const line = "y".repeat(40);
  const reader = new FrameReader(
    source(`a X ${line} {1+}\r\nx ${line} {1+}\r\nx ${line} {1+}\r\nx\r\nb NOOP\r\n`),
    { maxTextSize: 100 },
  );
  await rejects(reader.readFrame(), {
    name: "LiteralTooLargeError",
    message: "Command too long: 141 octets of text besides its literals, the limit is 100",
  });
});
