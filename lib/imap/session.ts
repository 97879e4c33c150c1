/**
 * One IMAP connection's protocol logic on the server side, with no socket in it: the
 * transport (connection.ts) reads a command (a line, or lines with `{n}` literals spliced
 * in, RFC 3501 2.2) and hands it to {@linkcode Session.step}; the session checks the
 * command's state, runs its handler, queues the untagged updates the mailbox owes the
 * client and then the tagged reply (RFC 3501 2.2.2, 5.5, 7), and answers with the bytes
 * to send and what to wait for next ({@linkcode Wait}).
 *
 * This is the shape of the SMTP and POP3 sessions (`step` in, replies and the next wait
 * out), with one difference: IMAP commands work on mailboxes, which means files, so a
 * step is asynchronous. Commands that wait for the client after a continuation request
 * (AUTHENTICATE, IDLE) return a {@linkcode Continuation}; the session then asks for a
 * line (or, in IDLE, a line or a change of the mailbox) and feeds what comes to it.
 *
 * Everything the transport notices (the client closed, went silent, sent a line or a
 * literal over the limit, the server is closing) is an input too, so every answer the
 * RFCs prescribe for them is here and can be tested by feeding inputs.
 *
 * @module
 */

import type { AuthAttempts, LoginDeadline } from "../net/mod.ts";
import type { Maildir, MailStore } from "../maildir/mod.ts";
import { compile } from "./compiler.ts";
import { CAPABILITIES, LIMITS, STATE, type State } from "./constants.ts";
import type { Frame, FrameLimits, LiteralTooLargeError } from "./framing.ts";
import type { MailboxRegistry, SharedMailbox } from "./mailbox.ts";
import { MailboxEvents, type Notify, type NotifyHost } from "./notify.ts";
import { UnknownCteError } from "./binary.ts";
import { KeywordLimitError } from "./keywords.ts";
import { ImapParseError, Parser } from "./parser.ts";
import type { SelectedMailbox } from "./selected.ts";
import { COMMANDS } from "./commands/mod.ts";
import { liveSearchUpdates } from "./commands/search.ts";
import { commandEndNews, pushNews } from "./commands/notify.ts";
import { fetchMessages, parseFetchItems } from "./commands/fetch.ts";
import {
  type Command,
  CommandError,
  type CommandResult,
  type Continuation,
} from "./commands/types.ts";
import type { ImapValue } from "./values.ts";

/** What a session needs from its server. */
export interface SessionConfig {
  store: MailStore;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  registry: MailboxRegistry;
  /** This connection's login attempts under the server's password-guessing policy. */
  authAttempts?: AuthAttempts;
  /** The time left to log in (lib/net/login_deadline.ts); told when the client logs in. */
  loginDeadline?: LoginDeadline;
  /** How often a folder with IDLE sessions is rescanned besides its file-system events. */
  pollIntervalMs: number;
  maxLiteralSize: number;
  /** Most octets all literals of one command may hold once logged in. */
  maxCommandLiteralSize: number;
  /** Most folders one NOTIFY may watch (default `LIMITS.notifyMailboxes`). */
  notifyMailboxes?: number;
  /**
   * How the server's sessions tell each other about mailbox names and subscriptions
   * (NOTIFY, RFC 5465 5.4, 5.5); one per server. Without it, a session hears only itself.
   */
  mailboxEvents?: MailboxEvents;
}

