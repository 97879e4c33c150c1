/**
 * Benchmark (not a test): would the journal gain from running several syncs at once?
 *
 *   deno run -A bench/smtp/sync_depth.ts [--rounds 3] [--record]
 *
 * K writers each write 8 KB (two messages) into their own part of a zero-filled file, as
 * the journal does, then `fdatasync` it, over and over, for K = 1, 2 and 4. With one sync
 * at a time, a message that arrives while a sync runs waits for the rest of it and then
 * for its own: a sync and a half on average. With K at a time it waits for its own only,
 * but each sync takes longer when the disk has several to do. The table gives both, and
 * `--record` writes it into bench/README-smtp.md between the sync-depth markers.
 *
 * @module
 */
import { recordBlock } from "../record.ts";

const arg = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 3);
const SYNCS = 2000;
const GROUP_BYTES = 8192;
const FILE_BYTES = 64 * 1024 * 1024;
const DEPTHS = [1, 2, 4];

/** `depth` writers for SYNCS syncs in all into `file`: syncs per second and the median sync, in µs. */
async function run(
  file: Deno.FsFile,
  depth: number,
): Promise<{ perSecond: number; medianUs: number }> {
  const group = new Uint8Array(GROUP_BYTES).fill(0x2a);
  const latencies: number[] = [];
  let position = 0;
  let started = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: depth }, async () => {
    while (started++ < SYNCS) {
      if (position + GROUP_BYTES > FILE_BYTES) position = 0;
      file.seekSync(position, Deno.SeekMode.Start);
      file.writeSync(group);
      position += GROUP_BYTES;
      const t = performance.now();
      await file.syncData();
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  return {
    perSecond: SYNCS / ((performance.now() - start) / 1000),
    medianUs: latencies[latencies.length >> 1] * 1000,
  };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const dir = await Deno.makeTempDir({
  dir: new URL("../../", import.meta.url).pathname,
  prefix: ".sync-depth-",
});
try {
  await Deno.writeFile(`${dir}/journal`, new Uint8Array(FILE_BYTES));
  using file = await Deno.open(`${dir}/journal`, { read: true, write: true });
  await file.sync();
  const results = new Map<number, { perSecond: number; medianUs: number }[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const depth of DEPTHS) {
      results.set(depth, [...results.get(depth) ?? [], await run(file, depth)]);
    }
  }
  const rows = DEPTHS.map((depth) => {
    const perSecond = median(results.get(depth)!.map((r) => r.perSecond));
    const medianUs = median(results.get(depth)!.map((r) => r.medianUs));
    // A message arriving at a random moment: with one sync at a time it waits for the
    // rest of the running one, half on average, then its own; with more, its own only.
    const waitUs = depth === 1 ? 1.5 * medianUs : medianUs;
    return `| ${depth} | ${fmt(perSecond)} | ${fmt(medianUs)} | ${fmt(waitUs)} |`;
  });
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const table = [
    `Syncs of 8 KB into a zero-filled file, ${SYNCS} per run, median of ${ROUNDS} runs, ${when} UTC; load average ${load} at the end.`,
    "",
    "| syncs at once | syncs per second | median sync, µs | a message's wait, µs |",
    "| --: | --: | --: | --: |",
    ...rows,
  ].join("\n");
  console.log(table);
  if (Deno.args.includes("--record")) {
    await recordBlock(
      new URL("../README-smtp.md", import.meta.url),
      "sync-depth",
      `<!-- sync-depth:begin (written by bench/smtp/sync_depth.ts --record) -->\n\n${table}\n\n<!-- sync-depth:end -->`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
