import assert from "node:assert/strict";
import { DEFAULT_USERS, labUsage, parseLabArgs } from "./args.ts";
import { LAB_SERVICES } from "./services.ts";

Deno.test("parseLabArgs() reads users, ports, folder and domains", () => {
  const a = parseLabArgs(
    [
      "--folder",
      "/tmp/x",
      "--user",
      "ann:pa:ss",
      "--user=ben:pw",
      "--smtp-port",
      "0",
      "--domain",
      "Lab.TEST",
    ],
    LAB_SERVICES,
  );
  assert.equal(a.folder, "/tmp/x");
  assert.deepEqual([...a.users], [["ann", "pa:ss"], ["ben", "pw"]]);
  assert.deepEqual(a.ports, { smtp: 0 });
  assert.deepEqual(a.domains, ["lab.test"]);
});

Deno.test("parseLabArgs() gives defaults", () => {
  const a = parseLabArgs([], LAB_SERVICES);
  assert.deepEqual(a.users, new Map(DEFAULT_USERS));
  assert.deepEqual(a.domains, ["localhost"]);
  assert.equal(a.folder, "lab-mail");
});

Deno.test("parseLabArgs() names the bad flag", () => {
  assert.throws(
    () => parseLabArgs(["--user", "nopassword"], LAB_SERVICES),
    /Bad --user "nopassword"/,
  );
  assert.throws(() => parseLabArgs(["--user", "../x:pw"], LAB_SERVICES), /Bad --user name/);
  assert.throws(() => parseLabArgs(["--smtp-port", "99999"], LAB_SERVICES), /Bad --smtp-port/);
  assert.throws(
    () => parseLabArgs(["--smtp-port"], LAB_SERVICES),
    /Missing value after --smtp-port/,
  );
  assert.throws(
    () => parseLabArgs(["--pop9-port", "1"], LAB_SERVICES),
    /Unknown option --pop9-port/,
  );
});

Deno.test("labUsage() lists a port flag per service", () => {
  assert.match(labUsage(LAB_SERVICES), /--smtp-port N/);
});
