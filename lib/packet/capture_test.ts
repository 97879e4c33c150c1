import assert from "node:assert/strict";
import {
  CaptureError,
  captureLoopback,
  captureOrShipped,
  liveCaptureAvailable,
  shippedCapture,
} from "./capture.ts";
import { tcpSegments } from "./segments.ts";
import { connectLoopback, serveLoopback } from "../net/mod.ts";
import { requireTool } from "../../tests/tools.ts";

/** One line each way with a loopback echo server; returns the port. */
async function echoExchange(port: number): Promise<string> {
  using conn = await connectLoopback(port);
  await conn.write(new TextEncoder().encode("ping\r\n"));
  const buffer = new Uint8Array(16);
  const n = await conn.read(buffer);
  return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
}

function echoServer() {
  return serveLoopback(async (conn) => {
    const buffer = new Uint8Array(16);
    const n = await conn.read(buffer);
    if (n) await conn.write(buffer.subarray(0, n));
    await conn.read(buffer); // until the client closes
  });
}

Deno.test("shippedCapture() loads a fixture and refuses path tricks", async () => {
  const capture = await shippedCapture("smtp-session");
  assert.equal(capture.source, "shipped");
  assert.ok(capture.path.endsWith("fixtures/captures/smtp-session.pcap"));
  await assert.rejects(() => shippedCapture("../deno"), /not a capture name/);
});

Deno.test("captureOrShipped() falls back to the shipped capture and still runs the exchange", async () => {
  await using server = echoServer();
  const capture = await captureOrShipped(
    `tcp port ${server.port}`,
    () => echoExchange(server.port),
    "tcp-lifecycle",
    { preferShipped: true },
  );
  assert.equal(capture.source, "shipped");
  assert.equal(capture.result, "ping\r\n");
  assert.match(
    capture.reason,
    /^Shipped: live capture switched off; showing fixtures\/captures\/tcp-lifecycle\.pcap/,
  );
});

Deno.test("captureLoopback() says tcpdump is missing when it is", async () => {
  await assert.rejects(
    () => captureLoopback("tcp", () => Promise.resolve(), { tcpdump: "/nonexistent/tcpdump" }),
    (error: Error) =>
      error instanceof CaptureError && /cannot run \/nonexistent\/tcpdump/.test(error.message),
  );
});

Deno.test({
  name: "captureLoopback() captures every segment of a loopback exchange",
  ...requireTool("tcpdump"),
  async fn() {
    const available = await liveCaptureAvailable();
    if (!available.ok) {
      console.error(`NOTICE: live capture not permitted here: ${available.reason}`);
      return;
    }
    await using server = echoServer();
    const { result, pcap, source } = await captureLoopback(`tcp port ${server.port}`, async () => {
      const reply = await echoExchange(server.port);
      await server.close();
      return reply;
    });
    assert.equal(source, "live");
    assert.equal(result, "ping\r\n");
    const segments = tcpSegments(pcap);
    // SYN, SYN-ACK, ACK, data, ack, data, ack, then FINs and acks: at least 9.
    assert.ok(segments.length >= 9, `only ${segments.length} segments`);
    assert.ok(segments[0].flags.syn);
    assert.equal(segments.filter((s) => s.flags.fin).length, 2);
    assert.ok(
      segments.every((s) => s.from.endsWith(`:${server.port}`) || s.to.endsWith(`:${server.port}`)),
    );
  },
});

Deno.test({
  name: "captureLoopback() stops tcpdump when the exchange throws, and passes the error on",
  ...requireTool("tcpdump"),
  async fn() {
    if (!(await liveCaptureAvailable()).ok) return;
    await assert.rejects(
      () => captureLoopback("tcp port 9", () => Promise.reject(new Error("exchange broke"))),
      /exchange broke/,
    );
  },
});

Deno.test({
  name: "captureLoopback() reports a filter tcpdump rejects",
  ...requireTool("tcpdump"),
  async fn() {
    await assert.rejects(
      () => captureLoopback("tcp port banana", () => Promise.resolve()),
      (error: Error) =>
        error instanceof CaptureError && /tcpdump exited: .*banana/.test(error.message),
    );
  },
});
