import assert from "node:assert/strict";
import { SmtpError } from "./error.ts";
import { formatReply } from "./reply.ts";
import {
  complete,
  type Effect,
  initialState,
  PHASE,
  type SessionConfig,
  type SessionState,
  step,
} from "./session.ts";

const config: SessionConfig = {
  hostname: "mx.test",
  maxMessageSize: 1000,
  maxRecipients: 2,
  authMechanisms: ["PLAIN", "LOGIN"],
};

/**
 * Drive the session with client lines; effects are settled by a tiny policy: only
 * recipients @mx.test, password "pw" for "bob", and DATA always stored. Returns the
 * reply lines, as a server would send them.
 */
function run(
  lines: string[],
  state: SessionState = initialState(),
): { out: string[]; state: SessionState } {
  const out: string[] = [];
  for (const line of lines) {
    let result = step(config, state, line);
    while (true) {
      state = result.state;
      for (const r of result.replies) out.push(...formatReply(r));
      const effect: Effect | undefined = result.effect;
      if (!effect || effect.kind === "close") break;
      let outcome: SmtpError | null = null;
      if (effect.kind === "recipient" && !effect.address.endsWith("@mx.test")) {
        outcome = new SmtpError(550, "5.7.1", "Relay access denied");
      }
      if (
        effect.kind === "authenticate" && !(effect.username === "bob" && effect.password === "pw")
      ) {
        outcome = new SmtpError(535, "5.7.8", "Authentication credentials invalid");
      }
      if (effect.kind === "data") break; // the transport would read the block now
      result = complete(state, effect, outcome);
    }
  }
  return { out, state };
}

const codes = (out: string[]) => out.map((l) => l.slice(0, 3)).join(" ");

Deno.test("step() runs a whole transaction", () => {
  const { out, state } = run([
    "EHLO pc.test",
    "MAIL FROM:<al@pc.test>",
    "RCPT TO:<bob@mx.test>",
    "DATA",
  ]);
  assert.deepEqual(out, [
    "250-mx.test greets pc.test",
    "250-PIPELINING",
    "250-SIZE 1000",
    "250-8BITMIME",
    "250-ENHANCEDSTATUSCODES",
    "250-AUTH PLAIN LOGIN",
    "250 HELP",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "354 End data with <CR><LF>.<CR><LF>",
  ]);
  assert.equal(state.phase, PHASE.Data);
  const after = complete(state, { kind: "data" }, null, "ID1");
  assert.equal(formatReply(after.replies[0])[0], "250 2.0.0 Ok: queued as ID1");
  assert.equal(after.state.phase, PHASE.Ready);
  assert.equal(after.state.envelope, undefined);
});

Deno.test("step() answers commands out of sequence with 503", () => {
  assert.equal(
    codes(run(["MAIL FROM:<a@b.test>", "RCPT TO:<bob@mx.test>", "DATA", "AUTH PLAIN"]).out),
    "503 503 503 503",
  );
  assert.equal(codes(run(["HELO pc", "RCPT TO:<bob@mx.test>", "DATA"]).out), "250 503 503");
  const nested = run(["EHLO pc", "MAIL FROM:<a@b.test>", "MAIL FROM:<a@b.test>", "DATA"]).out.slice(
    -2,
  );
  assert.match(nested[0], /^503 5\.5\.1 Sender already given/);
  assert.match(nested[1], /^503 5\.5\.1 Need RCPT/);
});

Deno.test("step() answers unknown commands 500, unimplemented 502, bad syntax 501", () => {
  const { out } = run([
    "FOO",
    "EXPN staff",
    "EHLO",
    "EHLO pc",
    "MAIL FROM:bob",
    "DATA now",
    "RSET x",
    "X".repeat(600),
  ]);
  assert.equal(codes(out.filter((l) => !l.startsWith("250-"))), "500 502 501 250 501 503 501 500");
});