/** What the transport read or noticed, for {@linkcode Session.step}. */
export type SessionInput =
  /** A command: its lines and literals (framing.ts). */
  | { kind: "command"; frame: Frame }
  /** A line answering a continuation request (AUTHENTICATE's response, IDLE's DONE). */
  | { kind: "line"; text: string }
  /** In IDLE: the selected mailbox changed ({@linkcode Continuation.changed} resolved). */
  | { kind: "wake" }
  /** Between commands: NOTIFY has news to push ({@linkcode Wait}'s `news` resolved). */
  | { kind: "news" }
  /** The client's line was over the limit; the reader skipped it. */
  | { kind: "line-too-long"; reason: string }
  /** A literal was announced over the limit; none of its octets were read. */
  | { kind: "literal-too-large"; error: LiteralTooLargeError }
  /** The client sent nothing for the idle timeout (RFC 3501 5.4 autologout). */
  | { kind: "timeout" }
  /** The server is closing (sent while in IDLE). */
  | { kind: "closing" }
  /** The client closed the connection. */
  | { kind: "end" };

/** What the transport waits for after sending a step's output. */
export type Wait =
  /**
   * A command within these limits. Before the octets of a synchronizing literal `{n}`,
   * send `literalReady` (RFC 3501 7.5: the server says "+" when it is ready for them).
   * With NOTIFY on, `news` resolving first means: feed "news" (the command's read goes on).
   */
  | {
    kind: "command";
    limits: Required<FrameLimits>;
    literalReady: Uint8Array;
    news?: Promise<void>;
  }
  /** One plain line (AUTHENTICATE's response). */
  | { kind: "line" }
  /** One plain line (DONE), or `changed` resolving (then feed "wake"), or the server closing. */
  | { kind: "idle"; changed: Promise<void> }
  /** Close the connection. */
  | { kind: "close" };

/** What {@linkcode Session.step} returns: bytes to send, then what to wait for. */
export interface StepResult {
  output: Uint8Array;
  next: Wait;
}

/**
 * Tags are any ASTRING-CHARs except "+" (RFC 3501 9 `tag`): no space, no
 * parentheses, braces, quotes, backslash, "%", "*" or controls.
 */
