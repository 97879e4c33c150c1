/**
 * A private Dovecot POP3 server on 127.0.0.1, for comparing against real software.
 *
 * Interop tests and the benchmark point our client at Dovecot, and Dovecot at the same
 * Maildir our server reads. This starts Dovecot from a config in a temp folder (its own
 * base_dir, state_dir and log, plaintext auth on loopback only, no TLS), waits until its
 * port answers, and stops it, leaving no process behind.
 *
 * Two details found by experiment (Dovecot 2.3, run as root): Dovecot refuses to open mail
 * as uid 0, so mail is read as `nobody` and the mail folder is handed to that user; and
 * on stop some Dovecot children outlive the master, so it runs under a tiny Python
 * supervisor that is a child subreaper and reaps them, or they would be left as zombies.
 *
 * @module
 */

import { connectLoopback, withTimeout } from "../net/mod.ts";

/** Options for {@linkcode startDovecotPop3}. */
export interface DovecotOptions {
  /** Folder with one Maildir per user (root/<user>/), e.g. a lib/maildir MailStore's root. */
  mailRoot: string;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  /** The `dovecot` binary. Default "dovecot" on PATH. */
  binary?: string;
  /** Deadline for starting, in ms. Default 10000. */
  timeoutMs?: number;
}

/** A running Dovecot. `await using` stops it and removes its temp folder. */
export interface DovecotPop3 extends AsyncDisposable {
  readonly port: number;
  /** Dovecot's log so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const NOBODY = 65534;

// Becomes a child subreaper (PR_SET_CHILD_SUBREAPER = 36), runs dovecot, forwards
// SIGTERM, then reaps every descendant before exiting.
const SUPERVISOR = `
import ctypes, os, signal, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
child = subprocess.Popen(sys.argv[1:])
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        pass
`;

async function freePort(): Promise<number> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return await Promise.resolve((listener.addr as Deno.NetAddr).port);
}

/**
 * Start Dovecot's POP3 on a free loopback port, serving `mailRoot/<user>/`.
 *
 * @example
 * ```ts ignore
 * await using dovecot = await startDovecotPop3({ mailRoot, users: new Map([["alice", "pw"]]) });
 * await using client = await Pop3Client.connect(dovecot.port);
 * ```
 */
export async function startDovecotPop3(options: DovecotOptions): Promise<DovecotPop3> {
  const dir = await Deno.makeTempDir({ prefix: "dovecot-" });
  // Dovecot's auth process runs as user dovecot and must reach the passwd file.
  await Deno.chmod(dir, 0o755);
  await Deno.mkdir(`${dir}/run`);
  await Deno.mkdir(`${dir}/state`);
  const passwd = [...options.users].map(([user, pw]) => `${user}:{PLAIN}${pw}`).join("\n");
  await Deno.writeTextFile(`${dir}/passwd`, passwd + "\n", { mode: 0o644 });
  await Deno.chmod(`${dir}/passwd`, 0o644);
  await chownTree(options.mailRoot, NOBODY);
  const port = await freePort();
  const conf = `
protocols = pop3
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
default_internal_user = dovecot
default_login_user = dovenull
pop3_uidl_format = %f
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${options.mailRoot}/%u
}
mail_location = maildir:${options.mailRoot}/%u
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${port}
  }
}
`;
  await Deno.writeTextFile(`${dir}/dovecot.conf`, conf);
  const process = new Deno.Command("python3", {
    args: ["-c", SUPERVISOR, options.binary ?? "dovecot", "-F", "-c", `${dir}/dovecot.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(process.stderr).text();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        process.kill("SIGTERM");
      } catch {
        // already gone
      }
      await process.status;
      await stderr;
      await Deno.remove(dir, { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    })();
    return stopped;
  };
  try {
    await withTimeout(
      waitForPort(port, process.status),
      options.timeoutMs ?? 10_000,
      `Dovecot to listen on ${port}`,
    );
  } catch (error) {
    await stop();
    throw new Error(`Cannot start Dovecot: ${(error as Error).message}\n${await stderr}`);
  }
  return {
    port,
    log: () => Deno.readTextFile(`${dir}/dovecot.log`).catch(() => ""),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Connect until the port answers; fail if the process exits first. */
async function waitForPort(port: number, exited: Promise<Deno.CommandStatus>): Promise<void> {
  let done = false;
  exited.then(() => done = true);
  while (!done) {
    try {
      const conn = await connectLoopback(port, { timeoutMs: 500 });
      conn.close();
      return;
    } catch {
      // Not listening yet: Dovecot takes a few ms to bind. Wait for the next attempt on
      // the process's own exit or a short timer, whichever comes first.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }
  throw new Error("Dovecot exited before listening");
}

/** Hand a folder tree to `uid` (Dovecot will not read mail as root). */
export async function chownTree(path: string, uid: number): Promise<void> {
  await Deno.chown(path, uid, uid);
  for await (const entry of Deno.readDir(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) await chownTree(child, uid);
    else await Deno.chown(child, uid, uid);
  }
}
