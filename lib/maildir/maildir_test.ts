import assert from "node:assert/strict";
import { MailboxNameError, Maildir } from "./maildir.ts";
import { UNSAFE_FOLDER_NAMES } from "./names_test.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** A fresh Maildir in a temp folder, removed at the end of the test. */
async function tempMaildir(): Promise<Maildir & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "maildir_test_" });
  const box = await Maildir.open(root);
  return Object.assign(box, {
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  });
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

Deno.test("Maildir.open() creates tmp/, new/ and cur/, or refuses without create", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(Maildir.open(`${root}/x`, { create: false }), {
      name: "NotFound",
      message: `Cannot open maildir ${root}/x: tmp/ is missing`,
    });
    const box = await Maildir.open(`${root}/x`);
    assert.deepEqual(await names(box.root), ["cur", "new", "tmp"]);
    assert.equal(box.root, await Deno.realPath(`${root}/x`));
    await Maildir.open(`${root}/x`, { create: false });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deliver() puts the message in new/ with nothing left in tmp/", async () => {
  await using box = await tempMaildir();
  const info = await box.deliver(bytes("Subject: one\r\n\r\nbody\r\n"));
  assert.equal(info.folder, "INBOX");
  assert.equal(info.flags, "");
  assert.equal(info.isNew, true);
  assert.equal(info.size, 22);
  assert.equal(info.path, `${box.root}/new/${info.id}`);
  assert.deepEqual(await names(`${box.root}/new`), [info.id]);
  assert.deepEqual(await names(`${box.root}/tmp`), []);
  assert.deepEqual(await box.read(info.id), bytes("Subject: one\r\n\r\nbody\r\n"));
  // A second Maildir object on the same root (another process would do the same) sees it.
  const other = await Maildir.open(box.root, { create: false });
  assert.deepEqual((await other.list()).map((m) => m.id), [info.id]);
});

Deno.test("deliver() with flags goes to cur/ with a sorted :2, info", async () => {
  await using box = await tempMaildir();
  const info = await box.deliver(bytes("x"), { flags: "SF" });
  assert.equal(info.isNew, false);
  assert.equal(info.flags, "FS");
  assert.deepEqual(await names(`${box.root}/cur`), [`${info.id}:2,FS`]);
  const seenNothing = await box.deliver(bytes("y"), { flags: "" });
  assert.equal(seenNothing.path, `${box.root}/cur/${seenNothing.id}:2,`);
});

Deno.test("deliver() records the given date as internal date (mtime)", async () => {
  await using box = await tempMaildir();
  const date = new Date("2020-02-29T23:59:58Z");
  const info = await box.deliver(bytes("old mail"), { date });
  assert.equal(info.internalDate.getTime(), date.getTime());
  assert.equal((await Deno.stat(info.path)).mtime?.getTime(), date.getTime());
  await assert.rejects(box.deliver(bytes("x"), { date: new Date("nope") }), TypeError);
});

Deno.test("deliver() refuses a missing folder and bad flags, leaving nothing behind", async () => {
  await using box = await tempMaildir();
  await assert.rejects(box.deliver(bytes("x"), { folder: "Nope" }), {
    name: "NotFound",
    message: "Cannot deliver to folder Nope: it does not exist",
  });
  await assert.rejects(box.deliver(bytes("x"), { flags: "S:" }), TypeError);
  assert.deepEqual(await box.list(), []);
  assert.deepEqual(await names(`${box.root}/tmp`), []);
});

Deno.test("a crash between tmp/ and new/ leaves nothing visible", async (t) => {
  await using box = await tempMaildir();
  await t.step("a half-written file in tmp/ is not listed", async () => {
    await Deno.writeFile(`${box.root}/tmp/1700000000.M1P1Q1.crashed`, bytes("Subject: half"));
    assert.deepEqual(await box.list(), []);
    assert.deepEqual(await (await Maildir.open(box.root)).list(), []);
  });
  await t.step("a delivery failing at the link step rejects and cleans tmp/", async () => {
    await Deno.remove(`${box.root}/new`); // the link into new/ will fail
    await assert.rejects(box.deliver(bytes("lost")), Deno.errors.NotFound);
    await Deno.mkdir(`${box.root}/new`);
    assert.deepEqual(await box.list(), []);
    assert.deepEqual(await names(`${box.root}/tmp`), ["1700000000.M1P1Q1.crashed"]);
  });
  await t.step("cleanTmp() removes stale leftovers only", async () => {
    assert.equal(await box.cleanTmp(), 0);
    const old = new Date(Date.now() - 37 * 3600 * 1000);
    await Deno.utime(`${box.root}/tmp/1700000000.M1P1Q1.crashed`, old, old);
    assert.equal(await box.cleanTmp(), 1);
    assert.deepEqual(await names(`${box.root}/tmp`), []);
  });
});

