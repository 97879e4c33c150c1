/**
 * Every bound of the SMTP server in one place: what one client can make it hold, and
 * how long it waits. `serveSmtp` takes each as its default; the README's mail-lab table
 * is written from {@linkcode LIMIT_NOTES} (`deno run -A tools/limits_table.ts --write`), and a test keeps the two
 * the same. The password-guessing policy shared by all three servers is
 * `AUTH_THROTTLE` in lib/net/auth_throttle.ts.
 *
 * @module
 */

/** The SMTP server's limits, each with its reason. */
export const LIMITS = {
  /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
  commandLine: 510,
  /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets with CRLF; 998 plus slack. */
  textLine: 1000,
  /** Largest message, advertised as SIZE (RFC 1870); about what Postfix allows (10,240,000). */
  maxMessageSize: 10 * 1024 * 1024,
  /** RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients. */
  maxRecipients: 100,
  /**
   * DATA is scanned in chunks of this size: besides the message itself, the memory each
   * connection holds.
   */
  readBuffer: 32 * 1024,
  /** RFC 5321 4.5.3.2.7: at least 5 minutes awaiting the next command. */
  idleTimeoutMs: 5 * 60 * 1000,
  /**
   * From the greeting until AUTH succeeds or a MAIL is accepted (a relay client sends it
   * at once): 3 minutes in all, Dovecot's login timeout. Then the idle timeout alone.
   */
  loginTimeoutMs: 3 * 60 * 1000,
  /** Connections at once: Postfix's default_process_limit. */
  maxConnections: 100,
  /** Connections at once from one address: Postfix's smtpd_client_connection_count_limit. */
  maxConnectionsPerAddress: 50,
} as const;

/** One line per limit for the README table: what it bounds and the reply past it. */
export const LIMIT_NOTES: Record<keyof typeof LIMITS, string> = {
  commandLine: "command line, bytes without CRLF (RFC 5321 4.5.3.1.4); longer: `500 5.5.2`",
  textLine:
    "any line, bytes without CRLF (RFC 5321 4.5.3.1.6); longer: `500 5.5.2`, `500 5.5.6` in AUTH (RFC 4954 4)",
  maxMessageSize: "message, bytes, advertised as `SIZE` (RFC 1870); larger: `552 5.3.4`",
  maxRecipients: "recipients per message (RFC 5321 4.5.3.1.8); more: `452 4.5.3`",
  readBuffer: "DATA read buffer per connection, bytes",
  idleTimeoutMs:
    "silence once logged in or mid-transaction, ms (RFC 5321 4.5.3.2.7); then `421 4.4.2`",
  loginTimeoutMs: "from greeting to AUTH or first MAIL, ms (Dovecot's 3 min); then `421 4.4.2`",
  maxConnections: "connections at once (Postfix default_process_limit); more: `421 4.3.2`",
  maxConnectionsPerAddress:
    "connections at once from one address (Postfix smtpd_client_connection_count_limit); more: `421 4.7.0`",
};
