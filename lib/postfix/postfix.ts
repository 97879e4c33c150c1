/**
 * A private Postfix on 127.0.0.1: the real MTA our SMTP client and server are measured
 * against.
 *
 * Everything lives in a temp folder: main.cf and master.cf, the queue, the log. The
 * system's own Postfix (/etc/postfix) is neither used nor touched, and nothing is sent
 * off the machine: mail for `domains` goes into Maildirs (`mailRoot/<user>/`, the layout
 * of lib/maildir's MailStore) through Postfix's virtual(8) agent, mail for `relay`
 * domains goes to a loopback port, and everything else bounces.
 *
 * Postfix's master must start as root (it binds the port, then runs its helpers as user
 * postfix). It runs in the foreground (`master -d`) under lib/daemon's supervisor, so
 * stopping it leaves no helper behind. Found by experiment (Postfix 3.7): a
 * `master.cf` of our own that names `127.0.0.1:PORT` as the smtpd service, with chroot
 * off for every service, and `postfix -c DIR check` to create the queue, are enough for a
 * second instance; delivered mail must belong to an unprivileged user, so the mail tree
 * is handed to `nobody`, as for Dovecot.
 *
 * @module
 */

import { chownTree, freePort, startDaemon } from "../daemon/mod.ts";

/** Options for {@linkcode startPostfix}. */
export interface PostfixOptions {
  /** Folder with one Maildir per user (root/<user>/), e.g. a MailStore's root. */
  mailRoot: string;
  /** Domains Postfix delivers to Maildir itself. */
  domains: readonly string[];
  /** Local parts accepted in those domains; `bob` receives `bob@<each domain>`. */
  users: readonly string[];
  /** Domains Postfix passes on to an SMTP server on a loopback port. */
  relay?: Readonly<Record<string, number>>;
  /** Postfix's own name (greeting, Received: lines). Default "postfix.test". */
  hostname?: string;
  /** Deadline for starting, in ms. Default 10000. */
  timeoutMs?: number;
}

