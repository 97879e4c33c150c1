/**
 * The servers the mail lab runs, as a list anyone can extend.
 *
 * Each chapter's server is one {@linkcode LabService}: a name (which also names its
 * `--<name>-port` flag), a default port, and a `start` function that serves the shared
 * Maildir tree and user table on 127.0.0.1. Plugging in another server is one entry in
 * {@linkcode LAB_SERVICES}.
 *
 * @module
 */

import type { AuthThrottle, LoopbackServer } from "../net/mod.ts";
import type { MailStore } from "../maildir/mod.ts";
import { serveSmtp } from "../smtp/mod.ts";
import { servePop3 } from "../pop3/mod.ts";
import { serveImap } from "../imap/mod.ts";

/** What every lab server shares. */
export interface LabContext {
  /** The Maildir tree: `folder/<user>/` per user. */
  store: MailStore;
  /** User names and passwords (for AUTH, POP3 USER/PASS, IMAP LOGIN). */
  users: ReadonlyMap<string, string>;
  /** Mail domains delivered locally: `user@<domain>`. */
  domains: readonly string[];
  /** The lab's host name, used in greetings and Received: lines. */
  hostname: string;
  /**
   * One password-guessing policy for all the lab's servers (lib/net/auth_throttle.ts): a
   * client's wrong passwords on SMTP, POP3 and IMAP add up to one growing delay.
   */
  authThrottle?: AuthThrottle;
}

/** One server of the lab. */
export interface LabService {
  /** Short name, lower case: "smtp". The flag `--smtp-port` comes from it. */
  name: string;
  /** What a learner points at it, e.g. "SMTP (send mail, RFC 5321)". */
  description: string;
  /** The port used unless a flag says otherwise. */
  defaultPort: number;
  /** Start serving on 127.0.0.1:`port` (0 picks a free port). */
  start(context: LabContext, port: number): LoopbackServer | Promise<LoopbackServer>;
}

/** SMTP: mail submitted here lands in the recipients' Maildir INBOX. */
export const SMTP_SERVICE: LabService = {
  name: "smtp",
  description: "SMTP (send mail, RFC 5321; AUTH PLAIN/LOGIN)",
  defaultPort: 2525,
  start: (context, port) =>
    serveSmtp({
      port,
      hostname: context.hostname,
      store: context.store,
      users: context.users,
      domains: context.domains,
      authThrottle: context.authThrottle,
    }),
};

/** POP3: fetch (and delete) what SMTP delivered to INBOX. */
export const POP3_SERVICE: LabService = {
  name: "pop3",
  description: "POP3 (fetch mail, RFC 1939; USER/PASS, APOP)",
  defaultPort: 1110,
  start: (context, port) =>
    servePop3({
      port,
      store: context.store,
      users: new Map(context.users),
      authThrottle: context.authThrottle,
    }),
};

/** IMAP: folders and flags kept on the server, shared by every client. */
export const IMAP_SERVICE: LabService = {
  name: "imap",
  description: "IMAP (mail stays on the server, RFC 3501; LOGIN, AUTHENTICATE PLAIN)",
  defaultPort: 1143,
  start: (context, port) =>
    serveImap({
      port,
      store: context.store,
      users: new Map(context.users),
      authThrottle: context.authThrottle,
    }),
};

/** Every server `deno task lab` starts, in order. Another server is one more entry. */
export const LAB_SERVICES: LabService[] = [SMTP_SERVICE, POP3_SERVICE, IMAP_SERVICE];
