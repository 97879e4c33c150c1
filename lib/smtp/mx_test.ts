import assert from "node:assert/strict";
import { serveLoopback } from "../net/mod.ts";
import { MemoryMailStore } from "./backend.ts";
import { sendMail } from "./client.ts";
import { mxRelay, type MxTable, nextHops, type RelayAttempt } from "./mx.ts";
import { receivedLines } from "./received.ts";
import { serveSmtp } from "./server.ts";

const table: MxTable = {
  "b.test": [
    { preference: 20, exchange: "backup.b.test" },
    { preference: 10, exchange: "mx.b.test" },
  ],
};

Deno.test("nextHops() sorts by preference, uses the implicit MX, and drops itself and worse", () => {
  assert.deepEqual(nextHops(table, "b.test").map((r) => r.exchange), [
    "mx.b.test",
    "backup.b.test",
  ]);
  assert.deepEqual(nextHops(table, "c.test"), [{ preference: 0, exchange: "c.test" }]);
  assert.deepEqual(nextHops(table, "b.test", "backup.b.test").map((r) => r.exchange), [
    "mx.b.test",
  ]);
  assert.deepEqual(nextHops(table, "b.test", "mx.b.test"), []);
});

Deno.test("mxRelay() relays hop to hop, each MTA adding its Received: line", async () => {
  // a.test (submission, AUTH) -> relay.test (relays for b.test) -> mx.b.test (delivers)
  const final = new MemoryMailStore();
  await using b = serveSmtp({
    hostname: "mx.b.test",
    domains: ["b.test"],
    store: final,
    users: new Map([["bob", "x"]]),
  });
  const hosts: Record<string, number> = { "mx.b.test": b.port };
  await using relay = serveSmtp({
    hostname: "relay.test",
    store: new MemoryMailStore(),
    domains: ["relay.test"],
    relayDomains: ["b.test"],
    relay: mxRelay({
      mx: { "b.test": [{ preference: 10, exchange: "mx.b.test" }] },
      hosts,
      self: "relay.test",
    }),
  });
  hosts["relay.test"] = relay.port;
  const attempts: RelayAttempt[] = [];
  await using a = serveSmtp({
    hostname: "mx.a.test",
    domains: ["a.test"],
    store: new MemoryMailStore(),
    users: new Map([["al", "pw"]]),
    relay: mxRelay({
      mx: { "b.test": [{ preference: 5, exchange: "relay.test" }] },
      hosts,
      self: "mx.a.test",
      onAttempt: (x) => attempts.push(x),
    }),
  });
  await sendMail({
    port: a.port,
    heloName: "laptop.a.test",
    auth: { username: "al", password: "pw" },
    from: "al@a.test",
    to: ["bob@b.test"],
    data: "Subject: chain\r\n\r\nhop hop\r\n",
  });
  const [message] = final.texts("bob");
  const trace = receivedLines(message);
  assert.equal(trace.length, 3);
  assert.match(trace[0], /^from relay\.test .* by mx\.b\.test with ESMTP /);
  assert.match(trace[1], /^from mx\.a\.test .* by relay\.test with ESMTP /);
  assert.match(trace[2], /^from laptop\.a\.test .* by mx\.a\.test with ESMTPA /);
  assert.equal(attempts[0].outcome, "delivered");
});

Deno.test("mxRelay() falls back to the next MX when one is down or refuses for now", async () => {
  const store = new MemoryMailStore();
  await using backup = serveSmtp({
    hostname: "backup.b.test",
    domains: ["b.test"],
    store,
    users: new Map([["bob", "x"]]),
  });
  // mx.b.test answers 421 at once: busy, try elsewhere.
  await using busy = serveLoopback(async (conn) => {
    await conn.write(new TextEncoder().encode("421 4.3.2 mx.b.test busy\r\n"));
  });
  const down = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const downPort = (down.addr as Deno.NetAddr).port;
  down.close(); // nothing listens here any more
  const attempts: RelayAttempt[] = [];
  const relay = mxRelay({
    mx: {
      "b.test": [
        { preference: 5, exchange: "dead.b.test" },
        { preference: 10, exchange: "mx.b.test" },
        { preference: 20, exchange: "backup.b.test" },
      ],
    },
    hosts: { "dead.b.test": downPort, "mx.b.test": busy.port, "backup.b.test": backup.port },
    self: "mx.a.test",
    onAttempt: (x) => attempts.push(x),
  });
  await relay(
    { from: "al@a.test", to: ["bob@b.test"] },
    new TextEncoder().encode("Subject: x\r\n\r\ny\r\n"),
  );
  assert.deepEqual(attempts.map((x) => `${x.exchange}:${x.outcome}`), [
    "dead.b.test:down",
    "mx.b.test:deferred",
    "backup.b.test:delivered",
  ]);
  assert.equal(store.messages("bob").length, 1);
});

Deno.test("mxRelay() stops at a permanent refusal and says 451 when nobody answers", async () => {
  await using strict = serveSmtp({
    hostname: "mx.b.test",
    domains: ["b.test"],
    store: new MemoryMailStore(),
  });
  const relay = mxRelay({
    mx: {
      "b.test": [{ preference: 10, exchange: "mx.b.test" }, {
        preference: 20,
        exchange: "backup.b.test",
      }],
    },
    hosts: { "mx.b.test": strict.port },
    self: "mx.a.test",
  });
  const message = new TextEncoder().encode("x\r\n");
  await assert.rejects(
    relay({ from: "a@a.test", to: ["nobody@b.test"] }, message),
    (e: Error & { code?: number }) => e.code === 550,
  );
  const nobody = mxRelay({ mx: {}, hosts: {}, self: "mx.a.test" });
  await assert.rejects(
    nobody({ from: "a@a.test", to: ["x@c.test"] }, message),
    /451 4\.4\.1 No mail exchange for c\.test/,
  );
});
