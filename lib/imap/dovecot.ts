/**
 * A private Dovecot IMAP server on 127.0.0.1, for interop tests, the notebook and the
 * benchmark: our client against a real server, and a real server on our Maildir.
 *
 * Everything lives in a temporary folder (config, sockets, state, log); the store is
 * any folder of per-user Maildirs (`mail_location = maildir:<root>/%u`, the layout of
 * lib/maildir's MailStore, with the Maildir++ folders Dovecot uses by default). Users
 * and passwords come from a passwd-file. Dovecot cannot be told to pick a free port and
 * report it, so we ask the OS for one and hand it over (a small race we accept in tests).
 *
 * @module
 */

import { connectLoopback, withTimeout } from "../net/mod.ts";

/** Options for {@linkcode startDovecot}. */
export interface DovecotOptions {
  /** Folder holding one Maildir per user. */
  mailRoot: string;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  /** The dovecot binary (default "dovecot" on PATH, or /usr/sbin/dovecot). */
  binary?: string;
  /** Deadline for the port to answer, ms. Default 10000. */
  timeoutMs?: number;
}

/** A running Dovecot; `await using` stops it and removes its temp folder. */
export interface Dovecot extends AsyncDisposable {
  port: number;
  /** The temp folder with dovecot.conf and dovecot.log. */
  dir: string;
  stop(): Promise<void>;
}

async function chownTree(root: string, user: string): Promise<void> {
  const status = await new Deno.Command("chown", { args: ["-R", `${user}:`, root] }).output();
  if (!status.success) {
    throw new Error(`Cannot hand ${root} to ${user}: ${new TextDecoder().decode(status.stderr)}`);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Start `dovecot -F -c <temp>/dovecot.conf` and wait until its port answers.
 *
 * @example
 * ```ts ignore
 * await using dovecot = await startDovecot({ mailRoot, users: new Map([["alice", "pw"]]) });
 * await using client = await ImapClient.connect(dovecot.port);
 * ```
 */
export async function startDovecot(options: DovecotOptions): Promise<Dovecot> {
  const dir = await Deno.makeTempDir({ prefix: "dovecot-" });
  const port = freePort();
  const passwd = [...options.users].map(([u, p]) => `${u}:{PLAIN}${p}`).join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/passwd`, passwd);
  // Dovecot's auth process runs as the unprivileged dovecot user and must read these
  // (throwaway loopback credentials only).
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(`${dir}/passwd`, 0o644);
  const isRoot = Deno.uid() === 0;
  // Dovecot refuses to access mail as root, so as root the mail is handed to "nobody"
  // (the Maildirs are chowned; our own server, running as root, can still use them).
  const who = isRoot ? "nobody" : Deno.env.get("USER") ?? "nobody";
  if (isRoot) await chownTree(options.mailRoot, who);
  const conf = `# A private Dovecot for the course: loopback only, no TLS, plaintext auth allowed.
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:${options.mailRoot}/%u
${isRoot ? "default_internal_user = dovecot\ndefault_login_user = dovenull\n" : ""}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${who} gid=${isRoot ? "nogroup" : who} home=${options.mailRoot}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
protocol imap {
  # The benchmark opens many sessions for one user from one address.
  mail_max_userip_connections = 1000
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  await Deno.writeTextFile(`${dir}/dovecot.conf`, conf);
  const child = new Deno.Command(options.binary ?? "dovecot", {
    args: ["-F", "-c", `${dir}/dovecot.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await child.status;
      await stderr;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
    return stopped;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  try {
    while (true) {
      const exited = await Promise.race([child.status.then(() => true), Promise.resolve(false)]);
      if (exited) {
        const log = await Deno.readTextFile(`${dir}/dovecot.log`).catch(() => "");
        throw new Error(`Cannot start Dovecot: it exited. ${await stderr} ${log}`.trim());
      }
      try {
        const conn = await withTimeout(
          connectLoopback(port, { timeoutMs: 1000 }),
          1500,
          "Dovecot's port",
        );
        conn.close();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        // Not listening yet: wait for the master to bind, checking it is still alive.
        await Promise.race([child.status, new Promise((r) => setTimeout(r, 50))]);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, dir, stop, [Symbol.asyncDispose]: stop };
}