Deno.test("list() returns delivery order, oldest first, ties by id", async () => {
  await using box = await tempMaildir();
  const same = new Date("2024-01-01T00:00:00Z");
  const a = await box.deliver(bytes("a"), { date: same });
  const b = await box.deliver(bytes("b"), { date: same, flags: "S" });
  const older = await box.deliver(bytes("older"), { date: new Date("2023-01-01T00:00:00Z") });
  const now = await box.deliver(bytes("now"));
  const list = await box.list();
  assert.deepEqual(list.map((m) => m.id), [older.id, a.id, b.id, now.id]);
  assert.deepEqual(list.map((m) => m.flags), ["", "", "S", ""]);
  assert.deepEqual(list.map((m) => m.isNew), [true, true, false, true]);
});

/** Count the directory scans (`Deno.readDirSync` calls) made while `fn` runs. */
async function countScans<T>(fn: () => Promise<T>): Promise<{ value: T; scans: number }> {
  const deno = Deno as { readDirSync: typeof Deno.readDirSync };
  const original = deno.readDirSync;
  let scans = 0;
  deno.readDirSync = (path) => {
    scans++;
    return original(path);
  };
  try {
    return { value: await fn(), scans };
  } finally {
    deno.readDirSync = original;
  }
}

Deno.test("list() gives a settled folder's listing again without a scan, and sees every change", async (t) => {
  // Three folders, each with two messages and a listing kept once they have settled.
  await using added = await tempMaildir();
  await using renamed = await tempMaildir();
  await using removed = await tempMaildir();
  const ids = new Map<Maildir, string[]>();
  for (const box of [added, renamed, removed]) {
    ids.set(box, [
      (await box.deliver(bytes("one\r\n"))).id,
      (await box.deliver(bytes("two\r\n"))).id,
    ]);
  }
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a second without changes
  for (const box of [added, renamed, removed]) await box.list();

  await t.step("an unchanged folder is listed from memory, as copies", async () => {
    const { value, scans } = await countScans(() => added.list());
    assert.equal(scans, 0);
    assert.deepEqual(value.map((m) => m.id), ids.get(added));
    value[0].flags = "changed by the caller";
    assert.equal((await added.list())[0].flags, "");
  });

  await t.step("another program's delivery into new/ is seen", async () => {
    Deno.writeFileSync(`${added.root}/new/1.M1P1Q1.other`, bytes("three\r\n"));
    const { value, scans } = await countScans(() => added.list());
    assert.equal(scans, 2);
    assert.deepEqual(value.map((m) => m.id).sort(), [...ids.get(added)!, "1.M1P1Q1.other"].sort());
  });

  await t.step("another program's flag change (a rename into cur/) is seen", async () => {
    const [first] = ids.get(renamed)!;
    Deno.renameSync(`${renamed.root}/new/${first}`, `${renamed.root}/cur/${first}:2,S`);
    const listed = await renamed.list();
    assert.deepEqual(listed.map((m) => [m.id, m.flags]), [[first, "S"], [
      ids.get(renamed)![1],
      "",
    ]]);
  });

  await t.step("another program's removal is seen", async () => {
    const [first, second] = ids.get(removed)!;
    Deno.removeSync(`${removed.root}/new/${first}`);
    assert.deepEqual((await removed.list()).map((m) => m.id), [second]);
  });
});