Deno.test("step() checks MAIL parameters: SIZE, BODY, unknown", () => {
  const { out } = run([
    "EHLO pc",
    "MAIL FROM:<a@b.test> SIZE=5000",
    "MAIL FROM:<a@b.test> BODY=BINARYMIME",
    "MAIL FROM:<a@b.test> FOO=1",
    "MAIL FROM:<a@b.test> SIZE=10 BODY=8BITMIME",
  ]);
  assert.equal(codes(out.slice(-4)), "552 501 555 250");
});

Deno.test("step() caps recipients per message with 452", () => {
  const { out } = run([
    "EHLO pc",
    "MAIL FROM:<>",
    "RCPT TO:<a@mx.test>",
    "RCPT TO:<b@mx.test>",
    "RCPT TO:<c@mx.test>",
  ]);
  assert.match(out.at(-1)!, /^452 4\.5\.3 Too many recipients/);
});

Deno.test("step() lets the backend refuse a recipient and keeps the transaction", () => {
  const { out, state } = run([
    "EHLO pc",
    "MAIL FROM:<a@b.test>",
    "RCPT TO:<x@far.test>",
    "RCPT TO:<bob@mx.test>",
  ]);
  assert.equal(codes(out.slice(-3)), "250 550 250");
  assert.deepEqual(state.envelope?.to, ["bob@mx.test"]);
});

Deno.test("step() resets the envelope on RSET and EHLO", () => {
  const started = run(["EHLO pc", "MAIL FROM:<a@b.test>"]).state;
  assert.equal(run(["RSET"], started).state.envelope, undefined);
  assert.equal(run(["EHLO again"], started).state.phase, PHASE.Ready);
  assert.equal(run(["EHLO again"], started).state.envelope, undefined);
});

Deno.test("step() runs AUTH PLAIN with and without an initial response", () => {
  const creds = btoa("\0bob\0pw");
  const direct = run(["EHLO pc", `AUTH PLAIN ${creds}`]);
  assert.equal(direct.out.at(-1), "235 2.7.0 Authentication successful");
  assert.equal(direct.state.user, "bob");
  const asked = run(["EHLO pc", "AUTH PLAIN", creds]);
  assert.deepEqual(asked.out.slice(-2), ["334 ", "235 2.7.0 Authentication successful"]);
  assert.match(run(["AUTH PLAIN x"], direct.state).out[0], /^503 5\.5\.1 Already authenticated/);
});

Deno.test("step() runs AUTH LOGIN's two challenges", () => {
  const { out, state } = run(["EHLO pc", "AUTH LOGIN", btoa("bob"), btoa("pw")]);
  assert.deepEqual(out.slice(-3), [
    "334 VXNlcm5hbWU6",
    "334 UGFzc3dvcmQ6",
    "235 2.7.0 Authentication successful",
  ]);
  assert.equal(state.user, "bob");
});

Deno.test("step() refuses bad AUTH: wrong password, bad base64, cancel, unknown mechanism, after HELO", () => {
  assert.match(run(["EHLO pc", `AUTH PLAIN ${btoa("\0bob\0no")}`]).out.at(-1)!, /^535 5\.7\.8/);
  assert.match(run(["EHLO pc", "AUTH PLAIN !!!"]).out.at(-1)!, /^501 5\.5\.2 Cannot decode/);
  assert.match(
    run(["EHLO pc", "AUTH LOGIN", "*"]).out.at(-1)!,
    /^501 5\.0\.0 Authentication cancelled/,
  );
  assert.match(run(["EHLO pc", "AUTH CRAM-MD5"]).out.at(-1)!, /^504/);
  assert.match(run(["HELO pc", `AUTH PLAIN ${btoa("\0bob\0pw")}`]).out.at(-1)!, /^503/);
  assert.match(run(["EHLO pc", `AUTH PLAIN ${btoa("eve\0bob\0pw")}`]).out.at(-1)!, /^535/);
  assert.equal(run(["EHLO pc", "AUTH PLAIN !!!"]).state.phase, PHASE.Ready);
});

Deno.test("step() answers VRFY safely with 252 and QUIT with 221", () => {
  const { out, state } = run(["VRFY bob", "QUIT"]);
  assert.deepEqual(codes(out), "252 221");
  assert.equal(state.phase, PHASE.Closed);
});
