/**
 * The fuzzing harness: targets are fast-check properties; mutations start from real
 * transcripts; socket targets drive a real server and read everything it says.
 *
 * The only outcomes a target accepts are a value or the protocol's own error reply:
 * an exception, a reply that could not go on the wire, a hang (every socket step has a
 * deadline) or a report to the server's `onError` fails it.
 *
 * @module
 */
import fc from "fast-check";
import { closeQuietly, connectLoopback, withTimeout, writeAll } from "../../lib/net/mod.ts";

/** One thing to fuzz. */
export interface FuzzTarget {
  name: string;
  /** "pure": no I/O, cheap; "socket": a real server per case, slower. */
  kind: "pure" | "socket";
  property(): fc.IRawProperty<unknown, boolean>;
  /** Release what the property started (a peer process), after each run. */
  close?(): Promise<void>;
}

const enc = new TextEncoder();

/** One mutation of a byte string. */
type Mutation =
  | { op: "insert"; at: number; text: string }
  | { op: "delete"; at: number; length: number }
  | { op: "duplicate"; at: number; length: number }
  | { op: "flip"; at: number; byte: number };

/** What an insertion may add, besides random binary strings and overlong runs. */
const TOKENS = ["\r\n", "\n", "\r", "\0", ".", "\r\n.\r\n", "\n.\n", "=", " ", "\t", "*"];

const mutation = (tokens: readonly string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({
      op: fc.constant("insert" as const),
      at: fc.nat(),
      text: fc.oneof(
        fc.constantFrom(...tokens),
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.integer({ min: 100, max: 1200 }).map((n) => "y".repeat(n)),
      ),
    }),
    fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.nat({ max: 20 }) }),
    fc.record({
      op: fc.constant("duplicate" as const),
      at: fc.nat(),
      length: fc.nat({ max: 40 }),
    }),
    fc.record({ op: fc.constant("flip" as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
  );

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.length ? m.at % (bytes.length + 1) : 0;
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) out.set(p, (o += p.length) - p.length);
    return out;
  };
  switch (m.op) {
    case "insert":
      return join(bytes.subarray(0, at), enc.encode(m.text), bytes.subarray(at));
    case "delete":
      return join(bytes.subarray(0, at), bytes.subarray(at + m.length));
    case "duplicate":
      return join(bytes.subarray(0, at + m.length), bytes.subarray(at));
    case "flip": {
      const out = bytes.slice();
      if (at < out.length) out[at] = m.byte;
      return out;
    }
  }
}

/**
 * Real transcripts with a few random mutations applied; `tokens` are the protocol's own
 * syntax that insertions draw from (default: line endings, dots and a few specials).
 */
export function mutated(
  seeds: readonly string[],
  tokens: readonly string[] = TOKENS,
): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation(tokens), { maxLength: 6 })).map(
    ([seed, mutations]) => mutations.reduce(apply, enc.encode(seed)),
  );
}

/** Lines from `line`, each ended with CRLF (or, now and then, a bare LF), as bytes. */
export function bytesOf(line: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.tuple(line, fc.constantFrom("\r\n", "\r\n", "\r\n", "\n")), { maxLength: 20 })
    .map((pairs) => enc.encode(pairs.map(([l, end]) => l + end).join("")));
}

/** A source that hands out `input` in reads of the given sizes (cycled), then EOF. */
export function chunkedSource(input: Uint8Array, sizes: number[]) {
  let at = 0;
  let i = 0;
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      if (at >= input.length) return Promise.resolve(null);
      const n = Math.min(sizes[i++ % sizes.length], buffer.length, input.length - at);
      buffer.set(input.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
}

/**
 * Connect to `port`, send `input` in writes of the given sizes, close our sending side,
 * and read everything the server says until it closes. Deadline: 10 s.
 */
export async function sendAndDrain(
  port: number,
  input: Uint8Array,
  sizes: number[],
): Promise<string> {
  return new TextDecoder().decode(await sendAndDrainBytes(port, input, sizes));
}

/** {@linkcode sendAndDrain}, with the server's output as bytes (IMAP literals count octets). */
export async function sendAndDrainBytes(
  port: number,
  input: Uint8Array,
  sizes: number[],
): Promise<Uint8Array> {
  const conn = await connectLoopback(port);
  try {
    return await withTimeout(
      (async () => {
        const reading = (async () => {
          const chunks: Uint8Array[] = [];
          const buffer = new Uint8Array(16 * 1024);
          while (true) {
            const n = await conn.read(buffer).catch(() => null);
            if (n === null) break;
            chunks.push(buffer.slice(0, n));
          }
          const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          let at = 0;
          for (const c of chunks) out.set(c, (at += c.length) - c.length);
          return out;
        })();
        let at = 0;
        for (let i = 0; at < input.length; i++) {
          const n = Math.min(sizes[i % sizes.length], input.length - at);
          // The server may close first (QUIT, or a smuggling attempt): stop writing then.
          if (!(await writeAll(conn, input.subarray(at, at + n)).then(() => true, () => false))) {
            break;
          }
          at += n;
        }
        await conn.closeWrite().catch(() => {});
        return await reading;
      })(),
      10_000,
      "the server to answer and close",
    );
  } finally {
    closeQuietly(conn);
  }
}

/** What one target's run came to. */
export interface TargetReport {
  name: string;
  runs: number;
  failed: boolean;
  seconds: number;
  seed: number;
  counterexample?: string;
  error?: string;
}

/** Run each target for `runs` cases or `seconds`, whichever ends first. */
export async function runTargets(
  targets: readonly FuzzTarget[],
  options: { runs: number; seconds: number; seed?: number; socketRuns?: number },
): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  for (const target of targets) {
    const started = performance.now();
    const details = await Promise.resolve(fc.check(target.property(), {
      numRuns: target.kind === "socket" ? (options.socketRuns ?? options.runs) : options.runs,
      interruptAfterTimeLimit: options.seconds * 1000,
      markInterruptAsFailure: false,
      seed: options.seed,
      endOnFailure: true,
    })).finally(() => target.close?.());
    reports.push({
      name: target.name,
      runs: details.numRuns,
      failed: details.failed,
      seconds: (performance.now() - started) / 1000,
      seed: details.seed,
      counterexample: details.counterexample
        ? fc.stringify(details.counterexample).slice(0, 2000)
        : undefined,
      error: details.errorInstance ? String(details.errorInstance).slice(0, 2000) : undefined,
    });
  }
  return reports;
}
