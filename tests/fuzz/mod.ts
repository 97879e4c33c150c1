/**
 * Every fuzz target, in one list: `deno task fuzz` runs them long, tests/fuzz_test.ts
 * short. A protocol adds its targets here.
 *
 * @module
 */
import type { FuzzTarget } from "./harness.ts";
import { SMTP_TARGETS } from "./smtp.ts";
import { POP3_TARGETS } from "./pop3.ts";
import { MAIL_TARGETS } from "./mail.ts";

export * from "./harness.ts";

/** The targets by group, for `deno task fuzz --only GROUP`. */
export const FUZZ_GROUPS: Record<string, readonly FuzzTarget[]> = {
  smtp: SMTP_TARGETS,
  pop3: POP3_TARGETS,
  mail: MAIL_TARGETS,
};

export const FUZZ_TARGETS: readonly FuzzTarget[] = Object.values(FUZZ_GROUPS).flat();
