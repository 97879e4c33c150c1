/**
 * One IMAP connection on the server side: read a command, check its state, run its
 * handler, send the untagged updates the mailbox owes the client, then the tagged reply
 * (RFC 3501 2.2.2, 5.5, 7).
 *
 * @module
 */

import {
  type AuthAttempts,
  IdleTimeoutError,
  LineTooLongError,
  type LoginDeadline,
  writeAll,
} from "../net/mod.ts";
import type { Maildir, MailStore } from "../maildir/mod.ts";
import { compile } from "./compiler.ts";
import { CAPABILITIES, LIMITS, STATE, type State } from "./constants.ts";
import { type FrameLimits, FrameReader, LiteralTooLargeError } from "./framing.ts";
import type { MailboxRegistry } from "./mailbox.ts";
import { UnknownCteError } from "./binary.ts";
import { KeywordLimitError } from "./keywords.ts";
import { ImapParseError, Parser } from "./parser.ts";
import type { SelectedMailbox } from "./selected.ts";
import { COMMANDS } from "./commands/mod.ts";
import { liveSearchUpdates } from "./commands/search.ts";
import { type Command, CommandError, type CommandResult } from "./commands/types.ts";
import type { ImapValue } from "./values.ts";

/** What a session needs from its server. */
export interface SessionConfig {
  store: MailStore;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  registry: MailboxRegistry;
  /** Autologout after this much silence (RFC 3501 5.4); a function is asked before each read. */
  idleTimeoutMs: number | (() => number);
  /** This connection's login attempts under the server's password-guessing policy. */
  authAttempts?: AuthAttempts;
  /** The time left to log in (lib/net/login_deadline.ts); told when the client logs in. */
  loginDeadline?: LoginDeadline;
  /** How often a folder with IDLE sessions is rescanned besides its file-system events. */
  pollIntervalMs: number;
  maxLiteralSize: number;
  /** Most octets all literals of one command may hold once logged in. */
  maxCommandLiteralSize: number;
  /** Resolves when the server is closing: IDLE and other waits end. */
  closing: Promise<void>;
}

/**
 * Tags are any ASTRING-CHARs except "+" (RFC 3501 9 `tag`): no space, no
 * parentheses, braces, quotes, backslash, "%", "*" or controls.
 */
