/**
 * The command table: name to handler. The dispatcher in session.ts looks commands up
 * here and checks each handler's states before running it.
 *
 * @module
 */

import { CAPABILITY, ENABLE, ID, LOGOUT, NOOP } from "./any_state.ts";
import { APPEND } from "./append.ts";
import { AUTHENTICATE, LOGIN } from "./auth.ts";
import { COPY, MOVE } from "./copy.ts";
import { EXPUNGE } from "./expunge.ts";
import { FETCH } from "./fetch.ts";
import { IDLE } from "./idle.ts";
import { LIST, LSUB } from "./list.ts";
import { NOTIFY } from "./notify.ts";
import { CREATE, DELETE, NAMESPACE, RENAME, STATUS, SUBSCRIBE, UNSUBSCRIBE } from "./mailboxes.ts";
import { CANCELUPDATE, SEARCH } from "./search.ts";
import { SORT } from "./sort.ts";
import { THREAD } from "./thread.ts";
import { CHECK, CLOSE, EXAMINE, SELECT, UNSELECT } from "./select.ts";
import { STORE } from "./store.ts";
import type { CommandHandler } from "./types.ts";

export * from "./types.ts";

/** Every command the server knows, by upper-case name. */
export const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  CAPABILITY,
  NOOP,
  LOGOUT,
  ID,
  ENABLE,
  LOGIN,
  AUTHENTICATE,
  SELECT,
  EXAMINE,
  CREATE,
  DELETE,
  RENAME,
  SUBSCRIBE,
  UNSUBSCRIBE,
  LIST,
  LSUB,
  NAMESPACE,
  STATUS,
  APPEND,
  CHECK,
  CLOSE,
  UNSELECT,
  EXPUNGE,
  SEARCH,
  CANCELUPDATE,
  SORT,
  THREAD,
  FETCH,
  STORE,
  COPY,
  MOVE,
  IDLE,
  NOTIFY,
};
