import assert from "node:assert/strict";
import { mailBackend, MemoryMailStore, splitAddress } from "./backend.ts";
import { SmtpError } from "./error.ts";

const client = { helo: "pc", address: "127.0.0.1" };

Deno.test("mailBackend() accepts local users in any local domain, case-insensitively", async () => {
  const store = new MemoryMailStore();
  const backend = mailBackend({
    store,
    users: new Map([["bob", "pw"]]),
    domains: ["mx.test", "Other.TEST"],
  });
  await backend.checkRecipient("bob@mx.test", client);
  await backend.checkRecipient("Bob@other.test", client);
  assert.throws(
    () => backend.checkRecipient("eve@mx.test", client),
    (e) => e instanceof SmtpError && e.enhanced === "5.1.1",
  );
  assert.throws(
    () => backend.checkRecipient("eve@far.test", client),
    (e) => e instanceof SmtpError && e.enhanced === "5.7.1",
  );
});

Deno.test("mailBackend() delivers once per user with a Return-Path", async () => {
  const store = new MemoryMailStore();
  const backend = mailBackend({ store, users: new Map([["bob", "pw"]]), domains: ["mx.test"] });
  await backend.store(
    { from: "", to: ["bob@mx.test", "BOB@mx.test"], body: "7BIT" },
    new TextEncoder().encode("x\r\n"),
    client,
  );
  assert.deepEqual(store.texts("bob"), ["Return-Path: <>\r\nx\r\n"]);
});

Deno.test("mailBackend() checks passwords exactly", () => {
  const backend = mailBackend({
    store: new MemoryMailStore(),
    users: new Map([["bob", "pw"]]),
    domains: [],
  });
  assert.equal(backend.authenticate("bob", "pw"), true);
  assert.equal(backend.authenticate("bob", "pw "), false);
  assert.equal(backend.authenticate("eve", "pw"), false);
});

Deno.test("splitAddress() splits at the last @", () => {
  assert.deepEqual(splitAddress('"a@b"@C.test'), { local: '"a@b"', domain: "c.test" });
});
