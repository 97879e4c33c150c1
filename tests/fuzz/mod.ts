/**
 * Every fuzz target, in one list: `deno task fuzz` runs them long, tests/fuzz_test.ts
 * short. A protocol adds its targets here.
 *
 * @module
 */
import type { FuzzTarget } from "./harness.ts";
import { SMTP_TARGETS } from "./smtp.ts";
import { POP3_TARGETS } from "./pop3.ts";
import { IMAP_TARGETS } from "./imap.ts";
import { MAIL_TARGETS } from "./mail.ts";

export * from "./harness.ts";

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  ...SMTP_TARGETS,
  ...POP3_TARGETS,
  ...IMAP_TARGETS,
  ...MAIL_TARGETS,
];
