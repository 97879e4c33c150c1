/**
 * Live captures on the loopback interface with tcpdump, and the shipped captures to fall
 * back on.
 *
 * A capture needs privileges (root, or CAP_NET_RAW and CAP_NET_ADMIN on tcpdump), which a
 * learner's machine may not grant. So a chapter asks {@linkcode captureOrShipped}: it
 * captures live when it can, and otherwise loads the capture the course recorded with
 * `tools/record_capture.ts`, saying which one the learner is looking at.
 *
 * How a live capture runs, and why:
 * - `tcpdump -i lo -U --immediate-mode -w - <filter>`: the pcap goes to stdout, one packet
 *   at a time (`-U`), each handed over as soon as the kernel has it (`--immediate-mode`;
 *   otherwise packets wait in the kernel's ring buffer for up to a second). Writing to a pipe
 *   rather than a temp file also sidesteps tcpdump dropping root to the `tcpdump` user
 *   before it opens its output file (a root-owned temp folder would refuse it).
 * - Start: wait for tcpdump's "listening on" line on stderr, printed once the filter is
 *   installed; an event, not a sleep.
 * - Stop: after `during`, one connection attempt to a port of ours serves as an end
 *   marker; once tcpdump has written it, everything before it is in. Then SIGINT, and wait
 *   for tcpdump to exit and stdout to end. (SIGINT alone loses packets: tcpdump exits
 *   without reading what is still queued for it; we saw 6 empty captures in 20.) On every
 *   path, errors included, the process is ended and awaited.
 *
 * @module
 */

import { dissectFrame } from "./dissect.ts";
import { type PcapFile, readPcap, writePcap } from "./pcap.ts";
import { TimeoutError } from "../net/timeout.ts";

/** What {@linkcode captureLoopback} returns. */
export interface LiveCapture<T> {
  /** What `during` returned. */
  result: T;
  pcap: PcapFile;
  /** The capture as a pcap file (tcpdump's output without the end-of-capture marker packets). */
  bytes: Uint8Array;
  source: "live";
}

/** A capture file the course ships in `fixtures/captures/`. */
export interface ShippedCapture {
  pcap: PcapFile;
  bytes: Uint8Array;
  source: "shipped";
  /** Where it was loaded from. */
  path: string;
}

/** Options for {@linkcode captureLoopback}. */
export interface CaptureOptions {
  /** Interface to capture on. Default `"lo"`. */
  interface?: string;
  /** tcpdump's path. Default: found on PATH or in /usr/sbin, /usr/bin, /sbin. */
  tcpdump?: string;
  /** Most time for tcpdump to start listening, and again to stop. Default 5000 ms. */
  timeoutMs?: number;
  /** Bytes kept per packet (`-s`). Default 262144, tcpdump's own default. */
  snapLength?: number;
}

/** tcpdump could not capture (missing, no permission, bad filter...). */
export class CaptureError extends Error {
  /** What tcpdump printed on stderr, if it ran. */
  readonly stderr: string;
  constructor(message: string, stderr = "") {
    super(message);
    this.name = "CaptureError";
    this.stderr = stderr;
  }
}

