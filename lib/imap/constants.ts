/**
 * Names and numbers of IMAP4rev1 (RFC 3501) with the parts of IMAP4rev2 (RFC 9051) that
 * real clients rely on.
 *
 * @module
 */

/**
 * The four connection states of RFC 3501 3 (RFC 9051 3). Each command handler checks the
 * state first: a command sent in the wrong state gets BAD, as RFC 3501 6 asks.
 */
export const STATE = {
  /** RFC 3501 3.1: before LOGIN or AUTHENTICATE. */
  NotAuthenticated: "NOT AUTHENTICATED",
  /** RFC 3501 3.2: logged in, no mailbox selected. */
  Authenticated: "AUTHENTICATED",
  /** RFC 3501 3.3: a mailbox is selected (SELECT or EXAMINE succeeded). */
  Selected: "SELECTED",
  /** RFC 3501 3.4: LOGOUT, autologout, or the server is closing. */
  Logout: "LOGOUT",
} as const;

/** One of {@linkcode STATE}. */
export type State = typeof STATE[keyof typeof STATE];

/**
 * What we advertise in CAPABILITY (RFC 3501 7.2.1). Each one is implemented in full:
 * LITERAL+ (RFC 7888), SASL-IR (RFC 4959), IDLE (RFC 2177), UIDPLUS (RFC 4315),
 * MOVE (RFC 6851), NAMESPACE (RFC 2342), UNSELECT (RFC 3691), ENABLE (RFC 5161),
 * ID (RFC 2971), CHILDREN (RFC 3348), SORT and THREAD (RFC 5256, sort.ts, thread.ts),
 * SORT=DISPLAY (RFC 5957), ESEARCH (RFC 4731), ESORT and CONTEXT=SEARCH (RFC 5267,
 * esearch.ts, commands/search.ts),
 * BINARY (RFC 3516, binary.ts), MULTIAPPEND (RFC 3502) and CATENATE (RFC 4469,
 * commands/append.ts, imap_url.ts), LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and
 * SPECIAL-USE (RFC 6154, commands/list.ts), CONDSTORE and QRESYNC (RFC 7162, modseq.ts,
 * condstore.ts, qresync.ts), NOTIFY (RFC 5465, notify.ts, commands/notify.ts).
 */
export const CAPABILITIES = [
  "IMAP4rev1",
  "LITERAL+",
  "SASL-IR",
  "AUTH=PLAIN",
  "IDLE",
  "NOTIFY",
  "UIDPLUS",
  "MOVE",
  "NAMESPACE",
  "UNSELECT",
  "ENABLE",
  "ID",
  "CHILDREN",
  "SORT",
  "SORT=DISPLAY",
  "THREAD=ORDEREDSUBJECT",
  "THREAD=REFERENCES",
  "ESEARCH",
  "ESORT",
  "CONTEXT=SEARCH",
  "BINARY",
  "MULTIAPPEND",
  "CATENATE",
  "LIST-EXTENDED",
  "LIST-STATUS",
  "SPECIAL-USE",
  "CONDSTORE",
  "QRESYNC",
] as const;

/**
 * System flags (RFC 3501 2.3.2) and the Maildir info letters that carry them, so that
 * other Maildir readers (Dovecot, mutt, mbsync) see the same flags
 * (https://cr.yp.to/proto/maildir.html). \Recent has no letter: it is per session.
 */
export const FLAG_LETTER = {
  "\\Seen": "S",
  "\\Answered": "R",
  "\\Flagged": "F",
  "\\Deleted": "T",
  "\\Draft": "D",
} as const;

/** An IMAP system flag that is stored in the Maildir file name. */
export type StoredFlag = keyof typeof FLAG_LETTER;

/** The flags a SELECT reports in FLAGS and PERMANENTFLAGS (RFC 3501 7.2.6, 7.1). */
export const SYSTEM_FLAGS: readonly StoredFlag[] = Object.keys(FLAG_LETTER) as StoredFlag[];

/** The hierarchy delimiter our LIST reports (RFC 3501 6.3.8); the store maps it to Maildir++ dots. */
export const DELIMITER = "/";

