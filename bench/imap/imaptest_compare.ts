/**
 * Dovecot's imaptest scripted suite against our server and against a private Dovecot on
 * the same machine, in one run; the counts and the per-file verdicts are written into
 * bench/README-imap.md between its `imaptest:begin` and `imaptest:end` markers.
 *
 *   deno run -A bench/imap/imaptest_compare.ts
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { serveImap } from "../../lib/imap/mod.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { buildImaptest, type ImaptestResult, runScripted } from "../../tests/imaptest.ts";
import { recordBlock } from "../record.ts";

const USER = "imaptest";
const PASSWORD = "pw";
const README = new URL("../README-imap.md", import.meta.url);

async function judge(
  binary: string,
  serve: (root: string) => Promise<{ port: number } & AsyncDisposable>,
): Promise<ImaptestResult[]> {
  const root = await Deno.makeTempDir({ prefix: "imaptest-mail-" });
  const logs = await Deno.makeTempDir({ prefix: "imaptest-logs-" });
  try {
    await using server = await serve(root);
    return await runScripted(binary, server.port, USER, PASSWORD, logs);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(logs, { recursive: true });
  }
}

const count = (results: ImaptestResult[], status: ImaptestResult["status"]) =>
  results.filter((r) => r.status === status).length;

const binary = await buildImaptest();
const ours = await judge(binary, (root) =>
  Promise.resolve(serveImap({
    store: new MailStore(root),
    users: new Map([[USER, PASSWORD]]),
  })));
const dovecot = await judge(
  binary,
  (root) => startDovecot({ protocol: "imap", mailRoot: root, users: new Map([[USER, PASSWORD]]) }),
);

const version = new TextDecoder().decode(
  (await new Deno.Command("dovecot", { args: ["--version"], stdout: "piped" }).output()).stdout,
).trim();
const theirs = new Map(dovecot.map((r) => [r.file, r]));
const rows = ours.map((r) => {
  const d = theirs.get(r.file);
  return `| ${r.file} | ${r.status} | ${d?.status ?? "-"} |`;
});
const differing = ours.filter((r) => theirs.get(r.file)?.status !== r.status);
const block = [
  "<!-- imaptest:begin (written by bench/imap/imaptest_compare.ts) -->",
  "",
  `Run on ${
    new Date().toISOString().slice(0, 10)
  } (Deno ${Deno.version.deno}, Dovecot ${version}, ` +
  `imaptest 924f619), ${ours.length} scripted files:`,
  "",
  "| server | pass | fail | skip (capability not offered) |",
  "| ------ | ---: | ---: | ---: |",
  `| course server | ${count(ours, "pass")} | ${count(ours, "fail")} | ${count(ours, "skip")} |`,
  `| Dovecot | ${count(dovecot, "pass")} | ${count(dovecot, "fail")} | ${count(dovecot, "skip")} |`,
  "",
  ...(differing.length
    ? [
      "Files where the two differ:",
      "",
      "| file | course server | Dovecot |",
      "| ---- | ------------- | ------- |",
      ...rows.filter((_, i) => differing.includes(ours[i])),
    ]
    : ["No file differs: each one passes, or is skipped, on both servers alike."]),
  "",
  "<!-- imaptest:end -->",
].join("\n");

await recordBlock(README, "imaptest", block);
console.log(block);
