import assert from "node:assert/strict";
import { fileGroup, FilerThread } from "./filing.ts";
import { Maildir } from "./maildir.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withMaildir(fn: (box: Maildir) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "filing-" });
  try {
    await fn(await Maildir.open(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const group = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `1700000000.M${i}P1Q${i}.example`,
    bytes: encoder.encode(`Subject: ${i}\r\n\r\n${"x".repeat(i * 100)}\r\n`),
  }));

Deno.test("fileGroup() puts every message of the group whole into new/ and leaves tmp/ empty", async () => {
  await withMaildir(async (box) => {
    const messages = group(20);
    await fileGroup(box.root, messages);
    const listed = await box.list();
    assert.equal(listed.length, messages.length);
    for (const { id, bytes } of messages) assert.deepEqual(await box.read(id), bytes);
    assert.deepEqual([...Deno.readDirSync(`${box.root}/tmp`)], []);
  });
});

Deno.test("FilerThread files groups on its own thread, in parallel, and reports failures with their error class", async () => {
  await withMaildir(async (box) => {
    const thread = new FilerThread();
    try {
      const [a, b] = [group(5), group(10).slice(5)];
      await Promise.all([thread.file(box.root, a), thread.file(box.root, b)]);
      for (const { id, bytes } of [...a, ...b]) {
        assert.equal(decoder.decode(await box.read(id)), decoder.decode(bytes));
      }
      await assert.rejects(thread.file(`${box.root}/missing`, group(1)), Deno.errors.NotFound);
      // The thread keeps working after a failed group.
      const c = group(12).slice(10);
      await thread.file(box.root, c);
      assert.equal((await box.list()).length, 12);
    } finally {
      thread.close();
    }
    await assert.rejects(thread.file(box.root, group(1)), /closed/);
  });
});

/** The nice value of each of this process's threads, by thread id (Linux's /proc). */
function niceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // the thread ended meanwhile
      throw error;
    }
    // Fields after the command name, which is in parentheses: state is field 3, nice 19.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    nice.set(Number(task.name), Number(fields[19 - 3]));
  }
  return nice;
}

// Run under `nice -n 19` as a whole, the test could not tell the filing thread's priority
// from the one it inherited: it is then ignored (and reported so).
Deno.test({
  name:
    "FilerThread's thread runs at the lowest priority; the thread that started it keeps its own",
  ignore: Deno.build.os !== "linux" || niceValues().get(Deno.pid) === 19,
  fn: async () => {
    await withMaildir(async (box) => {
      const before = niceValues();
      const thread = new FilerThread();
      try {
        await thread.file(box.root, group(1));
        const started = [...niceValues()].filter(([tid]) => !before.has(tid));
        assert.ok(
          started.some(([, nice]) => nice === 19),
          `a new thread at nice 19 among ${JSON.stringify(started)}`,
        );
        assert.equal(niceValues().get(Deno.pid), before.get(Deno.pid));
      } finally {
        thread.close();
      }
    });
  },
});