/** Limits, each with the reason for its value. */
export const LIMITS = {
  /**
   * Longest command line between literals. RFC 7162 3.2.2 asks servers to accept at
   * least 8192 octets; mbsync sends long UID sets, so we allow more.
   */
  maxLineLength: 64 * 1024,
  /** Largest literal accepted (APPEND of a big message), checked before any byte is read. */
  maxLiteralSize: 32 * 1024 * 1024,
  /**
   * Most octets all literals of one command may hold after login: two of the largest
   * messages (MULTIAPPEND sends several in one command). A command is read whole before
   * it runs, so this bounds what one connection can make the server hold.
   */
  maxCommandLiteralSize: 64 * 1024 * 1024,
  /** Most literals in one command (each costs the client a round trip, and us memory). */
  maxLiterals: 1000,
  /**
   * Most octets of text (the lines between literals) one command may hold once logged in:
   * with 1000 literals, lines near the line cap would otherwise add up to 64 MiB. A
   * MULTIAPPEND of 1000 messages with flags and dates needs about 60 KiB.
   */
  maxCommandText: 1024 * 1024,
  /**
   * Before login a client only needs a user name and a password (LOGIN, AUTHENTICATE) or
   * a few ID strings: all literals of one command together may hold this much, so an
   * unauthenticated connection cannot make the server hold more.
   */
  preAuthLiteralSize: 16 * 1024,
  /** Most literals in one command before login. */
  preAuthLiterals: 64,
  /** Most octets of text one command may hold before login, literals excluded. */
  preAuthCommandText: 64 * 1024,
  /**
   * Deepest nesting of parentheses (and of NOT/OR in SEARCH) a command may use. Real
   * clients nest a few levels; recursion deeper than this would exhaust the stack, so such
   * a command is answered BAD (RFC 3501 7.1.3).
   */
  maxNesting: 100,
  /**
   * RFC 3501 5.4: an inactivity autologout timer must be at least 30 minutes.
   * Tests and notebooks pass something shorter.
   */
  idleTimeoutMs: 30 * 60 * 1000,
  /**
   * How often a folder with IDLE sessions is rescanned besides its file-system events (a
   * safety net: network file systems report none). Tests and notebooks pass shorter.
   */
  rescanIntervalMs: 30_000,
  /**
   * Most simultaneous connections by default: a class of a thousand (what an idle session
   * costs is measured in bench/README-imap.md). Client 1001 gets a BYE.
   */
  maxConnections: 1000,
  /** Failed LOGIN attempts before the server says BYE (RFC 3501 6.2.3 allows closing). */
  maxAuthFailures: 3,
  /**
   * From the greeting to a successful login: 3 minutes in all, Dovecot's
   * CLIENT_LOGIN_TIMEOUT_MSECS. RFC 9051 5.4's 30 minutes are for sessions after
   * authentication; it sets no limit before.
   */
  loginTimeoutMs: 3 * 60 * 1000,
  /**
   * Most simultaneous connections from one address: half the slots, as Postfix keeps 50
   * of its 100 (smtpd_client_connection_count_limit), so one client cannot take them all.
   */
  maxConnectionsPerAddress: 500,
  /**
   * Each connection's line buffer starts this small and grows (up to maxLineLength) only
   * for a long line, so a thousand idle sessions hold a few MiB, not 64 MiB.
   */
  initialLineBuffer: 4096,
  /**
   * Responses queued past this many octets are written out before the next is built, so a
   * FETCH of a whole mailbox never holds its whole answer in memory.
   */
  outputFlushSize: 256 * 1024,
  /**
   * Longest string the compiler sends quoted; a longer one goes as a literal, whose size
   * the reader learns before the octets (RFC 3501 4.3 leaves the choice to the sender).
   */
  maxQuotedLength: 1024,
  /**
   * Most folders one NOTIFY may watch (RFC 5465 3.1 lets a server refuse what is
   * "prohibitively expensive"): each watched folder keeps its shared state (its message
   * list) in memory and a file-system watcher (two inotify watches), shared with every
   * session watching it. Dovecot refuses more than 100 names per namespace. More:
   * NO [NOTIFICATIONOVERFLOW].
   */
  notifyMailboxes: 100,
  /** Keywords per folder: Dovecot's dovecot-keywords file names them by the letters a to z. */
  maxKeywords: 26,
  /**
   * Longest response line our client accepts: a server may answer SEARCH or send a UID set
   * on one line far longer than a command (Dovecot does, for big mailboxes).
   */
  clientMaxLineLength: 1024 * 1024,
  /** Largest literal our client accepts in a response (a FETCH of a big message). */
  clientMaxLiteralSize: 64 * 1024 * 1024,
} as const;

/** One line per limit for the README's mail-lab table (tools/limits_table.ts writes it). */
export const LIMIT_NOTES: Record<keyof typeof LIMITS, string> = {
  maxLineLength:
    "command line between literals, bytes (RFC 7162 3.2.2: at least 8192); longer: `BAD`",
  maxLiteralSize: "one literal (APPEND), bytes, checked before reading; larger: `NO [TOOBIG]`",
  maxCommandLiteralSize: "all literals of one command after login, bytes; more: `NO [TOOBIG]`",
  maxLiterals: "literals in one command after login",
  preAuthLiteralSize: "all literals of one command before login, bytes",
  preAuthLiterals: "literals in one command before login",
  maxNesting: "nesting of parentheses, NOT and OR; deeper: `BAD` (RFC 3501 7.1.3)",
  idleTimeoutMs: "silence once logged in, ms (RFC 3501 5.4, RFC 9051 5.4); then `* BYE`",
  rescanIntervalMs: "rescan of a folder with IDLE sessions besides file-system events, ms",
  maxConnections: "connections at once; more: `* BYE` instead of a greeting (RFC 3501 7.1.5)",
  maxAuthFailures:
    "failed logins per session (the shared policy, lib/net/auth_throttle.ts); then `* BYE`",
  loginTimeoutMs: "from greeting to login, ms (Dovecot's 3 min); then `* BYE`",
  maxConnectionsPerAddress: "connections at once from one address; more: `* BYE`",
  maxCommandText:
    "text of one command besides its literals after login, bytes; more: `NO [TOOBIG]`",
  preAuthCommandText: "text of one command besides its literals before login, bytes",
  initialLineBuffer: "each connection's line buffer at first, bytes (grows for a long line)",
  outputFlushSize: "responses queued before they are written, bytes (FETCH streams)",
  maxQuotedLength: "longest string sent quoted, characters; longer ones go as literals",
  notifyMailboxes: "folders one NOTIFY watches; more: `NO [NOTIFICATIONOVERFLOW]` (RFC 5465)",
  maxKeywords: "keywords per folder (Dovecot's letters a to z); more: `NO [LIMIT]`",
  clientMaxLineLength: "longest response line our client reads, bytes",
  clientMaxLiteralSize: "largest literal our client reads in a response, bytes",
};

/** Month names of RFC 3501 date-text and date-time. */
export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;