// deno-lint-ignore no-control-regex
const TAG = /^[^\s(){%*"\\+\x00-\x1f\x7f]+$/;
const encoder = new TextEncoder();

/** One connection's state machine. */
export class Session {
  state: State = STATE.NotAuthenticated;
  user: string | null = null;
  maildir: Maildir | null = null;
  selected: SelectedMailbox | null = null;
  authFailures = 0;
  /** Extensions turned on by ENABLE (RFC 5161) or implicitly (RFC 7162 3.1, condstore.ts). */
  readonly enabled = new Set<string>();
  readonly config: SessionConfig;
  readonly reader: FrameReader;
  readonly #conn: { write(bytes: Uint8Array): Promise<number> };
  #out: Uint8Array[] = [];
  #outSize = 0;

  constructor(
    conn: { read(b: Uint8Array): Promise<number | null>; write(b: Uint8Array): Promise<number> },
    config: SessionConfig,
  ) {
    this.#conn = conn;
    this.config = config;
    this.reader = new FrameReader(conn, {
      maxLineLength: LIMITS.maxLineLength,
      // Most commands are short: a few KiB per connection, grown only for a long line.
      initialBufferSize: LIMITS.initialLineBuffer,
      idleTimeoutMs: config.idleTimeoutMs,
      ...this.#frameLimits(),
    });
  }

  /**
   * What the next command may make the server hold: little before login, more after
   * (LIMITS in constants.ts names every bound).
   */
  #frameLimits(): Required<FrameLimits> {
    if (this.state === STATE.NotAuthenticated) {
      const size = Math.min(LIMITS.preAuthLiteralSize, this.config.maxLiteralSize);
      return {
        maxLiteralSize: size,
        maxTotalLiteralSize: size,
        maxLiterals: LIMITS.preAuthLiterals,
        maxTextSize: LIMITS.preAuthCommandText,
      };
    }
    return {
      maxLiteralSize: this.config.maxLiteralSize,
      maxTotalLiteralSize: this.config.maxCommandLiteralSize,
      maxLiterals: LIMITS.maxLiterals,
      maxTextSize: LIMITS.maxCommandText,
    };
  }

  /** Queue an untagged response (or any line) given as values. */
  send(values: readonly ImapValue[]): void {
    for (const piece of compile(values)) {
      this.#push(encoder.encode(piece.text));
      if (piece.literal) this.#push(piece.literal);
    }
  }

  /** Queue a line of text as it is (CRLF added). */
  sendText(line: string): void {
    this.#push(encoder.encode(line + "\r\n"));
  }

  #push(bytes: Uint8Array): void {
    this.#out.push(bytes);
    this.#outSize += bytes.length;
  }

  /** Write what is queued. Large FETCH responses are flushed as they grow. */
  async flush(): Promise<void> {
    if (!this.#out.length) return;
    const out = new Uint8Array(this.#outSize);
    let at = 0;
    for (const chunk of this.#out) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.#out = [];
    this.#outSize = 0;
    await writeAll(this.#conn, out);
  }

  /** Flush when the queue is big (called by FETCH between messages). */
  async flushIfLarge(): Promise<void> {
    if (this.#outSize > LIMITS.outputFlushSize) await this.flush();
  }

  /** The CAPABILITY list for the current state (no AUTH= once logged in). */
  capabilities(): string[] {
    return this.state === STATE.NotAuthenticated
      ? [...CAPABILITIES]
      : CAPABILITIES.filter((c) => !c.startsWith("AUTH=") && c !== "SASL-IR");
  }

  /**
   * Send untagged updates for the selected mailbox (RFC 3501 5.2). `refresh: false` when
   * the shared mailbox has just looked at the disk itself (an IDLE wake-up).
   */
  async sendUpdates(
    options: { expunge: boolean; uid?: boolean; refresh?: boolean },
  ): Promise<void> {
    const selected = this.selected;
    if (!selected) return;
    try {
      if (options.refresh !== false) await selected.shared.refresh();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      // The mailbox was deleted or renamed under us: RFC 3501 has no way to say so
      // gently but BYE; we keep the session and let commands fail with NO.
      return;
    }
    const before = selected.liveSearches.size ? [...selected.uids] : [];
    const lines = selected.updates(options);
    const live = selected.liveSearches.size
      ? await liveSearchUpdates(this, before)
      : { remove: [], add: [] };
    for (const line of live.remove) this.sendText(line);
    for (const line of lines) {
      if (typeof line === "string") this.sendText(line);
      else this.send(line);
    }
    for (const line of live.add) this.sendText(line);
    await selected.saving;
  }

  /** Serve the connection until LOGOUT, close or autologout. */
  async run(): Promise<void> {
    this.sendText(
      `* OK [CAPABILITY ${this.capabilities().join(" ")}] IMAP4rev1 course server ready`,
    );
    await this.flush();
    while (this.state !== STATE.Logout) {
      let frame;
      this.reader.limits = this.#frameLimits();
      try {
        frame = await this.reader.readFrame(async (_size, synchronizing) => {
          // RFC 3501 7.5: the server says "+" when it is ready for a synchronizing literal.
          if (synchronizing) {
            this.sendText("+ Ready for literal data");
            await this.flush();
          }
        });
      } catch (error) {
        if (error instanceof LiteralTooLargeError) {
          const tag = error.line.split(" ")[0];
          const safeTag = TAG.test(tag) ? tag : "*";
          if (error.synchronizing) {
            // The client waits for "+" that never comes, so the command simply ends here.
            this.sendText(`${safeTag} NO [TOOBIG] ${error.message}`);
            await this.flush();
            continue;
          }
          // {n+}: the octets are already on their way and we will not read them (RFC 7888 4).
          this.sendText(`${safeTag} BAD [TOOBIG] ${error.message}`);
          this.sendText("* BYE Closing: cannot skip an oversized non-synchronizing literal");
          await this.flush();
          return;
        }
        if (error instanceof LineTooLongError) {
          this.sendText(`* BAD ${error.message}`);
          await this.flush();
          continue;
        }
        if (error instanceof IdleTimeoutError) {
          this.sendText(this.#autologoutText());
          await this.flush().catch(() => {});
          return;
        }
        throw error;
      }
      if (frame === null) return;
      try {
        await this.#handle(frame);
      } catch (error) {
        // IDLE reads lines inside its handler; its silence is an autologout too.
        if (!(error instanceof IdleTimeoutError)) throw error;
        this.sendText(this.#autologoutText());
        await this.flush().catch(() => {});
        return;
      }
      await this.flush();
    }
  }

  async #handle(frame: { lines: string[]; literals: Uint8Array[]; size: number }): Promise<void> {
    const first = frame.lines[0];
    if (first.trim() === "") return; // an empty line: ignore, as Dovecot does
    const space = first.indexOf(" ");
    const tag = space < 0 ? first : first.slice(0, space);
    if (!TAG.test(tag)) {
      this.sendText(`* BAD Invalid tag ${JSON.stringify(tag.slice(0, 40))}`);
      return;
    }
    let command: Command;
    try {
      const parser = new Parser(frame, { nil: false });
      parser.readTag();
      if (parser.atEnd()) throw new ImapParseError("Cannot parse: command name missing");
      const nameAtom = parser.readAtom();
      let name = nameAtom.value.toUpperCase();
      let uid = false;
      if (name === "UID") {
        uid = true;
        if (parser.atEnd()) throw new ImapParseError("Cannot parse: UID needs a command");
        name = parser.readAtom().value.toUpperCase();
      }
      command = { tag, name, uid, args: parser.readAll() };
    } catch (error) {
      if (error instanceof ImapParseError) {
        this.sendText(`${tag} BAD ${error.message}`);
        return;
      }
      throw error;
    }
    const result = await this.#dispatch(command);
    const code = result.code ? `[${result.code}] ` : "";
    this.sendText(`${tag} ${result.status} ${code}${result.text}`);
  }

  async #dispatch(command: Command): Promise<CommandResult> {
    const handler = Object.hasOwn(COMMANDS, command.name) ? COMMANDS[command.name] : undefined;
    const shown = (command.uid ? "UID " : "") + command.name;
    if (!handler || (command.uid && !handler.uid)) {
      return { status: "BAD", text: `Unknown command ${JSON.stringify(shown.slice(0, 40))}` };
    }
    if (!handler.states.includes(this.state)) {
      // RFC 3501 6: a command in the wrong state is a protocol error.
      return { status: "BAD", text: `${shown} is not allowed in the ${this.state} state` };
    }
    let result: CommandResult;
    try {
      result = (await handler.run(this, command)) ?? { status: "OK", text: `${shown} completed` };
    } catch (error) {
      if (error instanceof CommandError) {
        result = { status: error.status, code: error.code, text: error.message };
      } else if (error instanceof Deno.errors.NotFound) {
        result = { status: "NO", code: "NONEXISTENT", text: error.message };
      } else if (error instanceof Error && error.name === "MailboxNameError") {
        result = { status: "NO", code: "CANNOT", text: error.message };
      } else if (error instanceof UnknownCteError) {
        result = { status: "NO", code: "UNKNOWN-CTE", text: error.message }; // RFC 3516 4.2
      } else if (error instanceof KeywordLimitError) {
        result = { status: "NO", code: "LIMIT", text: error.message }; // RFC 5530 3
      } else {
        throw error;
      }
    }
    if (this.selected && this.state === STATE.Selected) {
      // RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH (sequence numbers would shift).
      const holdExpunge = !command.uid && ["FETCH", "STORE", "SEARCH"].includes(command.name);
      await this.sendUpdates({ expunge: !holdExpunge, uid: command.uid });
    }
    return result;
  }

  /** The BYE of a timeout: no login in time, or silence after login (RFC 3501 5.4). */
  #autologoutText(): string {
    return this.config.loginDeadline?.expired
      ? "* BYE No login in time, closing"
      : "* BYE Autologout; idle for too long (RFC 3501 5.4)";
  }

  /** Log out now (LOGOUT command, or the server closing). */
  logout(): void {
    this.state = STATE.Logout;
    this.selected = null;
  }
}
