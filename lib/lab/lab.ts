/**
 * The mail lab: the course's mail servers on 127.0.0.1 over one Maildir tree, so that
 * learners can point ordinary mail programs (Thunderbird, mutt, curl, swaks, Python's
 * smtplib) at them.
 *
 * @module
 */

import { JournaledMailStore, sweepTmpPeriodically } from "../maildir/mod.ts";
import { AuthThrottle, type LoopbackServer } from "../net/mod.ts";
import { LAB_SERVICES, type LabContext, type LabService } from "./services.ts";

/** Options for {@linkcode startLab}. */
export interface LabOptions {
  /** The Maildir tree; created when missing. */
  folder: string;
  /** User names and passwords. */
  users: ReadonlyMap<string, string>;
  /** Port per service name; missing ones use the service's default. */
  ports?: Readonly<Record<string, number>>;
  /** Local mail domains. Default `["localhost"]`. */
  domains?: readonly string[];
  /** Host name for greetings. Default "localhost". */
  hostname?: string;
  /** Which servers. Default {@linkcode LAB_SERVICES}. */
  services?: readonly LabService[];
  /** How often stale tmp/ files are swept while the lab runs. Default one hour. */
  tmpSweepIntervalMs?: number;
  /**
   * The password-guessing policy all the lab's servers share. Default: one
   * {@linkcode AuthThrottle} with the defaults of lib/net/auth_throttle.ts.
   */
  authThrottle?: AuthThrottle;
}

/** One running lab server. */
export interface Listening {
  name: string;
  description: string;
  port: number;
}

/** A running lab. `await using` (or `close()`) stops every server. */
export interface Lab extends AsyncDisposable {
  readonly folder: string;
  readonly listening: readonly Listening[];
  /** A few lines for the terminal: what listens where, which users exist. */
  describe(): string;
  close(): Promise<void>;
}

/**
 * Start every lab server. If one cannot start (its port is taken, say), the ones already
 * started are closed and the error names the server and port.
 *
 * SMTP deliveries go through the store's journal (lib/maildir/journaled_store.ts); opening
 * it first files into Maildir whatever an earlier run acknowledged but had not filed.
 * Before serving, stale tmp/ files (leftovers of deliveries that crashed, older than 36
 * hours as the maildir spec says) are removed from every user's folders, and again every
 * `tmpSweepIntervalMs` while the lab runs.
 *
 * @example
 * ```ts
 * import { startLab } from "./lab.ts";
 * const folder = await Deno.makeTempDir();
 * await using lab = await startLab({ folder, users: new Map([["alice", "pw"]]), ports: { smtp: 0 } });
 * if (lab.listening[0].name !== "smtp") throw new Error();
 * await Deno.remove(folder, { recursive: true });
 * ```
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  // Opening the store first files what a crash left in its journal, before anyone reads.
  const store = await JournaledMailStore.open(options.folder);
  const context: LabContext = {
    store,
    users: options.users,
    domains: options.domains ?? ["localhost"],
    hostname: options.hostname ?? "localhost",
    authThrottle: options.authThrottle ?? new AuthThrottle(),
  };
  try {
    await store.cleanTmp();
  } catch (error) {
    await store.close();
    throw error;
  }
  const sweeper = sweepTmpPeriodically(context.store, { intervalMs: options.tmpSweepIntervalMs });
  const started: { service: LabService; server: LoopbackServer }[] = [];
  const close = async () => {
    await Promise.all([sweeper.close(), ...started.map((s) => s.server.close())]);
    await store.close();
  };
  for (const service of options.services ?? LAB_SERVICES) {
    const port = options.ports?.[service.name] ?? service.defaultPort;
    try {
      started.push({ service, server: await service.start(context, port) });
    } catch (error) {
      await close();
      const why = error instanceof Deno.errors.AddrInUse ? "the port is in use" : String(error);
      throw new Error(`Cannot start the ${service.name} server on 127.0.0.1:${port}: ${why}`, {
        cause: error,
      });
    }
  }
  const listening = started.map(({ service, server }) => ({
    name: service.name,
    description: service.description,
    port: server.port,
  }));
  return {
    folder: options.folder,
    listening,
    describe() {
      const width = Math.max(...listening.map((l) => l.name.length));
      return [
        ...listening.map((l) =>
          `${
            l.name.toUpperCase().padEnd(width)
          }  listening on 127.0.0.1:${l.port}  ${l.description}`
        ),
        `Maildir   ${options.folder}/<user>/`,
        ...(store.replayed > 0
          ? [
            `Journal   filed ${store.replayed} acknowledged message(s) that the last run had not filed`,
          ]
          : []),
        `Users     ${
          [...options.users].map(([u, p]) => `${u}@${context.domains[0]} (password ${p})`).join(
            ", ",
          )
        }`,
      ].join("\n");
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
