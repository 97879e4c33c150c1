/**
 * Real mail software reads the Maildir we write, and we read what it writes.
 *
 * Python's `mailbox.Maildir` (the standard library) is the judge of the layout, names and
 * flags; mbsync (isync, `SubFolders Maildir++`) copies our tree to a second Maildir and
 * carries flag changes back, as a user's mail client would.
 */
import assert from "node:assert/strict";
import { Maildir } from "../lib/maildir/mod.ts";
import { requireTool, runOk, tool } from "./tools.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface PyMessage {
  key: string;
  subdir: string;
  flags: string;
  date: number;
  base64: string;
}

/** What Python's mailbox module sees in a Maildir: folders and every message. */
const PY_READ = `
import base64, json, mailbox, sys
root = mailbox.Maildir(sys.argv[1], factory=None, create=False)
def read(box):
    out = []
    for key in sorted(box.keys()):
        msg = box.get_message(key)
        out.append({"key": key, "subdir": msg.get_subdir(), "flags": msg.get_flags(),
                    "date": msg.get_date(), "base64": base64.b64encode(box.get_bytes(key)).decode()})
    return out
folders = sorted(root.list_folders())
print(json.dumps({"folders": folders, "INBOX": read(root),
                  **{name: read(root.get_folder(name)) for name in folders}}))
`;

/** Python writes a Maildir: two messages in INBOX (one seen and replied), one in a folder. */
const PY_WRITE = `
import mailbox, sys
root = mailbox.Maildir(sys.argv[1], create=True)
root.add(b"Subject: from python\\n\\nnew one\\n")
seen = mailbox.MaildirMessage(b"Subject: seen\\n\\nold one\\n")
seen.set_subdir("cur")
seen.set_flags("SR")
root.add(seen)
root.add_folder("Drafts").add(b"Subject: draft\\n\\nunfinished\\n")
`;

async function tempRoot(): Promise<string & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "maildir_interop_" });
  return Object.assign(path, {
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  }) as string & AsyncDisposable;
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

Deno.test({
  name: "Python's mailbox.Maildir lists our messages with the same bytes, flags and folders",
  ...requireTool("python3"),
  fn: async () => {
    await using root = await tempRoot();
    const box = await Maildir.open(`${root}`);
    await box.createFolder("Sent");
    await box.createFolder("Archive/2024");
    // CRLF, 8-bit bytes and a NUL survive untouched: a Maildir stores bytes.
    const raw = new Uint8Array([
      ...encoder.encode("Subject: raw\r\n\r\n"),
      0xe9,
      0x00,
      0xff,
      13,
      10,
    ]);
    const delivered = [
      await box.deliver(encoder.encode("Subject: new\r\n\r\nunread\r\n")),
      await box.deliver(encoder.encode("Subject: seen\r\n\r\nread\r\n"), { flags: "SF" }),
      await box.deliver(raw, { date: new Date("2024-03-01T10:00:00Z") }),
      await box.deliver(encoder.encode("Subject: sent\r\n\r\nmine\r\n"), {
        folder: "Sent",
        flags: "S",
      }),
      await box.deliver(encoder.encode("Subject: old\r\n\r\narchived\r\n"), {
        folder: "Archive/2024",
      }),
    ];
    await box.setFlags(delivered[0].id, "R");
    await box.setFlags(delivered[0].id, "RS");

    const seen = JSON.parse(await runOk(tool("python3"), ["-c", PY_READ, `${root}`]));
    assert.deepEqual(seen.folders, ["Archive.2024", "Sent"]);
    const pyFolder = (folder: string) => folder === "Archive/2024" ? "Archive.2024" : folder;
    for (const folder of ["INBOX", "Sent", "Archive/2024"]) {
      const ours = await box.list(folder);
      const theirs: PyMessage[] = seen[pyFolder(folder)];
      assert.deepEqual(theirs.map((m) => m.key).sort(), ours.map((m) => m.id).sort(), folder);
      for (const mine of ours) {
        const py = theirs.find((m) => m.key === mine.id)!;
        assert.equal(py.flags, mine.flags, `flags of ${mine.id}`);
        assert.equal(py.subdir, mine.isNew ? "new" : "cur");
        assert.deepEqual(fromBase64(py.base64), await box.read(mine.id, folder));
        assert.ok(Math.abs(py.date * 1000 - mine.internalDate.getTime()) < 1, "same mtime");
      }
    }
    const rawSeen: PyMessage = seen.INBOX.find((m: PyMessage) => m.key === delivered[2].id);
    assert.deepEqual(fromBase64(rawSeen.base64), raw);
    assert.equal(rawSeen.date, Date.parse("2024-03-01T10:00:00Z") / 1000);
  },
});

