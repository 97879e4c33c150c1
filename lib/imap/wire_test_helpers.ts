/**
 * Test helpers: a server over a temp store, and a raw connection that sends exact bytes
 * and reads exact lines back (what the client in client.ts would refuse to send).
 *
 * @module
 */

import { connectLoopback, LineReader } from "../net/mod.ts";
import { MailStore } from "../maildir/mod.ts";
import { type ImapServerOptions, serveImap } from "./server.ts";

const encoder = new TextEncoder();

/** A temp store with alice (password "pw") and her INBOX holding `messages`, and a server. */
export async function wireFixture(
  messages: string[] = [],
  options: Partial<ImapServerOptions> = {},
) {
  const root = await Deno.makeTempDir({ prefix: "imap-wire-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (const message of messages) await box.deliver(encoder.encode(message));
  const server = serveImap({
    store,
    users: new Map([["alice", "pw"]]),
    pollIntervalMs: 50,
    ...options,
  });
  return {
    root,
    store,
    box,
    server,
    /** A raw connection, greeting read; logged in as alice unless `login` is false. */
    async connect(login = true) {
      const wire = await rawConnection(server.port);
      if (login) {
        await wire.send("L0 LOGIN alice pw\r\n");
        const reply = await wire.until("L0 ");
        if (!reply.at(-1)?.startsWith("L0 OK")) throw new Error(reply.join("\n"));
      }
      return wire;
    },
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** One raw IMAP connection. */
export async function rawConnection(port: number) {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 10_000, maxLineLength: 1 << 20 });
  const greeting = (await reader.readLine())?.text;
  if (!greeting?.startsWith("* OK")) throw new Error(`Unexpected greeting ${greeting}`);
  return {
    /** Send bytes exactly as given. */
    async send(data: string | Uint8Array) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    },
    /** The next line, or "<closed>" when the server closed the connection. */
    async line(): Promise<string> {
      return (await reader.readLine())?.text ?? "<closed>";
    },
    /** Lines up to and including the first that starts with `prefix` (or the close). */
    async until(prefix: string): Promise<string[]> {
      const out: string[] = [];
      while (true) {
        const line = await this.line();
        out.push(line);
        if (line.startsWith(prefix) || line === "<closed>") return out;
      }
    },
    [Symbol.dispose]() {
      conn.close();
    },
  };
}
