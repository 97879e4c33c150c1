import assert from "node:assert/strict";
import { Journal, readRecords } from "./journal.ts";
import { withTimeout } from "../net/timeout.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const texts = (entries: { body: Uint8Array }[]) => entries.map((e) => decoder.decode(e.body));

async function withFolder(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "journal-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Journal.open() creates a zero-filled file of the asked size, once", async () => {
  await withFolder(async (dir) => {
    const { journal, unfiled } = await Journal.open(`${dir}/j`, { bytes: 64 * 1024 });
    assert.deepEqual(unfiled, []);
    await journal.close();
    const data = await Deno.readFile(`${dir}/j`);
    assert.equal(data.length, 64 * 1024);
    assert.ok(data.every((byte) => byte === 0));
    const again = await Journal.open(`${dir}/j`, { bytes: 1024 });
    await again.journal.close();
    assert.equal(
      (await Deno.stat(`${dir}/j`)).size,
      64 * 1024,
      "an existing journal keeps its size",
    );
  });
});

Deno.test("Journal: entries appended and not filed are read back after a crash, in order", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 64 * 1024 });
    const seqs = await Promise.all(
      ["one", "two", "three"].map((t) => journal.append(encoder.encode(t))),
    );
    assert.deepEqual(seqs, [1, 2, 3]);
    await journal.close(); // no checkpoint: as if the process had died here
    const { journal: again, unfiled } = await Journal.open(`${dir}/j`);
    assert.deepEqual(texts(unfiled), ["one", "two", "three"]);
    assert.deepEqual(unfiled.map((e) => e.seq), [1, 2, 3]);
    await again.close();
  });
});

Deno.test("Journal: appends that arrive during a sync share the next one (group commit)", async () => {
  await withFolder(async (dir) => {
    const durable: number[][] = [];
    const { journal } = await Journal.open(`${dir}/j`, {
      bytes: 256 * 1024,
      onDurable: (entries) => durable.push(entries.map((e) => e.seq)),
    });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => journal.append(encoder.encode(`m${i}`))),
    );
    // The first append starts a sync alone; the 39 that arrive meanwhile share the next.
    assert.equal(journal.syncs, 2);
    assert.deepEqual(durable.flat(), Array.from({ length: 40 }, (_, i) => i + 1));
    await journal.close();
  });
});

Deno.test("Journal: a checkpoint keeps filed entries from being read back", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 64 * 1024 });
    for (const t of ["a", "b", "c"]) await journal.append(encoder.encode(t));
    journal.filed(2);
    await journal.append(encoder.encode("d")); // carries the checkpoint
    await journal.close();
    const { journal: again, unfiled } = await Journal.open(`${dir}/j`);
    assert.deepEqual(texts(unfiled), ["c", "d"]);
    await again.close();
  });
});

Deno.test("Journal: a torn last record is dropped, and later appends replace it", async () => {
  await withFolder(async (dir) => {
    const path = `${dir}/j`;
    const { journal } = await Journal.open(path, { bytes: 64 * 1024 });
    for (const t of ["first", "second", "third, torn by the crash"]) {
      await journal.append(encoder.encode(t));
    }
    await journal.close();
    // The crash: the last record's tail never reached the disk.
    const data = await Deno.readFile(path);
    const records = readRecords(data);
    const torn = records[2];
    data.fill(0, torn.end - 8, torn.end);
    await Deno.writeFile(path, data);

    const reopened = await Journal.open(path);
    assert.deepEqual(texts(reopened.unfiled), ["first", "second"]);
    assert.equal(await reopened.journal.append(encoder.encode("fourth")), 3);
    await reopened.journal.close();
    const { journal: last, unfiled } = await Journal.open(path);
    assert.deepEqual(texts(unfiled), ["first", "second", "fourth"]);
    await last.close();
  });
});

Deno.test("Journal: once everything is filed, writing starts again at the top; old records are not read back", async () => {
  await withFolder(async (dir) => {
    const path = `${dir}/j`;
    const { journal } = await Journal.open(path, { bytes: 16 * 1024 });
    const body = new Uint8Array(1000).fill(65);
    for (let pass = 0; pass < 20; pass++) {
      const seq = await journal.append(body);
      journal.filed(seq);
    }
    const last = await journal.append(encoder.encode("still to file"));
    await journal.close();
    assert.equal((await Deno.stat(path)).size, 16 * 1024);
    const { journal: again, unfiled } = await Journal.open(path);
    assert.deepEqual(texts(unfiled), ["still to file"]);
    assert.equal(unfiled[0].seq, last);
    await again.close();
  });
});

