/**
 * A misbehaving IMAP server: CAPABILITY, LOGIN, SELECT/EXAMINE, FETCH and UID FETCH (with
 * BODY[section], BODY.PEEK, RFC822.SIZE, UID, FLAGS, BODYSTRUCTURE), NOOP and LOGOUT over
 * one INBOX held in memory (RFC 3501), with one scenario's misbehaviour mixed in. FETCH
 * data leaves as literals, so clients must handle `{n}` and the octets after it.
 *
 * @module
 */

import { LineTooLongError } from "../net/mod.ts";
import { bodyStructure } from "../imap/body_structure.ts";
import { compile } from "../imap/compiler.ts";
import { FrameReader } from "../imap/framing.ts";
import { scanMessage } from "../mail/mod.ts";
import { parseFrame } from "../imap/parser.ts";
import { parseSection, sectionBytes } from "../imap/section.ts";
import { parseSequenceSet, selectFrom } from "../imap/sequence_set.ts";
import { atom, type ImapValue, list, literal, textOf } from "../imap/values.ts";
import {
  type Connection,
  endlessLine,
  type MisbehavingOptions,
  type MisbehavingServer,
  pause,
  serveMisbehaving,
  stall,
} from "./common.ts";
import { HUGE_LINE_BYTES, type Scenario, SLOW_GREETING_MS } from "./scenarios.ts";

/** One message in the misbehaving server's INBOX. */
export interface ImapMessage {
  uid: number;
  bytes: Uint8Array;
  /** Flags, e.g. ["\\Seen"]; a FETCH of BODY[...] without .PEEK adds \Seen (RFC 3501 6.4.5). */
  flags: string[];
}

/** Options for {@linkcode serveMisbehavingImap}. */
export interface MisbehavingImapOptions extends MisbehavingOptions {
  /** The INBOX. Default: {@linkcode sampleInbox}. */
  messages?: ImapMessage[];
  /** The one user and password. Default "alice" / "wonderland". */
  user?: string;
  password?: string;
}

/** A running misbehaving IMAP server. */
export interface MisbehavingImapServer extends MisbehavingServer {
  /** The INBOX, flags as they are now. */
  readonly messages: readonly ImapMessage[];
}

const encoder = new TextEncoder();

/**
 * Three messages: a plain one; a multipart one with a text part, a 6 KB attachment and an
 * HTML part; and one whose header and body hold text that looks like IMAP syntax
 * (`{5}`, `)`, `* OK`), which only a client that counts literal octets reads right.
 */
export function sampleInbox(): ImapMessage[] {
  const attachment = btoa(
    Array.from({ length: 4500 }, (_, i) => String.fromCharCode(i % 256)).join(""),
  ).replace(/.{76}/g, "$&\r\n");
  const texts = [
    "From: bob@example.org\r\nTo: alice@localhost\r\nSubject: Plain\r\n\r\nJust text.\r\n",
    [
      "From: bob@example.org",
      "To: alice@localhost",
      "Subject: Report with attachment",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "The report is attached.",
      "--b1",
      "Content-Type: application/octet-stream; name=report.bin",
      "Content-Transfer-Encoding: base64",
      "",
      attachment.trimEnd(),
      "--b1",
      "Content-Type: text/html; charset=UTF-8",
      "",
      "<p>The report is <b>attached</b>.</p>",
      "--b1--",
      "",
    ].join("\r\n"),
    [
      "From: tricky@example.org",
      "To: alice@localhost",
      "Subject: A {5} literal-looking subject)",
      "MIME-Version: 1.0",
      'Content-Type: multipart/alternative; boundary="b2"',
      "",
      "--b2",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "* OK this line is not a response",
      ")",
      "A001 OK neither is this one {3}",
      "电子邮件",
      "--b2",
      "Content-Type: text/plain; charset=US-ASCII",
      "",
      "second part",
      "--b2--",
      "",
    ].join("\r\n"),
  ];
  return texts.map((text, i) => ({ uid: 101 + i * 2, bytes: encoder.encode(text), flags: [] }));
}

/**
 * Serve IMAP on 127.0.0.1, misbehaving as the scenario says.
 *
 * @example Our client copes with unsolicited responses
 * ```ts
 * import { serveMisbehavingImap } from "./imap.ts";
 * import { ImapClient } from "../imap/mod.ts";
 * await using server = serveMisbehavingImap({ scenario: "multi-line-replies" });
 * await using client = await ImapClient.connect(server.port, { timeoutMs: 2000 });
 * await client.login("alice", "wonderland");
 * await client.select("INBOX");
 * // An unsolicited FETCH about message 1 comes too: pick the message asked for.
 * const message = (await client.fetch("2", "(BODY.PEEK[2])")).find((m) => m.seq === 2);
 * await client.logout();
 * if (!message?.sections.get("BODY[2]")) throw new Error("no part 2");
 * ```
 */
