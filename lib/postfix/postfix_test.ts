import assert from "node:assert/strict";
import { startPostfix } from "./postfix.ts";

Deno.test("startPostfix() refuses names that would rewrite its config, before starting anything", async () => {
  const mailRoot = "/nonexistent/never-created";
  await assert.rejects(
    startPostfix({ mailRoot, domains: ["pf.test, evil.test=/etc/"], users: ["bob"] }),
    {
      name: "TypeError",
      message: 'Cannot start Postfix: domain "pf.test, evil.test=/etc/" is not a plain name',
    },
  );
  await assert.rejects(
    startPostfix({ mailRoot, domains: ["pf.test"], users: ["../bob"] }),
    { name: "TypeError", message: 'Cannot start Postfix: user "../bob" is not a plain name' },
  );
  await assert.rejects(
    startPostfix({ mailRoot, domains: ["pf.test"], users: ["bob"], relay: { "mx.test }": 25 } }),
    /domain "mx\.test }" is not a plain name/,
  );
});