Deno.test("Journal: when the file is full, appends wait until its entries are filed", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 16 * 1024 });
    const body = new Uint8Array(3000);
    const early: number[] = [];
    for (let i = 0; i < 5; i++) early.push(await journal.append(body)); // 5 records of 3,024 bytes fill it
    const events: string[] = [];
    const blocked = journal.append(body).then(() => events.push("appended"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push("filing");
    journal.filed(early.at(-1)!);
    await blocked;
    assert.deepEqual(events, ["filing", "appended"]);
    await journal.close();
  });
});

Deno.test("Journal.append() refuses a body larger than a quarter of the file", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 16 * 1024 });
    await assert.rejects(journal.append(new Uint8Array(journal.maxBodyBytes + 1)), RangeError);
    await journal.append(new Uint8Array(journal.maxBodyBytes));
    await journal.close();
  });
});

Deno.test("Journal: the value given with an append reaches onDurable, and is not in the file", async () => {
  await withFolder(async (dir) => {
    const durable: { seq: number; value?: string }[] = [];
    const { journal } = await Journal.open<string>(`${dir}/j`, {
      bytes: 64 * 1024,
      onDurable: (entries) => durable.push(...entries.map(({ seq, value }) => ({ seq, value }))),
    });
    await journal.append(encoder.encode("a"), "note of a");
    await journal.append(encoder.encode("b"));
    assert.deepEqual(durable, [{ seq: 1, value: "note of a" }, { seq: 2, value: undefined }]);
    await journal.close();
    const { journal: again, unfiled } = await Journal.open<string>(`${dir}/j`);
    assert.deepEqual(unfiled.map(({ value }) => value), [undefined, undefined]);
    assert.deepEqual(texts(unfiled), ["a", "b"]);
    await again.close();
  });
});

Deno.test("Journal.open() reads a chain longer than its first read, and a record across the boundary", async () => {
  await withFolder(async (dir) => {
    // 300 KB bodies: the fourth record straddles the first mebibyte read at open.
    const bodies = Array.from({ length: 5 }, (_, i) => new Uint8Array(300_000).fill(97 + i));
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 4 * 1024 * 1024 });
    for (const body of bodies) await journal.append(body);
    await journal.close(); // no checkpoint: as if the process had died here
    const { journal: again, unfiled } = await Journal.open(`${dir}/j`);
    assert.deepEqual(unfiled.map((entry) => entry.body), bodies);
    await again.append(encoder.encode("after"));
    await again.close();
    const { journal: third, unfiled: all } = await Journal.open(`${dir}/j`);
    assert.equal(all.length, 6);
    assert.equal(decoder.decode(all[5].body), "after");
    await third.close();
  });
});

Deno.test("Journal: after a reopen, the first group goes to the top of the file, where the next open looks", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 4 * 1024 * 1024 });
    const seq = await journal.append(new Uint8Array(200_000).fill(97));
    journal.filed(seq);
    await journal.close();
    // Everything is filed, so the next group starts again at offset 0; the open read
    // the file's start, and the write must not land where that read stopped.
    const { journal: again, unfiled } = await Journal.open(`${dir}/j`);
    assert.deepEqual(unfiled, []);
    await again.append(encoder.encode("next"));
    await again.close();
    const { journal: third, unfiled: after } = await Journal.open(`${dir}/j`);
    assert.deepEqual(texts(after), ["next"]);
    await third.close();
  });
});

Deno.test("Journal: an append made as soon as the one before resolved is written, with nothing else to start a flush", async () => {
  await withFolder(async (dir) => {
    const { journal } = await Journal.open(`${dir}/j`, { bytes: 64 * 1024 });
    // No filed() calls, no other appends: each append must start or join a flush itself,
    // even one made while the flush that answered the previous one is still finishing.
    // How many turns of the event loop lie between one append's answer and the next
    // append decides whether the next one meets the finishing flush; callers differ (the
    // store's accept() awaits the append inside an async function), so try several.
    let seq = 0;
    const appendThrough = async (depth: number, text: string): Promise<number> =>
      depth === 0
        ? await journal.append(encoder.encode(text))
        : await appendThrough(depth - 1, text);
    const oneAfterAnother = async () => {
      for (let depth = 0; depth <= 4; depth++) {
        for (let i = 0; i < 5; i++) assert.equal(await appendThrough(depth, `m${seq}`), ++seq);
      }
    };
    await withTimeout(oneAfterAnother(), 5_000, "25 appends one after another");
    await journal.close();
  });
});
