/**
 * Warm-up: ask the TINY server one question.
 *
 * The TINY server (lib/tiny/) greets, answers one line per command, and says goodbye to
 * QUIT. Write the client side of one short session:
 *
 * 1. connect to 127.0.0.1 on `port`;
 * 2. read the greeting line (`+OK tiny server ready`);
 * 3. send `command`, ending the line with CRLF;
 * 4. read the one-line reply: that is what you return, without its CRLF;
 * 5. send `QUIT`, read the `+OK bye`;
 * 6. close the connection.
 *
 * `lib/net` has what you need: `connectLoopback`, `LineReader`, `LineWriter`.
 * Check your work with `deno task grade 00_welcome`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** Send one command to the TINY server on `port` and return its reply line. */
export async function askTiny(port: number, command: string): Promise<string> {
  // TODO: connect, read the greeting, send the command, read the reply, QUIT, close.
  await Promise.resolve([port, command]);
  throw todo("askTiny(): talk to the TINY server");
}