export function serveMisbehavingImap(options: MisbehavingImapOptions): MisbehavingImapServer {
  const messages = options.messages ?? sampleInbox();
  const user = options.user ?? "alice";
  const password = options.password ?? "wonderland";
  const server = serveMisbehaving(
    options,
    ["server", "client"],
    (conn, scenario) => session(conn, scenario, messages, user, password),
  );
  return Object.assign(server, { messages });
}

/** Unsolicited responses a server may send at any time (RFC 3501 7). */
function noise(messages: readonly ImapMessage[]): string {
  return `* OK Still here\r\n* ${messages.length} EXISTS\r\n* 1 FETCH (FLAGS (${
    messages[0]?.flags.join(" ") ?? ""
  }))\r\n`;
}

async function session(
  conn: Connection,
  scenario: Scenario,
  messages: ImapMessage[],
  user: string,
  password: string,
): Promise<void> {
  switch (scenario.name) {
    case "close-before-greeting":
      return;
    case "endless-line":
      return await endlessLine(conn, "* OK ");
    case "busy-once":
      if (conn.index === 0) {
        return await conn.wire.text("* BYE Too busy right now, try again later\r\n");
      }
      break;
    case "slow-greeting":
      await pause(SLOW_GREETING_MS, conn.closing);
      break;
    case "huge-line":
      await conn.wire.text(`* OK [ALERT] ${"x".repeat(HUGE_LINE_BYTES)}\r\n`);
      break;
  }
  await conn.wire.text(`* OK [CAPABILITY IMAP4rev1] IMAP misbehaving (${scenario.name}) ready\r\n`);

  const reader = new FrameReader(conn.io, { maxLineLength: 8192, maxLiteralSize: 1024 * 1024 });
  let loggedIn = false;
  let selected = false;
  /** Set once we refused or misanswered LOGIN: only LOGOUT may follow. */
  let refused: string | null = null;
  const complete = async (tag: string, status: string, text: string) => {
    const extra = scenario.name === "multi-line-replies" ? noise(messages) : "";
    await conn.wire.text(`${extra}${tag} ${status} ${text}\r\n`);
  };
  while (true) {
    let frame;
    try {
      frame = await reader.readFrame(async (_size, synchronizing) => {
        if (synchronizing) await conn.wire.text("+ go ahead\r\n");
      });
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      await conn.wire.text("* BAD Line too long\r\n");
      continue;
    }
    if (frame === null) return;
    let values: ImapValue[];
    try {
      values = parseFrame(frame);
    } catch {
      await conn.wire.text("* BAD Cannot parse command\r\n");
      continue;
    }
    const tag = textOf(values[0]) ?? "*";
    let command = (textOf(values[1]) ?? "").toUpperCase();
    let args = values.slice(2);
    let uid = false;
    if (command === "UID") {
      uid = true;
      command = `${(textOf(args[0]) ?? "").toUpperCase()}`;
      args = args.slice(1);
    }
    if (refused && command !== "LOGOUT") conn.violation(`sent ${command} after ${refused}`);
    switch (command) {
      case "CAPABILITY":
        await conn.wire.text("* CAPABILITY IMAP4rev1\r\n");
        await complete(tag, "OK", "CAPABILITY completed");
        break;
      case "NOOP":
        await complete(tag, "OK", "NOOP completed");
        break;
      case "LOGIN":
        if (scenario.name === "stall-mid-reply") {
          await conn.wire.text("* CAPABILITY IMAP4rev1 ID ENA");
          return await stall(conn);
        }
        if (scenario.name === "transient-error") {
          await complete(tag, "NO", "[UNAVAILABLE] Mail store temporarily unavailable");
          refused = "LOGIN was refused with NO [UNAVAILABLE]";
        } else if (textOf(args[0]) !== user || textOf(args[1]) !== password) {
          await complete(tag, "NO", "[AUTHENTICATIONFAILED] Wrong user name or password");
        } else {
          loggedIn = true;
          if (scenario.name === "wrong-code") refused = "LOGIN was completed with MAYBE";
          // Wrong: OK, NO and BAD are the only ways to complete a command (RFC 3501 7.1).
          await complete(tag, scenario.name === "wrong-code" ? "MAYBE" : "OK", "LOGIN completed");
        }
        break;
      case "SELECT":
      case "EXAMINE":
        if (!loggedIn) {
          await complete(tag, "NO", "Log in first");
        } else if ((textOf(args[0]) ?? "").toUpperCase() !== "INBOX") {
          await complete(tag, "NO", "[NONEXISTENT] Only INBOX here");
        } else {
          selected = true;
          const last = messages.at(-1)?.uid ?? 0;
          await conn.wire.text(
            `* ${messages.length} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n` +
              `* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT ${
                last + 1
              }] Predicted next UID\r\n`,
          );
          await complete(
            tag,
            "OK",
            `[${command === "SELECT" ? "READ-WRITE" : "READ-ONLY"}] ${command} completed`,
          );
        }
        break;
      case "FETCH":
        if (!selected) {
          await complete(tag, "BAD", "Select a mailbox first");
          break;
        }
        try {
          if (await fetch(conn, scenario, messages, args, uid) === "closed") return;
          await complete(tag, "OK", `${uid ? "UID " : ""}FETCH completed`);
        } catch (error) {
          await complete(tag, "BAD", (error as Error).message);
        }
        break;
      case "LOGOUT":
        await conn.wire.text("* BYE Logging out\r\n");
        await complete(tag, "OK", "LOGOUT completed");
        return;
      default:
        await complete(tag, "BAD", "Unknown command");
    }
  }
}