// deno-lint-ignore no-control-regex
const TAG = /^[^\s(){%*"\\+\x00-\x1f\x7f]+$/;
const encoder = new TextEncoder();
const LITERAL_READY = encoder.encode("+ Ready for literal data\r\n");
const AUTOLOGOUT = "* BYE Autologout; idle for too long (RFC 3501 5.4)";

/** How a handler ended: its tagged result (null: "OK <name> completed"), or a wait. */
type Outcome = CommandResult | Continuation | null;

function isContinuation(outcome: Outcome): outcome is Continuation {
  return outcome !== null && "kind" in outcome && outcome.kind === "continuation";
}

/** A command waiting for the client after "+". */
interface Waiting {
  command: Command;
  continuation: Continuation;
}

/**
 * One connection's state machine.
 *
 * @example Log in and select, without a network
 * ```ts
 * import { Session } from "./session.ts";
 * import { MailboxRegistry } from "./mailbox.ts";
 * import { MailStore } from "../maildir/mod.ts";
 * const root = await Deno.makeTempDir();
 * const session = new Session({
 *   store: new MailStore(root), users: new Map([["alice", "pw"]]),
 *   registry: new MailboxRegistry(), pollIntervalMs: 30_000,
 *   maxLiteralSize: 1 << 20, maxCommandLiteralSize: 1 << 20,
 * });
 * const line = (text: string) => ({ kind: "command" as const, frame: { lines: [text], literals: [], size: 0 } });
 * session.greet();
 * await session.step(line("a LOGIN alice pw"));
 * const selected = await session.step(line("b SELECT INBOX"));
 * const text = new TextDecoder().decode(selected.output);
 * if (!text.includes("b OK [READ-WRITE]")) throw new Error(text);
 * await session.end();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class Session {
  state: State = STATE.NotAuthenticated;
  user: string | null = null;
  maildir: Maildir | null = null;
  authFailures = 0;
  /** Extensions turned on by ENABLE (RFC 5161) or implicitly (RFC 7162 3.1, condstore.ts). */
  readonly enabled = new Set<string>();
  readonly config: SessionConfig;
  /**
   * Where a command's output goes when it grows past a few hundred KiB before the
   * command ends (a FETCH of many large messages), so it never sits whole in memory.
   * The transport sets it to a write to the socket; without it, output waits for the
   * step's result.
   */
  spill: ((bytes: Uint8Array) => Promise<void>) | null = null;
  #out: Uint8Array[] = [];
  #outSize = 0;
  #waiting: Waiting | null = null;
  #selected: SelectedMailbox | null = null;
  /** Mailboxes the running command holds ({@linkcode Session.mailbox}), let go when it ends. */
  #borrowed: SharedMailbox[] = [];
  /** NOTIFY's request in force and what it listens to (notify.ts), or null. */
  notify: Notify | null = null;
  readonly mailboxEvents: MailboxEvents;

  constructor(config: SessionConfig) {
    this.config = config;
    this.mailboxEvents = config.mailboxEvents ?? new MailboxEvents();
  }

  /** What NOTIFY needs of this session (logged in). */
  notifyHost(): NotifyHost {
    return {
      user: this.user!,
      maildir: this.maildir!,
      registry: this.config.registry,
      mailboxEvents: this.mailboxEvents,
      origin: this,
      enabled: this.enabled,
      selectedMailbox: () => this.selected?.shared ?? null,
      send: (values) => this.send(values),
      rescanMs: this.config.pollIntervalMs,
      maxMailboxes: this.config.notifyMailboxes ?? LIMITS.notifyMailboxes,
    };
  }

  /**
   * The selected mailbox (RFC 3501 3.3). Selecting holds the folder's shared state in
   * the registry; deselecting lets go of it, so it is dropped when nobody has it open.
   */
  get selected(): SelectedMailbox | null {
    return this.#selected;
  }

  set selected(next: SelectedMailbox | null) {
    const previous = this.#selected;
    if (next === previous) return;
    if (next) this.config.registry.hold(next.shared);
    this.#selected = next;
    if (previous) this.config.registry.release(previous.shared);
  }

  /**
   * A folder's shared state for the running command (SELECT, APPEND, STATUS, COPY),
   * held until the command ends.
   *
   * @throws {Deno.errors.NotFound} no such folder.
   */
  async mailbox(name: string): Promise<SharedMailbox> {
    const box = await this.config.registry.acquire(this.user!, this.maildir!, name);
    this.#borrowed.push(box);
    return box;
  }

  /** The running command is over: let go of the mailboxes it held. */
  #giveBack(): void {
    const borrowed = this.#borrowed;
    this.#borrowed = [];
    for (const box of borrowed) this.config.registry.release(box);
  }

  /** The greeting (RFC 3501 7.1.1, with CAPABILITY as RFC 3501 7.2.1 allows). */
  greet(): StepResult {
    this.sendText(
      `* OK [CAPABILITY ${this.capabilities().join(" ")}] IMAP4rev1 course server ready`,
    );
    return this.#result();
  }

  /** Answer one input: the bytes to send and what to wait for next. */
  async step(input: SessionInput): Promise<StepResult> {
    const waiting = this.#waiting;
    switch (input.kind) {
      case "command":
        if (waiting) throw new Error("Cannot take a command while waiting for a continuation");
        await this.#command(input.frame);
        break;
      case "line":
        if (!waiting) throw new Error("Cannot take a line: no command is waiting for one");
        await this.#complete(waiting, () => waiting.continuation.line(input.text));
        break;
      case "wake":
        if (!waiting?.continuation.wake) break;
        await waiting.continuation.wake();
        break;
      case "news":
        if (waiting) throw new Error("Cannot push news while waiting for a continuation");
        await pushNews(this, false);
        break;
      case "line-too-long":
        if (waiting) {
          const { continuation, command } = waiting;
          const text = continuation.overlong?.(input.reason) ??
            `${command.name} cancelled: ${input.reason}`;
          await this.#complete(waiting, () => Promise.reject(new CommandError("BAD", text)));
        } else {
          this.sendText(`* BAD ${input.reason}`);
        }
        break;
      case "literal-too-large":
        this.#literalTooLarge(input.error);
        break;
      case "timeout":
        this.sendText(this.#autologoutText());
        await this.end();
        break;
      case "closing":
        this.sendText("* BYE Server shutting down");
        await this.end();
        break;
      case "end":
        await this.end();
        break;
    }
    return this.#result();
  }

  /**
   * The session is over (LOGOUT, the client gone, the server closing): release what a
   * waiting command holds. The transport calls it however the connection ends.
   */
  async end(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = null;
    this.logout();
    this.#giveBack();
    this.notify?.stop();
    this.notify = null;
    await waiting?.continuation.finish?.();
  }

  /** The queued output and the next wait. */
  #result(): StepResult {
    const output = this.#take();
    if (this.state === STATE.Logout) return { output, next: { kind: "close" } };
    const continuation = this.#waiting?.continuation;
    if (!continuation) {
      return {
        output,
        next: {
          kind: "command",
          limits: this.#frameLimits(),
          literalReady: LITERAL_READY,
          news: this.notify?.news(),
        },
      };
    }
    if (continuation.changed) {
      return { output, next: { kind: "idle", changed: continuation.changed() } };
    }
    return { output, next: { kind: "line" } };
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

  #literalTooLarge(error: LiteralTooLargeError): void {
    const tag = error.line.split(" ")[0];
    const safeTag = TAG.test(tag) ? tag : "*";
    if (error.synchronizing) {
      // The client waits for "+" that never comes, so the command simply ends here.
      this.sendText(`${safeTag} NO [TOOBIG] ${error.message}`);
      return;
    }
    // {n+}: the octets are already on their way and we will not read them (RFC 7888 4).
    this.sendText(`${safeTag} BAD [TOOBIG] ${error.message}`);
    this.sendText("* BYE Closing: cannot skip an oversized non-synchronizing literal");
    this.logout();
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

  /** Everything queued, as one buffer (one write, one segment for a small reply). */
  #take(): Uint8Array {
    const chunks = this.#out;
    if (chunks.length === 1) {
      this.#out = [];
      this.#outSize = 0;
      return chunks[0];
    }
    const out = new Uint8Array(this.#outSize);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.#out = [];
    this.#outSize = 0;
    return out;
  }

  /** Hand the queue to {@linkcode Session.spill} past LIMITS.outputFlushSize (FETCH calls this between messages). */
  async flushIfLarge(): Promise<void> {
    if (this.spill && this.#outSize > LIMITS.outputFlushSize) await this.spill(this.#take());
  }

  /** The CAPABILITY list for the current state (no AUTH= once logged in). */
  capabilities(): string[] {
    return this.state === STATE.NotAuthenticated
      ? [...CAPABILITIES]
      : CAPABILITIES.filter((c) => !c.startsWith("AUTH=") && c !== "SASL-IR");
  }

  /**
   * Queue untagged updates for the selected mailbox (RFC 3501 5.2). `refresh: false`
   * when the shared mailbox has just looked at the disk itself (an IDLE wake-up).
   */
  async sendUpdates(
    options: { expunge: boolean; uid?: boolean; refresh?: boolean; flags?: boolean },
  ): Promise<void> {
    const selected = this.selected;
    if (!selected) return;
    try {
      if (options.refresh !== false) await selected.shared.refreshUnlessCommitting();
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
      : { remove: [], add: [], fetch: [] };
    for (const line of live.remove) this.sendText(line);
    for (const line of lines) {
      if (typeof line === "string") this.sendText(line);
      else this.send(line);
    }
    // RFC 5465 7: "the EXISTS response MUST precede any FETCH responses, and together
    // they MUST precede the ESEARCH response".
    for (const { uids, items, uid } of live.fetch) {
      await fetchMessages(this, uids, parseFetchItems(items), uid);
    }
    for (const line of live.add) this.sendText(line);
    await selected.saving;
  }

  /** Parse a command frame, run it, and queue its replies (or its continuation request). */
  async #command(frame: Frame): Promise<void> {
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
    const handler = Object.hasOwn(COMMANDS, command.name) ? COMMANDS[command.name] : undefined;
    const shown = (command.uid ? "UID " : "") + command.name;
    if (!handler || (command.uid && !handler.uid)) {
      this.sendText(`${tag} BAD Unknown command ${JSON.stringify(shown.slice(0, 40))}`);
      return;
    }
    if (!handler.states.includes(this.state)) {
      // RFC 3501 6: a command in the wrong state is a protocol error.
      this.sendText(`${tag} BAD ${shown} is not allowed in the ${this.state} state`);
      return;
    }
    await this.#finish(command, await this.#outcome(() => handler.run(this, command)));
  }

  /** A waiting command's continuation gave its outcome: end the wait, then reply. */
  async #complete(
    waiting: Waiting,
    work: () => Promise<CommandResult | Continuation | void>,
  ): Promise<void> {
    const outcome = await this.#outcome(work);
    if (!isContinuation(outcome)) {
      this.#waiting = null;
      await waiting.continuation.finish?.();
    }
    await this.#finish(waiting.command, outcome);
  }

  /** Run a handler (or continuation), turning the errors commands throw into results. */
  async #outcome(
    work: () => Promise<CommandResult | Continuation | void>,
  ): Promise<Outcome> {
    try {
      return (await work()) ?? null;
    } catch (error) {
      if (error instanceof CommandError) {
        return { status: error.status, code: error.code, text: error.message };
      } else if (error instanceof Deno.errors.NotFound) {
        return { status: "NO", code: "NONEXISTENT", text: error.message };
      } else if (error instanceof Error && error.name === "MailboxNameError") {
        return { status: "NO", code: "CANNOT", text: error.message };
      } else if (error instanceof UnknownCteError) {
        return { status: "NO", code: "UNKNOWN-CTE", text: error.message }; // RFC 3516 4.2
      } else if (error instanceof KeywordLimitError) {
        return { status: "NO", code: "LIMIT", text: error.message }; // RFC 5530 3
      }
      throw error;
    }
  }

  /**
   * Queue what follows a command: "+" and the wait for a continuation; or the untagged
   * updates the mailbox owes the client, then the tagged reply.
   */
  async #finish(
    command: Command,
    outcome: Outcome,
  ): Promise<void> {
    if (isContinuation(outcome)) {
      this.#waiting = { command, continuation: outcome };
      this.sendText(`+ ${outcome.prompt}`);
      return;
    }
    const lastUid = this.selected?.uids.at(-1) ?? 0;
    if (this.selected && this.state === STATE.Selected) {
      // RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH (sequence numbers would shift).
      const holdExpunge = !command.uid && ["FETCH", "STORE", "SEARCH"].includes(command.name);
      await this.sendUpdates({ expunge: !holdExpunge, uid: command.uid });
    }
    if (this.notify) await commandEndNews(this, command, lastUid, this.#borrowed);
    this.#giveBack();
    const shown = (command.uid ? "UID " : "") + command.name;
    const result = outcome ?? { status: "OK", text: `${shown} completed` };
    const code = result.code ? `[${result.code}] ` : "";
    this.sendText(`${command.tag} ${result.status} ${code}${result.text}`);
  }

  /** The BYE of a timeout: no login in time, or silence after login (RFC 3501 5.4). */
  #autologoutText(): string {
    return this.config.loginDeadline?.expired ? "* BYE No login in time, closing" : AUTOLOGOUT;
  }

  /** Log out now (LOGOUT command, or the session ending). */
  logout(): void {
    this.state = STATE.Logout;
    this.selected = null;
  }
}
