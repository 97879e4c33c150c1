import assert from "node:assert/strict";
import { parseProcNetTcp, readSocketTable } from "./socket_table.ts";

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

Deno.test("parseProcNetTcp() decodes IPv4 rows, states and timers", () => {
  const rows = parseProcNetTcp(
    HEADER +
      "   0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1\n" +
      "   1: 0100007F:9C40 0100007F:0019 06 00000000:00000000 03:000016A8 00000000     0        0 0 3\n",
  );
  assert.deepEqual(rows, [
    {
      local: "127.0.0.1:25",
      remote: "0.0.0.0:0",
      state: "LISTEN",
      kernelState: "LISTEN",
      timerSeconds: 0,
    },
    {
      local: "127.0.0.1:40000",
      remote: "127.0.0.1:25",
      state: "TIME-WAIT",
      kernelState: "TIME_WAIT",
      timerSeconds: 58,
    },
  ]);
});

Deno.test("parseProcNetTcp() decodes IPv6 rows", () => {
  const rows = parseProcNetTcp(
    HEADER +
      "   0: 00000000000000000000000001000000:0050 0000000000000000FFFF00000100007F:A000 01 00000000:00000000 00:00000000 00000000 0 0 1 1\n",
    "/proc/net/tcp6",
  );
  assert.equal(rows[0].local, "[::1]:80");
  assert.equal(rows[0].remote, "[::ffff:127.0.0.1]:40960");
  assert.equal(rows[0].state, "ESTABLISHED");
});

Deno.test("parseProcNetTcp() names the line of a bad row", () => {
  assert.throws(
    () => parseProcNetTcp(HEADER + "garbage\n"),
    /too few fields at \/proc\/net\/tcp line 2/,
  );
  assert.throws(
    () => parseProcNetTcp(HEADER + "   0: 0100007F:19 00000000:0000 0A 0:0 00:0 0 0 0 1\n"),
    /bad address "0100007F:19" at \/proc\/net\/tcp line 2/,
  );
});

Deno.test("readSocketTable() says clearly when there is no table", async () => {
  const table = await readSocketTable(["/nonexistent/tcp"]);
  assert.equal(table.available, false);
  if (!table.available) assert.match(table.reason, /^not available here/);
});

Deno.test({
  name: "readSocketTable() reads the live table on Linux",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const table = await readSocketTable();
    assert.ok(table.available);
  },
});
