/**
 * One message's whole journey on loopback, every hop recorded (chapter 6).
 *
 * ```text
 * alice's mail program --submission, AUTH--> smtp.a.test --MX for b.test--> mx2.b.test
 *   --its routing table--> store.b.test --> Maildir <-- POP3 and IMAP (IDLE) <-- Bob
 * ```
 *
 * - smtp.a.test is Alice's submission server (lib/smtp): it relays only for clients that
 *   authenticated, and finds b.test's exchange in an MX table (our stand-in for DNS) with
 *   the `nextStep` and `deliver` pieces. The table lists mx1.b.test first, which has
 *   no address, so the relay falls back to mx2.b.test.
 * - mx2.b.test is b.test's gateway: a private Postfix where one can run here (the real
 *   MTA in the chain), lib/smtp's server otherwise. Either passes mail for b.test on to
 *   the mailbox server, as a company's gateway passes mail to its mail store.
 * - store.b.test delivers into Bob's Maildir and serves it by POP3 and IMAP.
 *
 * Every connection goes through a wiretap (wiretap.ts), so each hop is recorded the same
 * way whoever speaks on it, Postfix included, on one clock (recorder.ts).
 *
 * @module
 */

import { MailStore } from "../maildir/mod.ts";
import { serveImap } from "../imap/server.ts";
import { type LoopbackServer, withTimeout } from "../net/mod.ts";
import { servePop3 } from "../pop3/server.ts";
import { type MailboxStore, MemoryMailStore } from "../smtp/backend.ts";
import { SmtpClient } from "../smtp/client.ts";
import { mxRelay } from "../smtp/mx.ts";
import { replyText } from "../smtp/reply.ts";
import { serveSmtp } from "../smtp/server.ts";
import { type Postfix, startPostfix } from "../postfix/mod.ts";
import {
  type AttemptOutcome,
  COURSE_PIECES,
  type JourneyPieces,
  type MxRecord,
  replacedSlots,
} from "./pieces.ts";
import { JourneyRecorder } from "./recorder.ts";
import { piecesRelay } from "./relay.ts";
import { type ImapCopy, type ImapWatch, imapWatch, type PopCopy, popRetrieve } from "./retrieve.ts";
import { serveWiretap } from "./wiretap.ts";

/** The names of the chain's participants, as the diagrams show them. */
export const PARTICIPANT = {
  mua: "alice's mail program",
  submission: "smtp.a.test",
  gateway: "mx2.b.test",
  store: "store.b.test",
  imap: "Bob's IMAP client",
  pop: "Bob's POP3 client",
} as const;

/** The envelope and the accounts of the journey. */
export const ACCOUNTS = {
  alice: { address: "alice@a.test", user: "alice", password: "rabbit-hole" },
  bob: { address: "bob@b.test", user: "bob", password: "builder" },
} as const;

/** b.test's MX records: the stand-in for DNS. mx1.b.test has no address: it is "down". */
export const MX_TABLE: Readonly<Record<string, readonly MxRecord[]>> = {
  "b.test": [
    { preference: 20, exchange: "mx2.b.test" },
    { preference: 10, exchange: "mx1.b.test" },
  ],
};

/** Which MTA is b.test's gateway. */
export type GatewayChoice = "auto" | "postfix" | "ours";

/** Options for {@linkcode Journey.start}. */
export interface JourneyOptions {
  /**
   * "postfix": Postfix or fail; "ours": lib/smtp's server; "auto" (default): Postfix when
   * it starts here (it needs root and the postfix package), ours otherwise.
   */
  gateway?: GatewayChoice;
  /** Pieces to use instead of the course's (see pieces.ts). */
  pieces?: Partial<JourneyPieces>;
  /** Deadline per network step, ms. Default 10000. */
  timeoutMs?: number;
  /**
   * An empty folder to keep the Maildirs in, which its owner removes (a notebook's
   * `makeTempFolder()`). Default: a fresh temp folder, removed by `close()`.
   */
  folder?: string;
}