Deno.test("list() sees a change made just after a listing, in the same tick of the file system's clock", async () => {
  await using box = await tempMaildir();
  // A directory's mtime is taken from a clock that ticks every few milliseconds: a
  // listing of a folder that changed this recently is never given again from memory.
  for (let i = 0; i < 20; i++) {
    const before = (await box.list()).length;
    Deno.writeFileSync(`${box.root}/new/1.M${i}P1Q1.other`, bytes("hi\r\n"));
    assert.equal((await box.list()).length, before + 1);
  }
});

Deno.test("list() ignores dot files and folders, reads other tools' names", async () => {
  await using box = await tempMaildir();
  await Deno.writeFile(`${box.root}/cur/.hidden`, bytes("no"));
  await Deno.writeFile(`${box.root}/cur/1600000000.123_4.otherhost,S=5:2,RS`, bytes("hello"));
  await Deno.writeFile(`${box.root}/new/1600000001.plain.host`, bytes("hi"));
  const list = await box.list();
  assert.deepEqual(list.map((m) => [m.id, m.flags, m.size]), [
    ["1600000000.123_4.otherhost,S=5", "RS", 5],
    ["1600000001.plain.host", "", 2],
  ]);
});

Deno.test("setFlags() round-trips flags and moves new/ to cur/", async () => {
  await using box = await tempMaildir();
  const { id } = await box.deliver(bytes("m"));
  let info = await box.setFlags(id, "S");
  assert.deepEqual([info.flags, info.isNew, info.path], ["S", false, `${box.root}/cur/${id}:2,S`]);
  info = await box.setFlags(id, "TRS");
  assert.equal(info.flags, "RST");
  assert.deepEqual(await names(`${box.root}/cur`), [`${id}:2,RST`]);
  assert.deepEqual(await names(`${box.root}/new`), []);
  info = await box.setFlags(id, "");
  assert.deepEqual([info.flags, info.isNew], ["", false]);
  assert.equal((await box.list())[0].flags, "");
  assert.deepEqual(await box.read(id), bytes("m"));
});

Deno.test("setFlags() and read() find a message another process renamed", async () => {
  await using box = await tempMaildir();
  const { id } = await box.deliver(bytes("m"));
  await box.list(); // index it under new/
  await Deno.rename(`${box.root}/new/${id}`, `${box.root}/cur/${id}:2,F`);
  assert.deepEqual(await box.read(id), bytes("m"));
  assert.equal((await box.setFlags(id, "FS")).flags, "FS");
});

Deno.test("concurrent setFlags() on one message end with the last call's flags", async () => {
  await using box = await tempMaildir();
  const { id } = await box.deliver(bytes("m"));
  const results = await Promise.all(["S", "RS", "F", "DS", "T"].map((f) => box.setFlags(id, f)));
  assert.deepEqual(results.map((r) => r.flags), ["S", "RS", "F", "DS", "T"]);
  assert.deepEqual(await names(`${box.root}/cur`), [`${id}:2,T`]);
});

Deno.test("concurrent deliveries all land, with distinct ids", async () => {
  await using box = await tempMaildir();
  const infos = await Promise.all(
    Array.from({ length: 50 }, (_, i) => box.deliver(bytes(`message ${i}`))),
  );
  assert.equal(new Set(infos.map((i) => i.id)).size, 50);
  const list = await box.list();
  assert.equal(list.length, 50);
  for (const info of infos) {
    const text = new TextDecoder().decode(await box.read(info.id));
    assert.match(text, /^message \d+$/);
  }
});

Deno.test("remove() deletes for good and reports a missing message", async () => {
  await using box = await tempMaildir();
  const a = await box.deliver(bytes("a"));
  const b = await box.deliver(bytes("b"), { flags: "S" });
  await box.remove(a.id);
  await box.remove(b.id);
  assert.deepEqual(await box.list(), []);
  await assert.rejects(box.remove(a.id), {
    name: "NotFound",
    message: `Cannot remove message "${a.id}" in INBOX: no such message`,
  });
  await assert.rejects(box.read("../../etc/passwd"), Deno.errors.NotFound);
});

