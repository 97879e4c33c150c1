import assert from "node:assert/strict";
import { ConnectionLimits } from "./connection_limits.ts";

Deno.test("ConnectionLimits admits up to the server's limit and the address's limit", () => {
  const limits = new ConnectionLimits({ maxConnections: 3, maxConnectionsPerAddress: 2 });
  assert.equal(limits.admit("127.0.0.1"), null);
  assert.equal(limits.admit("127.0.0.1"), null);
  assert.deepEqual(limits.admit("127.0.0.1"), { kind: "address", address: "127.0.0.1", limit: 2 });
  assert.equal(limits.admit("127.0.0.2"), null);
  assert.deepEqual(limits.admit("127.0.0.3"), { kind: "server", limit: 3 });
  assert.equal(limits.serving, 3, "a refusal takes no slot");
  limits.release("127.0.0.1");
  assert.equal(limits.admit("127.0.0.3"), null, "a released slot is free again");
});

Deno.test("ConnectionLimits refuses to release what it never admitted", () => {
  const limits = new ConnectionLimits();
  assert.throws(() => limits.release("127.0.0.1"), /No connection from 127.0.0.1/);
  assert.equal(limits.serving, 0);
});