/** A running Postfix. `await using` stops it and removes its temp folder. */
export interface Postfix extends AsyncDisposable {
  /** Where its smtpd listens on 127.0.0.1. */
  readonly port: number;
  /** The temp folder: conf/, queue/, maillog. */
  readonly dir: string;
  /** Postfix's log so far. */
  log(): Promise<string>;
  /** Resolves once every accepted message has left the queue (delivered or bounced). */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The uid and gid of `nobody` on Debian. */
const NOBODY = 65534;

/** The services a mail hub needs; `-` = default, chroot (5th column) always off. */
const SERVICES = `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;

/** `inline:{ k=v, ... }`, Postfix's map written in the config itself. */
function inlineMap(entries: [string, string][]): string {
  return entries.length === 0
    ? ""
    : `inline:{ ${entries.map(([k, v]) => `${k}=${v}`).join(", ")} }`;
}

function checkName(kind: string, value: string) {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(value)) {
    throw new TypeError(
      `Cannot start Postfix: ${kind} ${JSON.stringify(value)} is not a plain name`,
    );
  }
}

function mainCf(options: PostfixOptions, dir: string): string {
  const mailboxes = options.domains.flatMap((domain) =>
    options.users.map((user): [string, string] => [`${user}@${domain}`, `${user}/`])
  );
  const relay = Object.entries(options.relay ?? {});
  const transports = relay.map(([domain, port]): [string, string] => [
    domain,
    `smtp:[127.0.0.1]:${port}`,
  ]);
  const uid = Deno.uid() === 0 ? NOBODY : Deno.uid()!;
  return `# A private Postfix for the course: loopback only, nothing leaves the machine.
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = ${options.hostname ?? "postfix.test"}
mydomain = ${options.hostname ?? "postfix.test"}
myorigin = $myhostname
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
disable_dns_lookups = yes
smtp_host_lookup = native
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = ${options.domains.join(" ")}
virtual_mailbox_base = ${options.mailRoot}
virtual_mailbox_maps = ${inlineMap(mailboxes)}
virtual_uid_maps = static:${uid}
virtual_gid_maps = static:${uid}
virtual_minimum_uid = ${Math.min(uid, 100)}
relay_domains = ${relay.map(([domain]) => domain).join(" ")}
transport_maps = ${inlineMap(transports)}
default_transport = error:this private Postfix delivers nowhere else
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
`;
}

/**
 * Start Postfix on a free loopback port and wait until it answers.
 *
 * @throws {Error} not root (Postfix's master needs it), a bad name, or Postfix did not
 *   start (the message quotes its log).
 *
 * @example
 * ```ts ignore
 * await using postfix = await startPostfix({ mailRoot, domains: ["pf.test"], users: ["bob"] });
 * await sendMail({ port: postfix.port, ... });
 * await postfix.drained();
 * ```
 */
export async function startPostfix(options: PostfixOptions): Promise<Postfix> {
  // Names go into main.cf's inline maps, where a comma or "=" would change the map.
  for (const domain of [...options.domains, ...Object.keys(options.relay ?? {})]) {
    checkName("domain", domain);
  }
  for (const user of options.users) checkName("user", user);
  if (Deno.uid() !== 0) {
    throw new Error("Cannot start Postfix: its master process must be started by root");
  }
  // Compiled-in default (-d): the system's main.cf may not exist ("No configuration").
  const postconf = await new Deno.Command("postconf", {
    args: ["-d", "-h", "daemon_directory"],
    stdout: "piped",
    stderr: "piped",
  }).output().catch(() => null);
  const daemonDirectory = postconf?.success ? new TextDecoder().decode(postconf.stdout).trim() : "";
  if (!daemonDirectory) {
    throw new Error(
      "Cannot start Postfix: `postconf -d` failed; is the postfix package installed?",
    );
  }

  const dir = await Deno.makeTempDir({ prefix: "postfix-" });
  try {
    await Deno.chmod(dir, 0o755);
    await Deno.mkdir(`${dir}/conf`);
    await Deno.mkdir(`${dir}/queue`);
    await Deno.mkdir(`${dir}/data`);
    await Deno.chown(`${dir}/data`, ...(await postfixIds()));
    await Deno.mkdir(options.mailRoot, { recursive: true });
    await chownTree(options.mailRoot, NOBODY);
    const port = freePort();
    await Deno.writeTextFile(`${dir}/conf/main.cf`, mainCf(options, dir));
    await Deno.writeTextFile(
      `${dir}/conf/master.cf`,
      `127.0.0.1:${port} inet n - n - - smtpd\n${SERVICES}`,
    );
    // Creates the queue's folders with the owners and modes Postfix expects.
    const check = await new Deno.Command("postfix", {
      args: ["-c", `${dir}/conf`, "check"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!check.success) {
      throw new Error(
        `Cannot start Postfix: postfix check failed:\n${new TextDecoder().decode(check.stderr)}`,
      );
    }
    const daemon = await startDaemon({
      name: "Postfix",
      argv: [`${daemonDirectory}/master`, "-d", "-c", `${dir}/conf`],
      env: { MAIL_CONFIG: `${dir}/conf` },
      port,
      readLog: () => Deno.readTextFile(`${dir}/maillog`),
      timeoutMs: options.timeoutMs,
    });
    let stopped: Promise<void> | undefined;
    const stop = () => stopped ??= daemon.stop().then(() => Deno.remove(dir, { recursive: true }));
    return {
      port,
      dir,
      log: () => Deno.readTextFile(`${dir}/maillog`).catch(() => ""),
      drained: (timeoutMs = 10_000) => queueDrained(dir, timeoutMs),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
}

/** Uid and gid of the `postfix` user. */
async function postfixIds(): Promise<[number, number]> {
  const passwd = await Deno.readTextFile("/etc/passwd");
  const line = passwd.split("\n").find((l) => l.startsWith("postfix:"));
  if (!line) throw new Error("Cannot start Postfix: there is no user postfix");
  const [, , uid, gid] = line.split(":");
  return [Number(uid), Number(gid)];
}

/** The queue folders a message passes through; all empty means all mail has left. */
const QUEUES = ["maildrop", "incoming", "active", "deferred"];

/**
 * Wait until the queue is empty. A deferred message will not leave soon (Postfix retries
 * it minutes later): fail at once, quoting why the log says it was deferred.
 */
async function queueDrained(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    let waiting = 0;
    for (const name of QUEUES) waiting += await countFiles(`${dir}/queue/${name}`);
    if (waiting === 0) return;
    if (await countFiles(`${dir}/queue/deferred`) > 0) {
      const log = await Deno.readTextFile(`${dir}/maillog`).catch(() => "");
      const reason = log.split("\n").filter((line) => line.includes("status=deferred")).at(-1);
      throw new Error(`Postfix deferred a message: ${reason ?? "(no reason in its log)"}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`Postfix's queue still holds ${waiting} message(s) after ${timeoutMs} ms`);
    }
    // Postfix announces nothing we can wait on; look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function countFiles(path: string): Promise<number> {
  let n = 0;
  for await (const entry of Deno.readDir(path)) {
    n += entry.isDirectory ? await countFiles(`${path}/${entry.name}`) : 1;
  }
  return n;
}