Deno.test("folders: create, deliver into, list, rename, delete", async (t) => {
  await using box = await tempMaildir();
  await t.step("createFolder() makes a Maildir++ folder", async () => {
    await box.createFolder("Sent");
    await box.createFolder("Archive/2024");
    await box.createFolder("Archive");
    await box.createFolder("学习");
    assert.deepEqual(await names(`${box.root}/.Archive.2024`), [
      "cur",
      "maildirfolder",
      "new",
      "tmp",
    ]);
    assert.deepEqual(await box.folders(), ["INBOX", "Archive", "Archive/2024", "Sent", "学习"]);
    await assert.rejects(box.createFolder("Sent"), {
      name: "AlreadyExists",
      message: "Cannot create folder Sent: it already exists",
    });
    await assert.rejects(box.createFolder("inbox"), Deno.errors.AlreadyExists);
  });
  await t.step("messages in folders are separate from INBOX", async () => {
    const sent = await box.deliver(bytes("sent"), { folder: "Sent", flags: "S" });
    const old = await box.deliver(bytes("old"), { folder: "Archive/2024" });
    assert.equal(sent.path, `${box.root}/.Sent/cur/${sent.id}:2,S`);
    assert.equal(old.folder, "Archive/2024");
    assert.deepEqual(await box.list(), []);
    assert.deepEqual((await box.list("Archive/2024")).map((m) => m.id), [old.id]);
    assert.deepEqual(await box.read(old.id, "Archive/2024"), bytes("old"));
    await assert.rejects(box.read(old.id), Deno.errors.NotFound);
  });
  await t.step("renameFolder() moves the folder and its sub-folders", async () => {
    await box.renameFolder("Archive", "Old");
    assert.deepEqual(await box.folders(), ["INBOX", "Old", "Old/2024", "Sent", "学习"]);
    assert.equal((await box.list("Old/2024")).length, 1);
    await assert.rejects(box.renameFolder("Old", "Sent"), Deno.errors.AlreadyExists);
    await assert.rejects(box.renameFolder("Missing", "X"), Deno.errors.NotFound);
    await assert.rejects(box.renameFolder("Old", "Old/Inner"), MailboxNameError);
    await assert.rejects(box.renameFolder("Old", "INBOX"), MailboxNameError);
  });
  await t.step("renameFolder() of INBOX moves its messages and leaves it empty", async () => {
    const m = await box.deliver(bytes("in inbox"));
    await box.renameFolder("INBOX", "Moved");
    assert.deepEqual(await box.list(), []);
    assert.deepEqual((await box.list("Moved")).map((x) => x.id), [m.id]);
  });
  await t.step("deleteFolder() removes one folder, keeps its children", async () => {
    await box.deleteFolder("Old");
    assert.deepEqual(await box.folders(), ["INBOX", "Moved", "Old/2024", "Sent", "学习"]);
    await assert.rejects(box.deleteFolder("Old"), Deno.errors.NotFound);
    await assert.rejects(box.deleteFolder("INBOX"), MailboxNameError);
    await assert.rejects(box.list("Old"), {
      name: "NotFound",
      message: "Cannot list folder Old: it does not exist",
    });
    assert.deepEqual(await names(`${box.root}/tmp`), []);
  });
});

Deno.test("every operation refuses path tricks with MailboxNameError", async (t) => {
  await using box = await tempMaildir();
  await box.createFolder("Safe");
  const outside = `${box.root}/../maildir_escape_probe`;
  for (const name of UNSAFE_FOLDER_NAMES) {
    await t.step(JSON.stringify(name).slice(0, 40), async () => {
      await assert.rejects(box.createFolder(name), MailboxNameError);
      await assert.rejects(box.deliver(bytes("x"), { folder: name }), MailboxNameError);
      await assert.rejects(box.list(name), MailboxNameError);
      await assert.rejects(box.read("x", name), MailboxNameError);
      await assert.rejects(box.setFlags("x", "S", name), MailboxNameError);
      await assert.rejects(box.remove("x", name), MailboxNameError);
      await assert.rejects(box.deleteFolder(name), MailboxNameError);
      await assert.rejects(box.renameFolder("Safe", name), MailboxNameError);
      await assert.rejects(box.renameFolder(name, "Other"), MailboxNameError);
    });
  }
  assert.equal(await Deno.stat(outside).catch(() => null), null);
  assert.deepEqual(await box.folders(), ["INBOX", "Safe"]);
});
