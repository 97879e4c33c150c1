/**
 * A private Dovecot (POP3 or IMAP) on 127.0.0.1, for comparing against real software.
 *
 * Interop tests, notebooks and benchmarks point our clients at Dovecot, and Dovecot at
 * the same Maildir tree our servers use (`mail_location = maildir:<root>/%u`, the layout
 * of lib/maildir's MailStore, Maildir++ folders as Dovecot uses by default). Everything
 * else lives in a temp folder: config, sockets, state, log, a passwd-file of throwaway
 * loopback credentials. Dovecot cannot pick a free port and report it, so we ask the OS
 * for one and hand it over (a small race we accept in tests).
 *
 * Two details found by experiment (Dovecot 2.3 run as root): Dovecot refuses to open mail
 * as uid 0, so the mail tree is handed to `nobody` and read as that user (our servers,
 * running as root, can still use it); and on stop some Dovecot children outlive the
 * master, so it runs under lib/daemon's supervisor, which reaps them.
 *
 * @module
 */

import { chownTree, freePort, startDaemon } from "../daemon/mod.ts";

export { chownTree };

/** Options for {@linkcode startDovecot}. */
export interface DovecotOptions {
  /** Which protocol to serve. */
  protocol: "pop3" | "imap";
  /** Folder with one Maildir per user (root/<user>/), e.g. a MailStore's root. */
  mailRoot: string;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  /** The `dovecot` binary. Default "dovecot" on PATH. */
  binary?: string;
  /** Deadline for starting, in ms. Default 10000. */
  timeoutMs?: number;
}

/** A running Dovecot. `await using` stops it and removes its temp folder. */
export interface Dovecot extends AsyncDisposable {
  readonly port: number;
  /** The temp folder: dovecot.conf, dovecot.log, run/master.pid. */
  readonly dir: string;
  /** Dovecot's log so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** The uid and gid of `nobody` on Debian. */
const NOBODY = 65534;

/** Per protocol: the login service and what else its config needs. */
const PROTOCOL_CONFIG = {
  pop3: {
    login: "pop3-login",
    listener: "pop3",
    // UIDL = the Maildir file's base name, as our server does, so both agree.
    extra: "pop3_uidl_format = %f\n",
  },
  imap: {
    login: "imap-login",
    listener: "imap",
    // The benchmark opens many sessions for one user from one address.
    extra: "protocol imap {\n  mail_max_userip_connections = 1000\n}\n",
  },
} as const;

/** The config file: loopback only, no TLS, plaintext auth allowed. */
function config(options: DovecotOptions, dir: string, port: number, mailUid: number): string {
  const protocol = PROTOCOL_CONFIG[options.protocol];
  return `# A private Dovecot for the course: loopback only, no TLS, plaintext auth allowed.
protocols = ${options.protocol}
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:${options.mailRoot}/%u
${Deno.uid() === 0 ? "default_internal_user = dovecot\ndefault_login_user = dovenull\n" : ""}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailUid} home=${options.mailRoot}/%u
}
service ${protocol.login} {
  chroot =
  inet_listener ${protocol.listener} {
    address = 127.0.0.1
    port = ${port}
  }
}
service anvil {
  chroot =
}
${protocol.extra}`;
}

/**
 * Start Dovecot serving `mailRoot/<user>/` on a free loopback port, and wait until the
 * port answers.
 *
 * @example
 * ```ts ignore
 * await using dovecot = await startDovecot({ protocol: "imap", mailRoot, users: new Map([["alice", "pw"]]) });
 * await using client = await ImapClient.connect(dovecot.port);
 * ```
 */
export async function startDovecot(options: DovecotOptions): Promise<Dovecot> {
  const dir = await Deno.makeTempDir({ prefix: `dovecot-${options.protocol}-` });
  // Dovecot's auth process runs as user dovecot and must reach the passwd file.
  await Deno.chmod(dir, 0o755);
  await Deno.mkdir(`${dir}/run`);
  await Deno.mkdir(`${dir}/state`);
  const passwd = [...options.users].map(([user, pw]) => `${user}:{PLAIN}${pw}`).join("\n");
  await Deno.writeTextFile(`${dir}/passwd`, passwd + "\n");
  await Deno.chmod(`${dir}/passwd`, 0o644);
  const mailUid = Deno.uid() === 0 ? NOBODY : Deno.uid()!;
  if (Deno.uid() === 0) await chownTree(options.mailRoot, NOBODY);
  const port = freePort();
  await Deno.writeTextFile(`${dir}/dovecot.conf`, config(options, dir, port, mailUid));

  const daemon = await startDaemon({
    name: "Dovecot",
    argv: [options.binary ?? "dovecot", "-F", "-c", `${dir}/dovecot.conf`],
    port,
    readLog: () => Deno.readTextFile(`${dir}/dovecot.log`),
    timeoutMs: options.timeoutMs,
  }).catch(async (error) => {
    await Deno.remove(dir, { recursive: true });
    throw error;
  });
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= daemon.stop().then(() => Deno.remove(dir, { recursive: true }));
  return {
    port,
    dir,
    log: () => Deno.readTextFile(`${dir}/dovecot.log`).catch(() => ""),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