/** One host of the chain and what answers there. */
export interface JourneyHost {
  name: string;
  role: string;
  software: string;
  /** The wiretap's port (what clients connect to). */
  port: number;
}

/** One try of the MX walk. */
export interface RelayAttempt {
  exchange: string;
  outcome: AttemptOutcome;
  detail: string;
  /** Journey time, ms. */
  time: number;
}

/** The file that landed in Bob's Maildir. */
export interface Landing {
  /** Path inside the Maildir: "new/<unique name>". */
  file: string;
  bytes: Uint8Array;
  /** Journey time, ms. */
  time: number;
}

/**
 * The chain, running. Start it, watch the inbox, submit, retrieve, then close (or use
 * {@linkcode runJourney}, which does it all).
 */
export class Journey implements AsyncDisposable {
  readonly recorder = new JourneyRecorder();
  readonly hosts: JourneyHost[] = [];
  readonly attempts: RelayAttempt[] = [];
  /** Which MTA is the gateway, and why. */
  gateway!: { software: "Postfix" | "lib/smtp"; reason: string };
  /** Which slots held pieces other than the course's. */
  readonly replaced: (keyof JourneyPieces)[];
  readonly pieces: JourneyPieces;
  readonly #timeoutMs: number;
  readonly #closers: (() => Promise<unknown>)[] = [];
  #mailStore!: MailStore;
  #landing!: Promise<Landing>;
  #closed?: Promise<void>;

  private constructor(options: JourneyOptions) {
    this.pieces = { ...COURSE_PIECES, ...options.pieces };
    this.replaced = replacedSlots(options.pieces ?? {});
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Start every server of the chain; on failure, whatever started is closed again. */
  static async start(options: JourneyOptions = {}): Promise<Journey> {
    const journey = new Journey(options);
    try {
      await journey.#start(options.gateway ?? "auto", options.folder);
      return journey;
    } catch (error) {
      await journey.close();
      throw error;
    }
  }

  #port(name: string): number {
    return this.hosts.find((h) => h.name === name)!.port;
  }

