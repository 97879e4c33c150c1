/**
 * Record the seeds of the IMAP fuzzers: what real clients (Python's imaplib, curl,
 * fetchmail, mbsync, mutt) send to our server and what it answers, byte for byte.
 *
 *   deno run -A tests/fuzz/record_imap_seeds.ts
 *
 * writes tests/fuzz/imap_seeds.json (both directions), which tests/fuzz/imap.ts mutates. Run it again when
 * the server learns something a client then uses (a capability, say).
 *
 * @module
 */
import { MailStore } from "../../lib/maildir/mod.ts";
import { serveImap } from "../../lib/imap/server.ts";
import { Transcript } from "../../lib/transcript/transcript.ts";
import { findTool, run } from "../tools.ts";

const enc = new TextEncoder();
const MESSAGE = (n: number) =>
  `From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: Message ${n}\r\n` +
  `Date: Mon, 1 Jan 2024 10:0${n}:00 +0000\r\nMessage-ID: <${n}@example.org>\r\n` +
  `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
  `--b\r\nContent-Type: text/plain\r\n\r\nBody number ${n}.\r\n--b--\r\n`;

/** What crossed one client's connections, each direction as latin1 text. */
interface Seed {
  client: string;
  server: string;
}

/** Run `client` against a fresh server; return what each side sent. */
async function record(
  client: (port: number, dir: string) => Promise<{ code: number; stderr: string }>,
): Promise<Seed> {
  const dir = await Deno.makeTempDir({ prefix: "imap-seeds-" });
  try {
    const store = new MailStore(`${dir}/mail`);
    const box = await store.mailbox("alice");
    for (let i = 1; i <= 3; i++) await box.deliver(enc.encode(MESSAGE(i)));
    await box.createFolder("Archive");
    const transcript = new Transcript();
    {
      await using server = serveImap({
        store,
        users: new Map([["alice", "s3cret"]]),
        transcript,
        pollIntervalMs: 100,
      });
      const result = await client(server.port, dir);
      if (result.code !== 0) throw new Error(`Client failed: ${result.stderr}`);
    }
    const from = (who: string) =>
      new TextDecoder("latin1").decode(
        Uint8Array.from(
          transcript.entries.filter((e) => e.from === who).flatMap((e) => [...e.bytes]),
        ),
      );
    return { client: from("client"), server: from("server") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const IMAPLIB = `
