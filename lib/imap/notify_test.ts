/**
 * NOTIFY (RFC 5465) on the wire, byte for byte: the STATUS indicator, each event kind
 * for the selected mailbox and for others, BADEVENT and the other refusals, NOTIFY
 * NONE, SELECTED-DELAYED, IDLE under NOTIFY, and news pushed while the client sends
 * nothing, from another session and from another program writing the Maildir.
 */
import { deepStrictEqual } from "node:assert/strict";
import { Maildir } from "../maildir/mod.ts";
import { MailboxRegistry } from "./mailbox.ts";
import { MailboxEvents, parseNotify } from "./notify.ts";
import { Parser } from "./parser.ts";
import type { ImapServerOptions } from "./server.ts";
import { wireFixture } from "./wire_test_helpers.ts";

const mail = (subject: string) => `Subject: ${subject}\r\n\r\nbody ${subject}\r\n`;
const encoder = new TextEncoder();

/**
 * A fixture whose folders' shared state the test can see, with an Archive of one
 * message. The rescan is a minute away: within a test, only the folders' file-system
 * watchers and the server's own sessions can bring news.
 */
async function notifyFixture(messages = [mail("one")], options: Partial<ImapServerOptions> = {}) {
  const registry = new MailboxRegistry();
  const mailboxEvents = new MailboxEvents();
  const f = await wireFixture(messages, {
    registry,
    mailboxEvents,
    pollIntervalMs: 60_000,
    ...options,
  });
  await (await f.store.mailbox("alice")).createFolder("Archive");
  await f.box.deliver(encoder.encode(mail("archived")), { folder: "Archive" });
  return Object.assign(f, { registry, mailboxEvents });
}

/** The UIDVALIDITY of a folder, asked over a connection of its own. */
async function uidValidity(f: Awaited<ReturnType<typeof notifyFixture>>, name: string) {
  using wire = await f.connect();
  await wire.send(`v STATUS ${name} (UIDVALIDITY)\r\n`);
  const [line] = await wire.until("v ");
  return Number(/UIDVALIDITY (\d+)/.exec(line)![1]);
}

