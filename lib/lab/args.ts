/**
 * Command-line flags of `deno task lab`.
 *
 * @module
 */

import type { LabService } from "./services.ts";

/** What the flags asked for. */
export interface LabArgs {
  folder: string;
  users: Map<string, string>;
  ports: Record<string, number>;
  domains: string[];
  help: boolean;
}

/** The users a lab gets when none are given. */
export const DEFAULT_USERS: ReadonlyMap<string, string> = new Map([["alice", "alice-pw"], [
  "bob",
  "bob-pw",
]]);

/** The help text, listing one port flag per service. */
export function labUsage(services: readonly LabService[]): string {
  return [
    "Usage: deno task lab [options]",
    "",
    "Runs the course's mail servers on 127.0.0.1 over a Maildir folder. Ctrl-C stops them.",
    "",
    "  --folder DIR          Maildir tree, one folder per user (default: ./lab-mail)",
    "  --user NAME:PASSWORD  a user; repeat for more (default: alice:alice-pw bob:bob-pw)",
    "  --domain NAME         a local mail domain; repeat for more (default: localhost)",
    ...services.map((s) =>
      `  --${s.name}-port N`.padEnd(24) +
      `${s.description} (default: ${s.defaultPort}; 0 = any free port)`
    ),
    "  --help                this text",
  ].join("\n");
}

/**
 * Parse the flags. Accepts `--flag value` and `--flag=value`.
 *
 * @throws {Error} naming the flag that was wrong and why.
 *
 * @example
 * ```ts
 * import { parseLabArgs } from "./args.ts";
 * import { LAB_SERVICES } from "./services.ts";
 * const a = parseLabArgs(["--user", "ann:pw", "--smtp-port=2526"], LAB_SERVICES);
 * if (a.ports.smtp !== 2526 || a.users.get("ann") !== "pw") throw new Error();
 * ```
 */
export function parseLabArgs(argv: readonly string[], services: readonly LabService[]): LabArgs {
  const out: LabArgs = {
    folder: "lab-mail",
    users: new Map(),
    ports: {},
    domains: [],
    help: false,
  };
  const portFlags = new Map(services.map((s) => [`--${s.name}-port`, s.name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) {
        throw new Error(`Missing value after ${flag}`);
      }
      return next;
    };
    if (flag === "--folder") out.folder = value();
    else if (flag === "--domain") out.domains.push(value().toLowerCase());
    else if (flag === "--user") {
      const text = value();
      const colon = text.indexOf(":");
      const [name, password] = [text.slice(0, colon), text.slice(colon + 1)];
      if (colon <= 0 || !password) {
        throw new Error(`Bad --user ${JSON.stringify(text)}: write name:password`);
      }
      if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) {
        throw new Error(
          `Bad --user name ${JSON.stringify(name)}: use letters, digits, dot, dash, underscore`,
        );
      }
      out.users.set(name, password);
    } else if (portFlags.has(flag)) {
      const text = value();
      const port = Number(text);
      if (!/^\d+$/.test(text) || port > 65535) {
        throw new Error(`Bad ${flag} ${JSON.stringify(text)}: a port is 0 to 65535`);
      }
      out.ports[portFlags.get(flag)!] = port;
    } else {
      throw new Error(`Unknown option ${arg} (try --help)`);
    }
  }
  if (out.users.size === 0) { for (const [u, p] of DEFAULT_USERS) out.users.set(u, p); }
  if (out.domains.length === 0) out.domains.push("localhost");
  return out;
}