import imaplib, sys
M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
M.login("alice", "s3cret")
M.list()
M.status("INBOX", "(MESSAGES UIDNEXT UNSEEN)")
M.select("INBOX")
M.search(None, "SUBJECT", '"Message 2"')
M.search(None, "OR", "(UNSEEN FROM alice)", "NOT", "LARGER", "10000", "SINCE", "1-Jan-2020")
M.uid("SEARCH", "UID", "1:*", "HEADER", "Message-ID", "<2@example.org>")
M.fetch("1:3", "(FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)")
M.fetch("2", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[1.MIME] BODY.PEEK[TEXT]<0.10>)")
M.uid("FETCH", "3", "(BODY[])")
M.store("1", "+FLAGS", "(\\\\Deleted)")
M.store("2", "+FLAGS.SILENT", "(\\\\Flagged $Junk)")
M.copy("2:3", "Archive")
M.expunge()
M.append("INBOX", "(\\\\Draft)", None, b"Subject: py\\r\\n\\r\\nfrom imaplib\\r\\n")
M.create("Sent")
M.rename("Sent", '"Sent Items"')
M.subscribe('"Sent Items"')
M.lsub()
M.delete('"Sent Items"')
M.sort("(REVERSE DATE)", "UTF-8", "ALL")
M.thread("REFERENCES", "UTF-8", "ALL")
M.close()
M.logout()
`;

const seeds: Record<string, Seed> = {};
const has = (name: string) => findTool(name) !== null;

if (has("python3")) {
  seeds.imaplib = await record((port) =>
    run("python3", ["-c", IMAPLIB, String(port)], { timeoutMs: 30_000 })
  );
}
if (has("curl")) {
  seeds.curl = await record(async (port, dir) => {
    const url = `imap://127.0.0.1:${port}`;
    const auth = ["--user", "alice:s3cret", "--max-time", "20", "-s", "-S"];
    await Deno.writeTextFile(`${dir}/up.eml`, "Subject: from curl\r\n\r\nuploaded\r\n");
    for (
      const args of [
        [`${url}/`],
        [`${url}/INBOX;UID=2`],
        [`${url}/INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)`],
        ["-X", "SEARCH UNSEEN", `${url}/INBOX`],
        ["-T", `${dir}/up.eml`, `${url}/INBOX`],
      ]
    ) {
      const result = await run("curl", [...auth, ...args]);
      if (result.code !== 0) return result;
    }
    return { code: 0, stderr: "" };
  });
}
if (has("fetchmail")) {
  seeds.fetchmail = await record(async (port, dir) => {
    const rc = `${dir}/fetchmailrc`;
    await Deno.writeTextFile(
      rc,
      `poll 127.0.0.1 service ${port} protocol IMAP auth password user "alice" password "s3cret" keep sslproto '' mda "/bin/sh -c 'cat >> ${dir}/out.mbox'"\n`,
    );
    await Deno.chmod(rc, 0o600);
    return run("fetchmail", ["-f", rc, "--nosyslog", "--idfile", `${dir}/ids`], {
      env: { HOME: dir },
    });
  });
}
if (has("mbsync")) {
  seeds.mbsync = await record(async (port, dir) => {
    await Deno.writeTextFile(
      `${dir}/mbsyncrc`,
      `IMAPAccount course\nHost 127.0.0.1\nPort ${port}\nUser alice\nPass s3cret\nSSLType None\nAuthMechs LOGIN\n\n` +
        `IMAPStore remote\nAccount course\n\nMaildirStore local\nInbox ${dir}/local\nSubFolders Maildir++\n\n` +
        `Channel sync\nFar :remote:\nNear :local:\nPatterns *\nSync All\nCreate Both\nExpunge Both\nSyncState *\n`,
    );
    const first = await run("mbsync", ["-c", `${dir}/mbsyncrc`, "-a"], { env: { HOME: dir } });
    if (first.code !== 0) return first;
    await Deno.writeTextFile(`${dir}/local/cur/1700000000.local.host:2,S`, MESSAGE(7));
    return run("mbsync", ["-c", `${dir}/mbsyncrc`, "-a"], { env: { HOME: dir } });
  });
}
if (has("mutt") && has("script")) {
  // mutt needs a terminal: script(1) gives it one. It selects INBOX, limits the index
  // to a subject, tags what is left, copies it to Archive and quits.
  seeds.mutt = await record(async (port, dir) => {
    const folder = `imap://alice@127.0.0.1:${port}/`;
    await Deno.writeTextFile(
      `${dir}/muttrc`,
      `set imap_pass=s3cret\nset ssl_starttls=no\nset ssl_force_tls=no\n` +
        `set folder=${folder}\nset spoolfile=${folder}INBOX\nset record=\nset postponed=\n` +
        `set confirmappend=no\nset mail_check=0\n` +
        `push "<limit>~s Message<enter><tag-pattern>.<enter><tag-prefix><copy-message>=Archive<enter><quit>"\n`,
    );
    return run("script", ["-qec", `mutt -n -F ${dir}/muttrc`, "/dev/null"], {
      env: { HOME: dir, TERM: "xterm" },
      timeoutMs: 20_000,
    });
  });
}

const path = new URL("./imap_seeds.json", import.meta.url);
await Deno.writeTextFile(path, JSON.stringify(seeds, null, 2) + "\n");
console.log(
  Object.entries(seeds).map(([k, v]) =>
    `${k}: ${v.client.length} bytes sent, ${v.server.length} received`
  )
    .join("\n"),
);
