/**
 * The README's table of the mail servers' limits and timeouts, written from the code.
 *
 * Each server names its bounds in one place (lib/smtp/limits.ts, lib/pop3/constants.ts,
 * lib/imap/constants.ts; the password policy shared by all three in
 * lib/net/auth_throttle.ts), with a note per bound. This renders them as one markdown
 * table; `--write` puts it into README.md between its `limits` markers, and
 * tools/limits_table_test.ts fails when the README and the code disagree.
 *
 *   deno run -A tools/limits_table.ts [--write]
 *
 * @module
 */

import { AUTH_THROTTLE, AUTH_THROTTLE_NOTES } from "../lib/net/auth_throttle.ts";
import { LIMIT_NOTES as SMTP_NOTES, LIMITS as SMTP_LIMITS } from "../lib/smtp/limits.ts";
import { LIMIT_NOTES as POP3_NOTES, LIMITS as POP3_LIMITS } from "../lib/pop3/constants.ts";
import { LIMIT_NOTES as IMAP_NOTES, LIMITS as IMAP_LIMITS } from "../lib/imap/constants.ts";

/** Where each group of limits lives, its values and its notes. */
export const LIMIT_SOURCES: readonly {
  server: string;
  file: string;
  limits: Readonly<Record<string, number>>;
  notes: Readonly<Record<string, string>>;
}[] = [
  { server: "SMTP", file: "lib/smtp/limits.ts", limits: SMTP_LIMITS, notes: SMTP_NOTES },
  { server: "POP3", file: "lib/pop3/constants.ts", limits: POP3_LIMITS, notes: POP3_NOTES },
  { server: "IMAP", file: "lib/imap/constants.ts", limits: IMAP_LIMITS, notes: IMAP_NOTES },
  {
    server: "all three",
    file: "lib/net/auth_throttle.ts",
    limits: AUTH_THROTTLE,
    notes: AUTH_THROTTLE_NOTES,
  },
];

/** The markers around the table in README.md. */
export const BEGIN = "<!-- BEGIN limits (written by tools/limits_table.ts --write) -->";
export const END = "<!-- END limits -->";

/**
 * A value as a reader wants it: durations (names ending in `Ms`) in minutes or seconds,
 * whole KiB and MiB as such, other numbers with thousands separators.
 */
export function formatLimit(name: string, value: number): string {
  if (name.endsWith("Ms")) {
    if (value % 3_600_000 === 0) return `${value / 3_600_000} h`;
    if (value % 60_000 === 0) return `${value / 60_000} min`;
    return `${value / 1000} s`;
  }
  if (value >= 1024 * 1024 && value % (1024 * 1024) === 0) return `${value / (1024 * 1024)} MiB`;
  if (value >= 1024 && value % 1024 === 0) return `${value / 1024} KiB`;
  return value.toLocaleString("en-US");
}

/** The table, one row per limit, in the order the code lists them. */
export function limitsTable(): string {
  const rows = [
    "| server | limit | default | what it bounds, and what a client past it gets |",
    "| ------ | ----- | ------- | ----------------------------------------------- |",
  ];
  for (const { server, file, limits, notes } of LIMIT_SOURCES) {
    for (const [name, value] of Object.entries(limits)) {
      const note = notes[name];
      if (!note) throw new Error(`Cannot document ${file} ${name}: it has no note`);
      rows.push(`| ${server} | [\`${name}\`](${file}) | ${formatLimit(name, value)} | ${note} |`);
    }
  }
  return rows.join("\n");
}

/** README text with the table between the markers replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`Cannot find the limits table markers in README.md: ${BEGIN} ... ${END}`);
  }
  return readme.slice(0, start + BEGIN.length) + "\n\n" + table + "\n\n" + readme.slice(end);
}

if (import.meta.main) {
  const table = limitsTable();
  if (Deno.args.includes("--write")) {
    const path = new URL("../README.md", import.meta.url);
    Deno.writeTextFileSync(path, withTable(Deno.readTextFileSync(path), table));
    console.log("README.md: limits table written");
  } else {
    console.log(table);
  }
}
