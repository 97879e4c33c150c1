// Generated from a notebook for type checking; safe to delete.
export {};
import { keep, release, releaseAll } from "../lib/lifetime/mod.ts";
import { serveTiny } from "../lib/tiny/mod.ts";

// keep() remembers the server under a name: running this cell again closes the old one first.
const server = await keep("tiny server", () => serveTiny());
`TINY listens on ${server.hostname}:${server.port}`;
;
import { connectLoopback, LineReader, LineWriter } from "../lib/net/mod.ts";

const conn = await keep("tiny client", () => connectLoopback(server.port, { timeoutMs: 2000 }));
const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
const writer = new LineWriter(conn);

async function send(command: string): Promise<string> {
  await writer.writeLine(command);
  const reply = await reader.readLine();
  return reply?.text ?? "(connection closed)";
}

(await reader.readLine())?.text;
;
const replies = [];
for (const command of ["ECHO hello, loopback", "UPPER quiet please", "TIME", "FETCH mail"]) {
  replies.push({ command, reply: await send(command) });
}
replies;
;
const goodbye = await send("QUIT");
await release("tiny client"); // closes our end
goodbye;
;
server.transcript;
;
import { sequenceDiagram } from "../lib/viz/mod.ts";

sequenceDiagram(server.transcript, { participants: ["client", "server"], showBytes: true });
;
({
  clientSent: server.transcript.bytesFrom("client"),
  serverSent: server.transcript.bytesFrom("server"),
  lines: server.transcript.lines().length,
});
;
import { formatNumber, histogram, markdown, quantile } from "../lib/viz/mod.ts";

const timed = await connectLoopback(server.port, { timeoutMs: 2000 });
const timedReader = new LineReader(timed, { idleTimeoutMs: 2000 });
const timedWriter = new LineWriter(timed);
await timedReader.readLine(); // greeting
for (let i = 0; i < 20; i++) { // warm up: the first round trips include compiling our code
  await timedWriter.writeLine("ECHO warm-up");
  await timedReader.readLine();
}

const roundTripsMs: number[] = [];
for (let i = 0; i < 300; i++) {
  const started = performance.now();
  await timedWriter.writeLine(`ECHO ${i}`);
  await timedReader.readLine();
  roundTripsMs.push(performance.now() - started);
}
await timedWriter.writeLine("QUIT");
await timedReader.readLine();
timed.close();

const roundTripsUs = roundTripsMs.map((ms) => ms * 1000);
histogram(roundTripsUs, { title: "TINY round trips on loopback", x: "µs" });
;
const sortedUs = [...roundTripsUs].sort((a, b) => a - b);
markdown(
  `Median round trip: **${formatNumber(quantile(sortedUs, 0.5))} µs**; ` +
    `9 in 10 took less than ${formatNumber(quantile(sortedUs, 0.9))} µs, ` +
    `the slowest ${formatNumber(sortedUs.at(-1)!)} µs (${sortedUs.length} round trips).`,
);
;
await releaseAll(); // everything kept: the server, which closes the connections it holds
`closed; ${server.connections.size} connections left`;
;
import { gradeInline } from "../lib/grading/inline.ts";

await gradeInline("00_welcome");
;
