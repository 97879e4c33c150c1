/**
 * Dovecot's imaptest judges our IMAP server: every scripted test file it ships runs
 * against a fresh server, and the files that pass must be exactly those listed in
 * imaptest_expected.txt. A file that stops passing is a regression; a file that starts
 * passing is progress to record there (and in bench/README-imap.md, with
 * bench/imap/imaptest_compare.ts).
 *
 * imaptest is built by the shared build script (../shared/peer/imaptest, beside the
 * clone), cached outside the repository; it is required when CI=true.
 */
import { deepStrictEqual } from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { serveImap } from "../lib/imap/mod.ts";
import { buildImaptest, requireImaptest, runScripted } from "./imaptest.ts";

const EXPECTED = new URL("./imaptest_expected.txt", import.meta.url);

Deno.test({
  name: "imaptest's scripted files pass on our server exactly as imaptest_expected.txt lists",
  ...requireImaptest(),
  fn: async () => {
    const binary = await buildImaptest();
    const root = await Deno.makeTempDir({ prefix: "imaptest-mail-" });
    const out = await Deno.makeTempDir({ prefix: "imaptest-logs-" });
    try {
      await using server = serveImap({
        store: new MailStore(root),
        users: new Map([["imaptest", "pw"]]),
        onError: (error) => console.error("IMAP server error:", error),
      });
      const results = await runScripted(binary, server.port, "imaptest", "pw", out);
      const expected = (await Deno.readTextFile(EXPECTED)).split("\n")
        .map((line) => line.replace(/#.*/, "").trim()).filter(Boolean);
      const passing = results.filter((r) => r.status === "pass").map((r) => r.file);
      const lost = expected.filter((file) => !passing.includes(file));
      const gained = passing.filter((file) => !expected.includes(file));
      const why = await Promise.all(lost.map(async (file) => {
        const log = await Deno.readTextFile(`${out}/${file}.log`).catch(() => "(no log)");
        return `--- ${file}\n${
          log.split("\n").filter((l) => /failed|Error/.test(l)).slice(0, 8).join("\n")
        }`;
      }));
      console.log(
        `imaptest: ${passing.length} of ${results.length} files pass, ` +
          `${results.filter((r) => r.status === "skip").length} skipped`,
      );
      deepStrictEqual(lost, [], `files that no longer pass:\n${why.join("\n")}`);
      deepStrictEqual(gained, [], "files that now pass: add them to tests/imaptest_expected.txt");
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(out, { recursive: true });
    }
  },
});