Deno.test("NOTIFY SET STATUS sends, before OK, the STATUS items each event needs (RFC 5465 3.1)", async () => {
  await using f = await notifyFixture();
  const validity = await uidValidity(f, "Archive");
  using wire = await f.connect();
  const cases: [string, string][] = [
    ["(MessageExpunge)", "MESSAGES 1"],
    ["(MessageNew)", `MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${validity}`],
    ["(FlagChange)", `UIDVALIDITY ${validity} HIGHESTMODSEQ 1`],
    [
      "(MessageNew MessageExpunge FlagChange)",
      `MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${validity} HIGHESTMODSEQ 1`,
    ],
  ];
  for (const [events, items] of cases) {
    await wire.send(`a NOTIFY SET STATUS (mailboxes Archive ${events})\r\n`);
    deepStrictEqual(await wire.until("a "), [
      `* STATUS "Archive" (${items})`,
      "a OK NOTIFY completed",
    ], events);
  }
  // Without the indicator, no STATUS; nor for the selected mailbox, which SELECTED covers.
  await wire.send("b NOTIFY SET (mailboxes Archive (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await wire.until("b "), ["b OK NOTIFY completed"]);
  await wire.send("c SELECT Archive\r\n");
  await wire.until("c ");
  await wire.send("d NOTIFY SET STATUS (mailboxes Archive (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await wire.until("d "), ["d OK NOTIFY completed"]);
  // A name that is no mailbox is ignored (RFC 5465 3.1).
  await wire.send("e NOTIFY SET STATUS (mailboxes Nowhere (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await wire.until("e "), ["e OK NOTIFY completed"]);
});

Deno.test("news reaches a silent client between commands: EXISTS, FETCH, EXPUNGE for the selected mailbox (RFC 5465 5.1 to 5.3)", async () => {
  await using f = await notifyFixture([mail("one"), mail("two")]);
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 SELECT INBOX\r\n");
  await a.until("a1 ");
  await a.send(
    "a2 NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge FlagChange))\r\n",
  );
  deepStrictEqual(await a.until("a2 "), ["a2 OK NOTIFY completed"]);
  // From here on, a sends nothing: every line it reads was pushed.
  await b.send("b1 APPEND INBOX {21}\r\nSubject: three\r\n\r\nx\r\n\r\n");
  await b.until("b1 ");
  deepStrictEqual([await a.line(), await a.line(), await a.line(), await a.line()], [
    "* 3 EXISTS",
    "* 3 RECENT",
    "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {18}",
    "Subject: three",
  ]);
  deepStrictEqual([await a.line(), await a.line()], ["", ")"]);
  await b.send("b2 SELECT INBOX\r\nb3 STORE 1 +FLAGS.SILENT (\\Flagged)\r\n");
  await b.until("b3 ");
  deepStrictEqual(await a.line(), "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))");
  await b.send("b4 STORE 2 +FLAGS.SILENT (\\Deleted)\r\nb5 EXPUNGE\r\n");
  await b.until("b5 ");
  deepStrictEqual([await a.line(), await a.line()], [
    "* 2 FETCH (UID 2 FLAGS (\\Deleted \\Recent))",
    "* 2 EXPUNGE",
  ]);
  await a.send("a3 NOOP\r\n");
  deepStrictEqual(await a.until("a3 "), ["a3 OK NOOP completed"]);
});

Deno.test("without FlagChange, flag changes wait for the next command; SELECTED-DELAYED holds expunges for one (RFC 5465 6.1.2)", async () => {
  await using f = await notifyFixture([mail("one"), mail("two")]);
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 EXAMINE INBOX\r\n");
  await a.until("a1 ");
  await a.send("a2 NOTIFY SET (selected-delayed (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await a.until("a2 "), ["a2 OK NOTIFY completed"]);
  // b lets go of INBOX before it appends: a session with INBOX selected would claim the
  // new message's \\Recent (RFC 3501 2.3.2), racing a's view of it.
  await b.send(
    "b1 SELECT INBOX\r\nb2 STORE 1 +FLAGS.SILENT (\\Deleted)\r\nb3 EXPUNGE\r\nb4 UNSELECT\r\n",
  );
  await b.until("b4 OK UNSELECT");
  await b.send("b5 APPEND INBOX {21}\r\nSubject: three\r\n\r\nx\r\n\r\n");
  await b.until("b5 ");
  // The new message is pushed at once; the expunge waits, so message 1 keeps its number.
  deepStrictEqual(await a.line(), "* 3 EXISTS");
  deepStrictEqual(await a.line(), "* 3 RECENT"); // EXAMINE shows \\Recent without claiming it
  // Message 2 is still number 2: FETCH may not report expunges (RFC 3501 7.4.1).
  await a.send("a3 FETCH 2 (UID)\r\n");
  deepStrictEqual(await a.until("a3 "), ["* 2 FETCH (UID 2)", "a3 OK FETCH completed"]);
  await a.send("a4 NOOP\r\n");
  deepStrictEqual(await a.until("a4 "), ["* 1 EXPUNGE", "a4 OK NOOP completed"]);
  await b.send("b6 SELECT INBOX\r\nb7 STORE 1 +FLAGS.SILENT (\\Answered)\r\nb8 UNSELECT\r\n");
  await b.until("b8 OK UNSELECT");
  await b.send("b9 APPEND INBOX {20}\r\nSubject: four\r\n\r\nx\r\n\r\n");
  await b.until("b9 ");
  deepStrictEqual([await a.line(), await a.line()], ["* 3 EXISTS", "* 3 RECENT"]);
  await a.send("a5 NOOP\r\n");
  deepStrictEqual(await a.until("a5 "), [
    "* 1 FETCH (FLAGS (\\Answered \\Recent))",
    "a5 OK NOOP completed",
  ]);
});

Deno.test("other mailboxes' news is a STATUS, whoever wrote the Maildir: another session or another program (RFC 5465 5.1 to 5.3)", async () => {
  await using f = await notifyFixture();
  const validity = await uidValidity(f, "Archive");
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 ENABLE CONDSTORE\r\n");
  await a.until("a1 ");
  await a.send("a2 NOTIFY SET (personal (MessageNew MessageExpunge FlagChange))\r\n");
  deepStrictEqual(await a.until("a2 "), ["a2 OK NOTIFY completed"]);
  // Another program delivers into the Maildir: the folder's watcher notices.
  const other = await Maildir.open(`${f.root}/alice`);
  await other.deliver(encoder.encode(mail("dropped")), { folder: "Archive" });
  deepStrictEqual(await a.line(), '* STATUS "Archive" (MESSAGES 2 UIDNEXT 3 HIGHESTMODSEQ 2)');
  await b.send("b1 SELECT Archive\r\nb2 STORE 1 +FLAGS.SILENT (\\Seen)\r\n");
  await b.until("b2 ");
  deepStrictEqual(
    await a.line(),
    `* STATUS "Archive" (UIDVALIDITY ${validity} UNSEEN 1 HIGHESTMODSEQ 3)`,
  );
  await b.send("b3 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  await b.until("b3 ");
  deepStrictEqual(await a.line(), `* STATUS "Archive" (UIDVALIDITY ${validity} HIGHESTMODSEQ 4)`);
  // Without QRESYNC, an expunge elsewhere is told as STATUS (MESSAGES UIDNEXT).
  await b.send("b4 EXPUNGE\r\n");
  await b.until("b4 ");
  deepStrictEqual(await a.line(), '* STATUS "Archive" (MESSAGES 1 UIDNEXT 3)');
});

Deno.test("MailboxName and SubscriptionChange are LIST responses; the session that made the change is not told (RFC 5465 5.4, 5.5)", async () => {
  await using f = await notifyFixture();
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 NOTIFY SET (personal (MailboxName SubscriptionChange))\r\n");
  deepStrictEqual(await a.until("a1 "), ["a1 OK NOTIFY completed"]);
  await b.send("b1 CREATE Lists/Lemonade\r\n");
  await b.until("b1 ");
  deepStrictEqual([await a.line(), await a.line()], [
    '* LIST (\\HasNoChildren) "/" "Lists/Lemonade"',
    '* LIST (\\Noselect \\HasChildren) "/" "Lists"',
  ]);
  await b.send("b2 RENAME Lists/Lemonade Lists/IETF\r\n");
  await b.until("b2 ");
  deepStrictEqual(
    await a.line(),
    '* LIST (\\HasNoChildren) "/" "Lists/IETF" ("OLDNAME" ("Lists/Lemonade"))',
  );
  await b.send("b3 SUBSCRIBE Archive\r\n");
  await b.until("b3 ");
  deepStrictEqual(await a.line(), '* LIST (\\HasNoChildren \\Archive \\Subscribed) "/" "Archive"');
  await b.send("b4 UNSUBSCRIBE Archive\r\nb5 DELETE Lists/IETF\r\n");
  await b.until("b5 ");
  deepStrictEqual([await a.line(), await a.line(), await a.line()], [
    '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
    '* LIST (\\NonExistent) "/" "Lists/IETF"',
    '* LIST (\\NonExistent) "/" "Lists"',
  ]);
  await a.send("a2 CREATE Mine\r\na3 NOOP\r\n");
  deepStrictEqual(await a.until("a3 "), ["a2 OK CREATE completed", "a3 OK NOOP completed"]);
});

Deno.test("a new folder under a watched subtree is watched from its creation (RFC 5465 6.5)", async () => {
  await using f = await notifyFixture();
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 NOTIFY SET (subtree Lists (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await a.until("a1 "), ["a1 OK NOTIFY completed"]);
  deepStrictEqual(f.registry.size, 0);
  await b.send(
    "b1 CREATE Lists/Lemonade\r\nb2 APPEND Lists/Lemonade {20}\r\nSubject: news\r\n\r\nx\r\n\r\n",
  );
  await b.until("b2 ");
  deepStrictEqual(await a.line(), '* STATUS "Lists/Lemonade" (MESSAGES 1 UIDNEXT 2)');
});

Deno.test("IDLE under NOTIFY sends exactly the NOTIFY events (RFC 5465 4)", async () => {
  await using f = await notifyFixture();
  using a = await f.connect();
  using b = await f.connect();
  await a.send(
    "a1 SELECT INBOX\r\na2 NOTIFY SET (mailboxes Archive (MessageNew MessageExpunge))\r\n",
  );
  await a.until("a2 ");
  await a.send("a3 IDLE\r\n");
  deepStrictEqual(await a.line(), "+ idling");
  // No SELECTED group: news of INBOX is not pushed; Archive's is.
  await b.send("b1 APPEND INBOX {20}\r\nSubject: four\r\n\r\nx\r\n\r\n");
  await b.until("b1 ");
  await b.send("b2 APPEND Archive {20}\r\nSubject: five\r\n\r\nx\r\n\r\n");
  await b.until("b2 ");
  deepStrictEqual(await a.line(), '* STATUS "Archive" (MESSAGES 2 UIDNEXT 3)');
  // INBOX's news waits for the end of a command, as without NOTIFY (RFC 3501 5.2).
  await a.send("DONE\r\n");
  deepStrictEqual(await a.until("a3 "), ["* 2 EXISTS", "* 2 RECENT", "a3 OK IDLE terminated"]);
});

Deno.test("unsupported events get NO [BADEVENT] listing every supported event; bad combinations get BAD (RFC 5465 3.1, 5, 6.1)", async () => {
  await using f = await notifyFixture();
  using wire = await f.connect();
  const supported =
    "BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)";
  const cases: [string, string][] = [
    [
      "(selected (MessageNew MessageExpunge AnnotationChange))",
      `NO [${supported}] NOTIFY: unsupported events AnnotationChange`,
    ],
    [
      "(personal (MailboxMetadataChange)) (inboxes (ServerMetadataChange FutureEvent))",
      `NO [${supported}] NOTIFY: unsupported events MailboxMetadataChange, ServerMetadataChange, FutureEvent`,
    ],
    ["(selected (MessageNew))", "BAD NOTIFY SET: MessageNew and MessageExpunge go together"],
    [
      "(selected (FlagChange))",
      "BAD NOTIFY SET: FlagChange needs MessageNew and MessageExpunge",
    ],
    [
      "(selected (MailboxName))",
      "BAD NOTIFY SET: MailboxName is not a message event for SELECTED",
    ],
    [
      "(selected NONE) (selected-delayed NONE)",
      "BAD NOTIFY SET: only one of SELECTED and SELECTED-DELAYED",
    ],
    [
      "(personal (MessageNew (UID) MessageExpunge))",
      "BAD NOTIFY SET: fetch attributes need SELECTED",
    ],
    [
      "(selected (MessageNew (BOGUS) MessageExpunge))",
      'BAD FETCH: unknown data item "BOGUS"',
    ],
    ["(everything (MessageNew))", 'BAD NOTIFY SET: unknown mailbox filter "everything"'],
    ["(subtree (MessageNew))", "BAD NOTIFY SET: an event group is (filter events)"],
    ["STATUS", "BAD NOTIFY SET expects event groups"],
  ];
  for (const [groups, answer] of cases) {
    await wire.send(`a NOTIFY SET ${groups}\r\n`);
    deepStrictEqual(await wire.until("a "), [`a ${answer}`], groups);
  }
  await wire.send("b NOTIFY\r\nc NOTIFY NONE extra\r\n");
  deepStrictEqual(await wire.until("c "), [
    "b BAD NOTIFY expects SET or NONE",
    "c BAD NOTIFY NONE takes no arguments",
  ]);
});

Deno.test("NOTIFY NONE, a new NOTIFY SET and LOGOUT release every listener and folder", async () => {
  await using f = await notifyFixture();
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 NOTIFY SET STATUS (personal (MessageNew MessageExpunge))\r\n");
  await a.until("a1 ");
  deepStrictEqual(f.registry.size, 2); // INBOX and Archive, one shared state each
  await a.send("a2 NOTIFY SET (mailboxes Archive (MessageNew MessageExpunge))\r\n");
  await a.until("a2 ");
  deepStrictEqual(f.registry.size, 1);
  await a.send("a3 NOTIFY NONE\r\n");
  deepStrictEqual(await a.until("a3 "), ["a3 OK NOTIFY completed"]);
  deepStrictEqual(f.registry.size, 0);
  // Nothing more is pushed: the next line a reads answers its own command.
  await b.send("b1 APPEND Archive {20}\r\nSubject: more\r\n\r\nx\r\n\r\n");
  await b.until("b1 ");
  await a.send("a4 NOOP\r\n");
  deepStrictEqual(await a.until("a4 "), ["a4 OK NOOP completed"]);
  await a.send(
    "a5 NOTIFY SET (personal (MessageNew MessageExpunge)) (selected (MessageNew MessageExpunge))\r\na6 SELECT INBOX\r\n",
  );
  await a.until("a6 ");
  deepStrictEqual(f.mailboxEvents.size, 1); // alice's sessions hear of name changes
  await a.send("a7 LOGOUT\r\n");
  await a.until("a7 ");
  deepStrictEqual(await a.line(), "<closed>");
  deepStrictEqual(f.registry.size, 0);
  deepStrictEqual(f.mailboxEvents.size, 0);
});

Deno.test("SEARCH RETURN (UPDATE (fetch-att)) sends EXISTS, then FETCH, then ESEARCH ADDTO, for new messages only (RFC 5465 7)", async () => {
  await using f = await notifyFixture([mail("one"), mail("two")]);
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 EXAMINE INBOX\r\n");
  await a.until("a1 ");
  await a.send("a2 SEARCH RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])) SEEN\r\n");
  deepStrictEqual(await a.until("a2 "), ['* ESEARCH (TAG "a2") COUNT 0', "a2 OK SEARCH completed"]);
  await b.send("b1 APPEND INBOX (\\Seen) {24}\r\nSubject: boss two\r\n\r\nx\r\n\r\n");
  await b.until("b1 ");
  await b.send("b2 SELECT INBOX\r\nb3 STORE 2 +FLAGS.SILENT (\\Seen)\r\n");
  await b.until("b3 ");
  await a.send("a3 NOOP\r\n");
  // Both join the results; only the new message is fetched ("No untagged FETCH response
  // SHOULD be returned if a message becomes a member [...] due to flag [...] changes").
  deepStrictEqual(await a.until("a3 "), [
    "* 2 FETCH (FLAGS (\\Seen \\Recent))",
    "* 3 EXISTS",
    "* 2 RECENT",
    "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {21}",
    "Subject: boss two",
    "",
    ")",
    '* ESEARCH (TAG "a2") ADDTO (1 2:3)',
    "a3 OK NOOP completed",
  ]);
  await a.send("a4 SEARCH RETURN (UPDATE (BOGUS)) ALL\r\n");
  deepStrictEqual(await a.until("a4 "), ['a4 BAD FETCH: unknown data item "BOGUS"']);
});

Deno.test("past the folder limit: NO [NOTIFICATIONOVERFLOW] at SET, or untagged when folders are created later (RFC 5465 3.1, 5.8)", async () => {
  await using f = await notifyFixture([mail("one")], { notifyMailboxes: 2 });
  using a = await f.connect();
  using b = await f.connect();
  await a.send("a1 NOTIFY SET (personal (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await a.until("a1 "), ["a1 OK NOTIFY completed"]);
  await b.send("b1 CREATE Third\r\n");
  await b.until("b1 ");
  deepStrictEqual(
    await a.line(),
    "* OK [NOTIFICATIONOVERFLOW] Too many mailboxes to watch; NOTIFY is off",
  );
  deepStrictEqual(f.registry.size, 0); // as after NOTIFY NONE
  await a.send("a2 NOTIFY SET (personal (MessageNew MessageExpunge))\r\n");
  deepStrictEqual(await a.until("a2 "), [
    "a2 NO [NOTIFICATIONOVERFLOW] NOTIFY would watch 3 mailboxes; at most 2",
  ]);
  deepStrictEqual(f.registry.size, 0);
});

Deno.test("parseNotify() reads mailbox lists, NONE events and STATUS in any case", () => {
  const parse = (text: string) =>
    parseNotify(new Parser({ lines: [text], literals: [], size: 0 }, { nil: false }).readAll());
  deepStrictEqual(parse("none"), null);
  deepStrictEqual(
    parse('set status (Subtree (INBOX "Lists") (messagenew messageexpunge)) (personal none)'),
    {
      status: true,
      selected: null,
      groups: [
        {
          filter: { kind: "subtree", names: ["INBOX", "Lists"] },
          events: new Set(["MessageNew", "MessageExpunge"]),
        },
        { filter: { kind: "personal" }, events: new Set() },
      ],
    },
  );
});