  #keep<T extends LoopbackServer | Postfix>(server: T): T {
    this.#closers.push(() => "stop" in server ? server.stop() : server.close());
    return server;
  }

  async #start(choice: GatewayChoice, folder?: string): Promise<void> {
    const log = this.recorder;
    const root = folder ?? await Deno.makeTempDir({ prefix: "journey-" });
    if (!folder) this.#closers.push(() => Deno.remove(root, { recursive: true }));
    const mailRoot = `${root}/mail`;
    await Deno.mkdir(mailRoot);
    this.#mailStore = new MailStore(mailRoot);

    // store.b.test: delivery into Bob's Maildir, then POP3 and IMAP on it.
    let landed!: (landing: Landing) => void;
    this.#landing = new Promise((resolve) => (landed = resolve));
    const maildirs = this.#mailStore;
    const recordingStore: MailboxStore = {
      async mailbox(user) {
        const box = await maildirs.mailbox(user);
        return {
          async deliver(bytes: Uint8Array) {
            const info = await box.deliver(bytes);
            const file = info.path.split("/").slice(-2).join("/");
            const event = log.event(
              PARTICIPANT.store,
              `${file.slice(0, 28)}… in ${user}'s Maildir`,
            );
            landed({ file, bytes: bytes.slice(), time: event.time });
            return info;
          },
        };
      },
    };
    const bob = new Map([[ACCOUNTS.bob.user, ACCOUNTS.bob.password]]);
    const storeSmtp = this.#keep(serveSmtp({
      hostname: PARTICIPANT.store,
      store: recordingStore,
      users: bob,
      domains: ["b.test"],
      idleTimeoutMs: 30_000,
    }));
    const pop3 = this.#keep(servePop3({ store: this.#mailStore, users: bob }));
    const imap = this.#keep(serveImap({
      store: this.#mailStore,
      users: bob,
      pollIntervalMs: 25,
      idleTimeoutMs: 60_000,
    }));

    const tap = (
      name: string,
      role: string,
      software: string,
      upstreamPort: number,
      label: string,
      protocol: "SMTP" | "POP3" | "IMAP",
      client: string,
    ) => {
      const wiretap = this.#keep(serveWiretap(log, {
        upstreamPort,
        label,
        protocol,
        client,
        server: name,
        timeoutMs: this.#timeoutMs,
      }));
      this.hosts.push({ name: `${name}:${protocol}`, role, software, port: wiretap.port });
      return wiretap;
    };
    const storeTap = tap(
      PARTICIPANT.store,
      "b.test's mailbox server: delivers into Maildir",
      "lib/smtp",
      storeSmtp.port,
      "gateway → mailbox server",
      "SMTP",
      PARTICIPANT.gateway,
    );
    tap(
      PARTICIPANT.store,
      "Bob reads his mail",
      "lib/pop3",
      pop3.port,
      "POP3 retrieval",
      "POP3",
      PARTICIPANT.pop,
    );
    tap(
      PARTICIPANT.store,
      "Bob's mail program waits in IDLE",
      "lib/imap",
      imap.port,
      "IMAP IDLE and fetch",
      "IMAP",
      PARTICIPANT.imap,
    );

    // mx2.b.test: Postfix where it runs, ours otherwise; it passes b.test mail to the store.
    let gatewayPort: number;
    let reason = "";
    if (choice !== "ours") {
      try {
        await Deno.mkdir(`${root}/postfix-mail`);
        const postfix = this.#keep(
          await startPostfix({
            mailRoot: `${root}/postfix-mail`,
            domains: [],
            users: [],
            relay: { "b.test": storeTap.port },
            hostname: PARTICIPANT.gateway,
            timeoutMs: Math.max(15_000, this.#timeoutMs), // Postfix takes seconds to start
          }),
        );
        gatewayPort = postfix.port;
        this.gateway = { software: "Postfix", reason: "Postfix started on this machine" };
      } catch (error) {
        if (choice === "postfix") throw error;
        reason = (error as Error).message;
      }
    } else {
      reason = "the course's own relay was asked for";
    }
    if (!this.gateway) {
      const ours = this.#keep(serveSmtp({
        hostname: PARTICIPANT.gateway,
        store: new MemoryMailStore(),
        domains: [PARTICIPANT.gateway],
        relayDomains: ["b.test"],
        relay: mxRelay({
          // The gateway's own routing table: all of b.test goes to the mailbox server.
          mx: { "b.test": [{ preference: 0, exchange: PARTICIPANT.store }] },
          hosts: { [PARTICIPANT.store]: storeTap.port },
          self: PARTICIPANT.gateway,
          timeoutMs: this.#timeoutMs,
        }),
        idleTimeoutMs: 30_000,
      }));
      gatewayPort = ours.port;
      this.gateway = { software: "lib/smtp", reason };
    }
    const gatewayTap = tap(
      PARTICIPANT.gateway,
      "b.test's MX (preference 20): passes mail to the mailbox server",
      this.gateway.software,
      gatewayPort!,
      "MX relay",
      "SMTP",
      PARTICIPANT.submission,
    );

    // smtp.a.test: Alice's submission server, relaying by MX for authenticated users.
    const submission = this.#keep(serveSmtp({
      hostname: PARTICIPANT.submission,
      store: new MemoryMailStore(),
      users: new Map([[ACCOUNTS.alice.user, ACCOUNTS.alice.password]]),
      domains: ["a.test"],
      relay: piecesRelay({
        mx: MX_TABLE,
        hosts: { [PARTICIPANT.gateway]: gatewayTap.port },
        self: PARTICIPANT.submission,
        deliver: this.pieces.deliver,
        nextStep: this.pieces.nextStep,
        onAttempt: (exchange, outcome, detail) => {
          const event = log.event(PARTICIPANT.submission, `${exchange}: ${outcome}`);
          this.attempts.push({ exchange, outcome, detail, time: event.time });
        },
      }),
      idleTimeoutMs: 30_000,
    }));
    tap(
      PARTICIPANT.submission,
      "Alice's submission server: AUTH, then relay by MX",
      "lib/smtp",
      submission.port,
      "submission",
      "SMTP",
      PARTICIPANT.mua,
    );
  }

  /** Bob's IMAP client logs in and starts IDLE; its `landed` resolves with the message. */
  async watch(): Promise<ImapWatch> {
    const watch = await imapWatch(
      this.#port(`${PARTICIPANT.store}:IMAP`),
      ACCOUNTS.bob.user,
      ACCOUNTS.bob.password,
      {
        splitFrames: this.pieces.splitFrames,
        timeoutMs: this.#timeoutMs,
        waitMs: 2 * this.#timeoutMs,
        onWake: (line) => this.recorder.event(PARTICIPANT.imap, `IDLE woke: ${line}`),
      },
    );
    this.#closers.push(() => Promise.resolve(watch.close()));
    return watch;
  }

  /** Alice's mail program: EHLO, AUTH PLAIN, one transaction; returns the final reply. */
  async submit(message: string): Promise<string> {
    await using client = await SmtpClient.connect(this.#port(`${PARTICIPANT.submission}:SMTP`), {
      timeoutMs: 3 * this.#timeoutMs, // the reply to DATA waits for the relay behind it
    });
    await client.ehlo("alice-pc");
    await client.auth(ACCOUNTS.alice.user, ACCOUNTS.alice.password);
    const result = await client.send({
      from: ACCOUNTS.alice.address,
      to: [ACCOUNTS.bob.address],
      data: message,
    });
    await client.quit().catch(() => {});
    if (result.rejected.length) throw new Error(`Bob was refused: ${result.rejected[0].reply}`);
    return replyText(result.reply);
  }

  /** Resolves when the message is in Bob's Maildir (at most `timeoutMs`). */
  landed(timeoutMs = 2 * this.#timeoutMs): Promise<Landing> {
    return withTimeout(this.#landing, timeoutMs, "the message landing in Bob's Maildir");
  }

  /** Bob's POP3 client takes a copy home and leaves the message on the server. */
  retrieveByPop3(): Promise<PopCopy> {
    return popRetrieve(
      this.#port(`${PARTICIPANT.store}:POP3`),
      ACCOUNTS.bob.user,
      ACCOUNTS.bob.password,
      this.pieces.readMultiline,
      this.#timeoutMs,
    );
  }

  /** Close every client, wiretap and server, stop Postfix, remove the temp folders. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const close of this.#closers.reverse()) await close().catch(() => {});
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Everything one journey left behind, with every server already closed. */
export interface JourneyRun {
  recorder: JourneyRecorder;
  gateway: Journey["gateway"];
  hosts: JourneyHost[];
  attempts: RelayAttempt[];
  replaced: (keyof JourneyPieces)[];
  /** The message as Alice's program submitted it. */
  sent: string;
  /** The reply Alice's program got to it. */
  submitReply: string;
  landing: Landing;
  pop3: PopCopy;
  imap: ImapCopy;
}

/**
 * Run the whole journey once: start the chain, let Bob's IMAP client idle, submit,
 * wait for the Maildir, read by POP3, take the IMAP copy, close everything.
 */
export async function runJourney(
  message: string,
  options: JourneyOptions = {},
): Promise<JourneyRun> {
  await using journey = await Journey.start(options);
  const watch = await journey.watch();
  const submitReply = await journey.submit(message);
  const landing = await journey.landed();
  const imap = await watch.landed;
  const pop3 = await journey.retrieveByPop3();
  return {
    recorder: journey.recorder,
    gateway: journey.gateway,
    hosts: journey.hosts,
    attempts: journey.attempts,
    replaced: journey.replaced,
    sent: message,
    submitReply,
    landing,
    pop3,
    imap,
  };
}