/** Find tcpdump: on PATH, or in the sbin folders that non-root PATHs often lack. */
export function findTcpdump(): string | null {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/usr/bin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/tcpdump`).isFile) return `${dir}/tcpdump`;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * Collects tcpdump's pcap output as it streams in and notices when a packet to or from
 * `markerPort` arrives: the sign that everything sent before the marker is in.
 */
class PcapStream {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #bytes = new Uint8Array(0);
  #scanned = 24; // next record header, after the global header
  #markerSeen: () => void = () => {};
  /** Settles once a marker packet has been written by tcpdump. */
  readonly marker: Promise<void>;

  constructor(readonly markerPort: number) {
    this.marker = new Promise((resolve) => this.#markerSeen = resolve);
  }

  async consume(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      this.#scan();
    }
  }

  get bytes(): Uint8Array {
    if (this.#bytes.length !== this.#size) {
      this.#bytes = new Uint8Array(this.#size);
      let at = 0;
      for (const chunk of this.#chunks) {
        this.#bytes.set(chunk, at);
        at += chunk.length;
      }
    }
    return this.#bytes;
  }

  #scan(): void {
    const bytes = this.bytes;
    if (bytes.length < 24) return;
    const view = new DataView(bytes.buffer);
    const little = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
    const linkType = view.getUint32(20, little) & 0x0fffffff;
    while (bytes.length - this.#scanned >= 16) {
      const length = view.getUint32(this.#scanned + 8, little);
      const start = this.#scanned + 16;
      if (bytes.length - start < length) return;
      if (isMarker(bytes.subarray(start, start + length), linkType, this.markerPort)) {
        this.#markerSeen();
      }
      this.#scanned = start + length;
    }
  }
}

/** Whether a frame is TCP to or from `port` (the end-of-capture marker). */
function isMarker(data: Uint8Array, linkType: number, port: number): boolean {
  try {
    const { tcp } = dissectFrame(data, linkType);
    return tcp !== null && (tcp.sourcePort === port || tcp.destinationPort === port);
  } catch {
    return false;
  }
}

/** Resolve with `promise`'s value, or with `fallback` after `ms`. Clears its timer. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<F>((resolve) => timer = setTimeout(() => resolve(fallback), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Capture loopback traffic matching `filter` (tcpdump/BPF syntax, e.g. `"tcp port 2525"`)
 * while `during` runs.
 *
 * @throws {CaptureError} tcpdump is missing, not permitted, rejects the filter, or fails
 *   to start or stop in time. Errors from `during` are passed through unchanged (after
 *   tcpdump is stopped).
 *
 * @example
 * ```ts ignore
 * import { captureLoopback } from "./capture.ts";
 * const { pcap } = await captureLoopback("tcp port 2525", async () => {
 *   // connect to 127.0.0.1:2525 and talk
 * });
 * console.log(pcap.packets.length);
 * ```
 */
export async function captureLoopback<T>(
  filter: string,
  during: () => Promise<T>,
  options: CaptureOptions = {},
): Promise<LiveCapture<T>> {
  const path = options.tcpdump ?? findTcpdump();
  if (!path) throw new CaptureError("Cannot capture: tcpdump is not installed");
  const timeoutMs = options.timeoutMs ?? 5000;
  // The end marker: one connection attempt to a listener of ours, sent after `during`.
  // tcpdump only reads its buffer when it wakes up; a SIGINT that arrives first makes it
  // exit without the packets still waiting. Seeing the marker in its output proves that
  // everything sent before it has been written.
  using marker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const markerPort = (marker.addr as Deno.NetAddr).port;
  const expression = filter.trim()
    ? `(${filter}) or (tcp and host 127.0.0.1 and port ${markerPort})`
    : "";
  const args = [
    "-i",
    options.interface ?? "lo",
    "-U",
    "--immediate-mode",
    "-n",
    "-s",
    String(options.snapLength ?? 262144),
    "-w",
    "-",
  ];
  if (expression) args.push(expression);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(path, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (error) {
    throw new CaptureError(`Cannot capture: cannot run ${path}: ${(error as Error).message}`);
  }
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stream = new PcapStream(markerPort);
  const output = stream.consume(child.stdout);
  let stderr = "";
  let onListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => onListening = resolve);
  const errors = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderr += text;
      if (stderr.includes("listening on")) onListening();
    }
  })();
  const said = () =>
    stderr.trim().split("\n").filter((l) => l && !/^\d+ packets/.test(l)).join("; ") ||
    "no message";
  const stop = async (): Promise<void> => {
    if (exited) return;
    try {
      child.kill("SIGINT");
    } catch {
      // exited between the check and the signal
    }
    if ((await within(status, timeoutMs, "late")) === "late") {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited just now
      }
      await status;
    }
  };
  try {
    const started = await within(
      Promise.race([
        listening.then(() => "listening" as const),
        status.then(() => "exited" as const),
      ]),
      timeoutMs,
      "late" as const,
    );
    if (started === "late") {
      throw new CaptureError(
        `Cannot capture: ${new TimeoutError("waiting for tcpdump to listen", timeoutMs).message}`,
        stderr,
      );
    }
    if (started === "exited") {
      await errors;
      throw new CaptureError(`Cannot capture: tcpdump exited: ${said()}`, stderr);
    }
    const result = await during();
    await sendMarker(markerPort, timeoutMs);
    const seen = await within(stream.marker.then(() => "seen" as const), timeoutMs, "late");
    if (seen === "late") {
      throw new CaptureError(
        `Cannot capture: tcpdump did not write the end-of-capture packet within ${timeoutMs} ms`,
        stderr,
      );
    }
    await stop();
    const code = (await status).code;
    await output;
    await errors;
    if (code !== 0) {
      throw new CaptureError(`Cannot capture: tcpdump exited with code ${code}: ${said()}`, stderr);
    }
    const bytes = stream.bytes;
    const all = readPcap(bytes);
    const packets = all.packets.filter((p) => !isMarker(p.data, all.linkType, markerPort));
    const pcap = { ...all, packets };
    return { result, pcap, bytes: writePcap(pcap), source: "live" };
  } finally {
    await stop();
    await Promise.allSettled([output, errors]);
  }
}

/** Open and close one connection to our marker listener: its SYN is the marker. */
async function sendMarker(port: number, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const connecting = Deno.connect({ hostname: "127.0.0.1", port, signal: abort.signal });
  const conn = await within(connecting, timeoutMs, null);
  if (conn) conn.close();
  else {
    abort.abort();
    await connecting.then((c) => c.close(), () => {});
  }
}

/**
 * Whether this machine lets us capture on loopback, and if not, why (tcpdump missing,
 * no permission...). It starts tcpdump for real and stops it at once.
 *
 * @example
 * ```ts ignore
 * import { liveCaptureAvailable } from "./capture.ts";
 * const { ok, reason } = await liveCaptureAvailable();
 * ```
 */
export async function liveCaptureAvailable(
  options: CaptureOptions = {},
): Promise<{ ok: boolean; reason: string }> {
  const path = options.tcpdump ?? findTcpdump();
  if (!path) return { ok: false, reason: "tcpdump is not installed" };
  try {
    // A filter that matches nothing we send: we only want to know tcpdump can listen.
    await captureLoopback("tcp port 9 and host 127.0.0.254", () => Promise.resolve(), options);
    return { ok: true, reason: `tcpdump (${path}) can capture on ${options.interface ?? "lo"}` };
  } catch (error) {
    const message = (error as Error).message;
    const permission = /permission|not permitted|privilege/i.test(message);
    return {
      ok: false,
      reason: permission ? `no permission to capture (${message})` : message,
    };
  }
}

/** Folder of the captures the course ships. */
export const CAPTURES_DIR: URL = new URL("../../fixtures/captures/", import.meta.url);

/**
 * Load `fixtures/captures/<name>.pcap`, recorded by `tools/record_capture.ts`.
 *
 * @example
 * ```ts
 * import { shippedCapture } from "./capture.ts";
 * const capture = await shippedCapture("smtp-session");
 * if (capture.source !== "shipped" || capture.pcap.packets.length === 0) throw new Error("empty");
 * ```
 */
export async function shippedCapture(name: string): Promise<ShippedCapture> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new TypeError(`Cannot load capture: ${JSON.stringify(name)} is not a capture name`);
  }
  const url = new URL(`${name}.pcap`, CAPTURES_DIR);
  const bytes = await Deno.readFile(url);
  return { pcap: readPcap(bytes), bytes, source: "shipped", path: url.pathname };
}

/** What {@linkcode captureOrShipped} returns: a capture and which kind it is. */
export interface ChapterCapture<T> {
  source: "live" | "shipped";
  pcap: PcapFile;
  bytes: Uint8Array;
  /** What `during` returned (it runs in both cases: only the capture differs). */
  result: T;
  /** Why live or shipped, in a sentence a learner can read. */
  reason: string;
}

/** Options for {@linkcode captureOrShipped}. */
export interface ChapterCaptureOptions extends CaptureOptions {
  /** Skip the live attempt (also when the environment sets `COURSE_LIVE_CAPTURE=0`). */
  preferShipped?: boolean;
}

/**
 * The one call chapters make: capture `during` live on loopback when this machine allows
 * it, else run `during` anyway and hand back the shipped capture `shippedName`, with a
 * `reason` saying which one the learner sees.
 *
 * @example
 * ```ts ignore
 * import { captureOrShipped } from "./capture.ts";
 * const capture = await captureOrShipped("tcp port 2525", talk, "smtp-session");
 * console.log(capture.source, capture.reason);
 * ```
 */
export async function captureOrShipped<T>(
  filter: string,
  during: () => Promise<T>,
  shippedName: string,
  options: ChapterCaptureOptions = {},
): Promise<ChapterCapture<T>> {
  let ran = false;
  let result: T | undefined;
  const run = async () => {
    ran = true;
    result = await during();
    return result;
  };
  let why: string;
  const forced = options.preferShipped || Deno.env.get("COURSE_LIVE_CAPTURE") === "0";
  if (forced) {
    why = "live capture switched off";
  } else {
    try {
      const live = await captureLoopback(filter, run, options);
      return {
        ...live,
        reason:
          `Live: tcpdump captured ${live.pcap.packets.length} packets of this very exchange on loopback.`,
      };
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error; // the experiment itself failed
      why = error.message;
    }
  }
  if (!ran) await run();
  const shipped = await shippedCapture(shippedName);
  return {
    source: "shipped",
    pcap: shipped.pcap,
    bytes: shipped.bytes,
    result: result as T,
    reason: `Shipped: ${why}; showing fixtures/captures/${shippedName}.pcap, ` +
      `recorded by the course from the same experiment (deno task record-captures).`,
  };
}
