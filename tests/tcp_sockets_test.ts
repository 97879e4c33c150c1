/**
 * The chapter 2 experiments on real sockets on 127.0.0.1.
 */
import assert from "node:assert/strict";
import {
  clientReset,
  halfCloseExperiment,
  measureConnectLatency,
  serverEnding,
  timeWaitExperiment,
} from "../lib/tcp/mod.ts";

const linux = Deno.build.os === "linux";

Deno.test("half-close: data written after the client's FIN still reaches the client", async () => {
  const result = await halfCloseExperiment({ request: "EHLO\r\n", reply: ["a", "bb", "ccc"] });
  assert.equal(result.serverReceived, "EHLO\r\n");
  assert.ok(result.serverSawEof, "the server read the client's FIN before answering");
  assert.equal(result.clientReceivedAfterFin, "abbccc");
});

Deno.test("orderly close: the peer reads EOF", async () => {
  const result = await serverEnding("close (orderly)");
  assert.equal(result.peerRead, "EOF");
});

Deno.test("resetAndDestroy(): the peer's read fails with ConnectionReset", async () => {
  const result = await clientReset();
  assert.equal(result.peerRead, "ConnectionReset");
});

Deno.test({
  name: "close with unread data: Linux resets the connection, so the peer's writes fail",
  ignore: !linux,
  fn: async () => {
    const result = await serverEnding("close with unread data");
    // Deno shuts the write side first (FIN), so the read sees EOF; the RST that follows
    // makes writing fail.
    assert.equal(result.peerRead, "EOF");
    assert.notEqual(result.peerWrites.at(-1), "ok");
  },
});

Deno.test("measureConnectLatency() times every connect", async () => {
  const times = await measureConnectLatency(20);
  assert.equal(times.length, 20);
  for (const t of times) assert.ok(t >= 0 && t < 3000, String(t));
  await assert.rejects(() => measureConnectLatency(0), /Cannot measure 0 connections/);
});

Deno.test({
  name: "TIME-WAIT appears in /proc/net/tcp on the side that closed first",
  ignore: !linux,
  fn: async (t) => {
    for (const closer of ["client", "server"] as const) {
      await t.step(`${closer} closes first`, async () => {
        const result = await timeWaitExperiment(closer);
        assert.ok(result.available, result.reason);
        assert.deepEqual(result.inTimeWait, [closer]);
        const row = result.entries.find((e) => e.state === "TIME-WAIT")!;
        assert.equal(row.local, closer === "client" ? result.client : result.server);
        assert.ok(row.timerSeconds > 0);
      });
    }
  },
});

Deno.test("half-close: `around` wraps the client part and must run it", async () => {
  let seenPort = 0;
  const result = await halfCloseExperiment({
    reply: ["x"],
    around: async (port, client) => {
      seenPort = port;
      await client();
    },
  });
  assert.equal(result.port, seenPort);
  assert.equal(result.clientReceivedAfterFin, "x");
  await assert.rejects(
    () => halfCloseExperiment({ around: () => Promise.resolve() }),
    /never ran the client/,
  );
});