/** Answer FETCH: one `* n FETCH (...)` per message, each body section as a literal. */
async function fetch(
  conn: Connection,
  scenario: Scenario,
  messages: ImapMessage[],
  args: ImapValue[],
  byUid: boolean,
): Promise<"done" | "closed"> {
  const set = parseSequenceSet(textOf(args[0]) ?? "");
  const wanted = args[1]?.type === "list" ? args[1].items : args.slice(1);
  const numbers = byUid
    ? selectFrom(set, messages.map((m) => m.uid)).map((u) =>
      messages.findIndex((m) => m.uid === u) + 1
    )
    : selectFrom(set, messages.map((_, i) => i + 1));
  // Unsolicited responses may come first, too (RFC 3501 7): a FETCH about another message.
  if (scenario.name === "multi-line-replies") await conn.wire.text(noise(messages));
  for (const n of numbers) {
    const message = messages[n - 1];
    const items: ImapValue[] = [];
    const names = wanted.map((v) => (textOf(v) ?? "").toUpperCase());
    if (byUid && !names.includes("UID")) items.push(atom("UID"), atom(message.uid));
    for (const item of wanted) {
      if (item.type !== "atom") throw new Error("Cannot parse FETCH items");
      const name = item.value.toUpperCase();
      if (name === "UID") items.push(atom("UID"), atom(message.uid));
      else if (name === "FLAGS") {
        items.push(
          atom("FLAGS"),
          list(...message.flags.map((f) => atom(f))),
        );
      } else if (name === "RFC822.SIZE") {
        items.push(atom("RFC822.SIZE"), atom(message.bytes.length));
      } else if (name === "BODYSTRUCTURE") {
        items.push(
          atom("BODYSTRUCTURE"),
          bodyStructure(message.bytes, scanMessage(message.bytes), true),
        );
      } else if ((name === "BODY" || name === "BODY.PEEK") && item.section) {
        const section = parseSection(item.section);
        let bytes = sectionBytes(message.bytes, scanMessage(message.bytes), section) ??
          new Uint8Array();
        if (item.partial) {
          const [origin, count = bytes.length] = item.partial;
          bytes = bytes.subarray(origin, origin + count);
        }
        if (name === "BODY" && !message.flags.includes("\\Seen")) message.flags.push("\\Seen");
        items.push(
          {
            type: "atom",
            value: "BODY",
            section: item.section,
            partial: item.partial?.slice(0, 1) as [number] | undefined,
          },
          literal(bytes),
        );
      } else {
        throw new Error(`Cannot FETCH ${name} here`);
      }
    }
    for (const piece of compile([atom("*"), atom(n), atom("FETCH"), list(...items)])) {
      await conn.wire.text(piece.text);
      if (!piece.literal) continue;
      if (scenario.name === "close-mid-transfer") {
        // Half the literal, then hang up.
        await conn.wire.raw(piece.literal.subarray(0, Math.floor(piece.literal.length / 2)));
        return "closed";
      }
      await conn.wire.raw(piece.literal);
    }
  }
  return "done";
}
