/**
 * The operating system's table of TCP sockets, where it shows one.
 *
 * Linux lists every TCP socket in `/proc/net/tcp` (IPv4) and `/proc/net/tcp6` (IPv6),
 * with its state as a number (`include/net/tcp_states.h`); `ss -tan` reads the same
 * data. Sockets in TIME-WAIT appear there although no program holds them any more: the
 * kernel keeps them for the timer. macOS and Windows have no `/proc`: there the table
 * is "not available here" and the chapter says so instead of failing.
 *
 * @module
 */

import { TCP_STATE, type TcpState } from "./state.ts";

/** Linux's state numbers (`TCP_ESTABLISHED = 1` …) mapped to RFC names. */
export const LINUX_TCP_STATE: Readonly<Record<number, { kernel: string; rfc: TcpState | null }>> = {
  0x01: { kernel: "ESTABLISHED", rfc: TCP_STATE.ESTABLISHED },
  0x02: { kernel: "SYN_SENT", rfc: TCP_STATE.SYN_SENT },
  0x03: { kernel: "SYN_RECV", rfc: TCP_STATE.SYN_RECEIVED },
  0x04: { kernel: "FIN_WAIT1", rfc: TCP_STATE.FIN_WAIT_1 },
  0x05: { kernel: "FIN_WAIT2", rfc: TCP_STATE.FIN_WAIT_2 },
  0x06: { kernel: "TIME_WAIT", rfc: TCP_STATE.TIME_WAIT },
  0x07: { kernel: "CLOSE", rfc: TCP_STATE.CLOSED },
  0x08: { kernel: "CLOSE_WAIT", rfc: TCP_STATE.CLOSE_WAIT },
  0x09: { kernel: "LAST_ACK", rfc: TCP_STATE.LAST_ACK },
  0x0a: { kernel: "LISTEN", rfc: TCP_STATE.LISTEN },
  0x0b: { kernel: "CLOSING", rfc: TCP_STATE.CLOSING },
  // A request socket: a SYN answered but the handshake not finished (the SYN queue).
  0x0c: { kernel: "NEW_SYN_RECV", rfc: TCP_STATE.SYN_RECEIVED },
};

/** One row of the table. */
export interface SocketEntry {
  /** `"127.0.0.1:5000"` or `"[::1]:5000"`. */
  local: string;
  remote: string;
  /** RFC name of the state (null for a number Linux may add later). */
  state: TcpState | null;
  /** The kernel's own name, as `ss` prints it. */
  kernelState: string;
  /** Seconds left on the socket's timer (for TIME-WAIT: until the kernel forgets it). */
  timerSeconds: number;
}

/** The table, or why there is none. */
export type SocketTable =
  | { available: true; source: string; sockets: SocketEntry[] }
  | { available: false; reason: string };

/** Clock ticks per second in /proc timers (USER_HZ, 100 on every Linux port). */
const USER_HZ = 100;

function ipv4(hex: string): string {
  // Four bytes in the kernel's (little-endian) order.
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join(".");
}

function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(w.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `[::ffff:${bytes.slice(12).join(".")}]`;
  }
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `[${groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}]`;
}

function address(field: string, where: string): string {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field);
  if (!m) {
    throw new Error(`Cannot parse socket table: bad address ${JSON.stringify(field)} at ${where}`);
  }
  const host = m[1].length === 8 ? ipv4(m[1]) : ipv6(m[1]);
  return `${host}:${parseInt(m[2], 16)}`;
}

/**
 * Parse the text of `/proc/net/tcp` or `/proc/net/tcp6`.
 *
 * @throws {Error} naming the line when a row does not have the expected fields.
 *
 * @example
 * ```ts
 * import { parseProcNetTcp } from "./socket_table.ts";
 * const text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when\n" +
 *   "   0: 0100007F:1F90 0100007F:A2B4 06 00000000:00000000 03:00001770 00000000 0 0 0 1\n";
 * const [row] = parseProcNetTcp(text);
 * if (row.state !== "TIME-WAIT" || row.local !== "127.0.0.1:8080" || row.timerSeconds !== 60) throw new Error();
 * ```
 */
export function parseProcNetTcp(text: string, source = "/proc/net/tcp"): SocketEntry[] {
  const lines = text.split("\n");
  const out: SocketEntry[] = [];
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === "") return;
    const where = `${source} line ${i + 1}`;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || !fields[0].endsWith(":")) {
      throw new Error(`Cannot parse socket table: too few fields at ${where}`);
    }
    const code = parseInt(fields[3], 16);
    if (Number.isNaN(code)) {
      throw new Error(`Cannot parse socket table: bad state ${fields[3]} at ${where}`);
    }
    const known = LINUX_TCP_STATE[code];
    const when = fields[5].split(":")[1] ?? "0";
    out.push({
      local: address(fields[1], where),
      remote: address(fields[2], where),
      state: known?.rfc ?? null,
      kernelState: known?.kernel ?? `UNKNOWN(${fields[3]})`,
      timerSeconds: parseInt(when, 16) / USER_HZ,
    });
  });
  return out;
}

/**
 * Read the live socket table (Linux), or say why it is not available.
 *
 * @example
 * ```ts ignore
 * const table = await readSocketTable();
 * if (table.available) console.log(table.sockets.filter((s) => s.state === "TIME-WAIT"));
 * else console.log(table.reason);
 * ```
 */
export async function readSocketTable(
  files: readonly string[] = ["/proc/net/tcp", "/proc/net/tcp6"],
): Promise<SocketTable> {
  const sockets: SocketEntry[] = [];
  const read: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue; // e.g. no IPv6, or no /proc at all
    }
    sockets.push(...parseProcNetTcp(text, file));
    read.push(file);
  }
  if (read.length === 0) {
    return {
      available: false,
      reason: `not available here: ${files.join(" and ")} cannot be read on ${Deno.build.os} ` +
        "(only Linux exposes its socket table this way; try `netstat -an` on macOS or Windows)",
    };
  }
  return { available: true, source: read.join(", "), sockets };
}