Deno.test({
  name: "we list what Python's mailbox.Maildir wrote: ids, flags, folders, bytes",
  ...requireTool("python3"),
  fn: async () => {
    await using root = await tempRoot();
    await runOk(tool("python3"), ["-c", PY_WRITE, `${root}/py`]);
    const box = await Maildir.open(`${root}/py`, { create: false });
    assert.deepEqual(await box.folders(), ["INBOX", "Drafts"]);
    const inbox = await box.list();
    const texts = await Promise.all(inbox.map(async (m) => decoder.decode(await box.read(m.id))));
    assert.deepEqual(
      inbox.map((m, i) => [texts[i].split("\n")[0], m.flags, m.isNew]).sort(),
      [["Subject: from python", "", true], ["Subject: seen", "RS", false]],
    );
    const [draft] = await box.list("Drafts");
    assert.equal(
      decoder.decode(await box.read(draft.id, "Drafts")),
      "Subject: draft\n\nunfinished\n",
    );
  },
});

/** An mbsync configuration syncing two Maildir++ trees: ours (far) and a copy (near). */
function mbsyncConfig(ours: string, copy: string, state: string): string {
  return [
    "MaildirStore ours",
    `Inbox ${ours}`,
    "SubFolders Maildir++",
    "",
    "MaildirStore copy",
    `Inbox ${copy}`,
    "SubFolders Maildir++",
    "",
    "Channel both",
    "Far :ours:",
    "Near :copy:",
    "Patterns *",
    "Create Near",
    "Sync All",
    `SyncState ${state}/`,
    "",
  ].join("\n");
}

interface Summary {
  folder: string;
  text: string;
  flags: string;
}

async function summarize(box: Maildir): Promise<Summary[]> {
  const all: Summary[] = [];
  for (const folder of await box.folders()) {
    for (const m of await box.list(folder)) {
      all.push({ folder, text: decoder.decode(await box.read(m.id, folder)), flags: m.flags });
    }
  }
  return all.sort((a, b) => (a.folder + a.text < b.folder + b.text ? -1 : 1));
}

Deno.test({
  name: "mbsync copies our Maildir++ tree and carries flag changes back",
  ...requireTool("mbsync"),
  fn: async () => {
    await using root = await tempRoot();
    const ours = await Maildir.open(`${root}/ours`);
    await ours.createFolder("Sent");
    await ours.createFolder("Archive/2024");
    await ours.deliver(encoder.encode("Subject: a\r\n\r\nfirst\r\n"));
    await ours.deliver(encoder.encode("Subject: b\r\n\r\nsecond\r\n"), { flags: "FS" });
    await ours.deliver(encoder.encode("Subject: c\r\n\r\nsent\r\n"), {
      folder: "Sent",
      flags: "S",
    });
    await ours.deliver(encoder.encode("Subject: d\r\n\r\nold\r\n"), { folder: "Archive/2024" });
    await Deno.mkdir(`${root}/state`);
    const config = mbsyncConfig(`${root}/ours`, `${root}/copy`, `${root}/state`);
    await Deno.writeTextFile(`${root}/mbsyncrc`, config);

    await runOk(tool("mbsync"), ["-q", "-c", `${root}/mbsyncrc`, "-a"]);
    const copy = await Maildir.open(`${root}/copy`, { create: false });
    assert.deepEqual(await copy.folders(), ["INBOX", "Archive/2024", "Sent"]);
    // mbsync tags each copy with an X-TUID header line (ended by a bare LF) while it
    // works; everything else must be our bytes.
    const copied = (await summarize(copy)).map((s) => ({
      ...s,
      text: s.text.replace(/X-TUID: [^\n]*\n/, ""),
    }));
    assert.deepEqual(copied, await summarize(ours));

    // The user reads message "a" in the copy; the next sync marks it seen on our side.
    const a = (await copy.list()).find((m) => m.flags === "")!;
    await copy.setFlags(a.id, "S");
    await runOk(tool("mbsync"), ["-q", "-c", `${root}/mbsyncrc`, "-a"]);
    const flags = (await summarize(ours)).map((s) => `${s.folder}:${s.flags}`);
    assert.deepEqual(flags, ["Archive/2024:", "INBOX:S", "INBOX:FS", "Sent:S"]);
  },
});
