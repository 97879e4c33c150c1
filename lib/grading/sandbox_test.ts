import assert from "node:assert/strict";
import { defineExercise } from "./exercise.ts";
import { gradeModule } from "./run.ts";

type Impl = { double(n: number): number; later(n: number): Promise<number> };

const exercise = defineExercise<Impl>({
  title: "Double",
  hints: ["multiply by two"],
  checks: [
    { name: "double(2) is 4", points: 1, hint: "2 + 2", run: (m) => assert.equal(m.double(2), 4) },
    {
      name: "double(5) is 10",
      points: 1,
      hint: "5 + 5",
      timeoutMs: 1500,
      run: (m) => assert.equal(m.double(5), 10),
    },
    {
      name: "later(3) resolves to 6",
      points: 1,
      hint: "await",
      timeoutMs: 1500,
      run: async (m) => assert.equal(await m.later(3), 6),
    },
  ],
});

const GOOD = "export const double = (n: number) => n * 2;\n" +
  "export const later = async (n: number) => n * 2;\n";

function moduleUrl(source: string): string {
  return `data:application/typescript;base64,${btoa(source)}`;
}

function grade(source: string) {
  return gradeModule("x/double", exercise, moduleUrl(source));
}

Deno.test("a sandboxed module is graded through its calls, sync and async", async () => {
  const result = await grade(GOOD);
  assert.equal(result.score, 3, JSON.stringify(result.checks));
});

Deno.test("an endless loop costs the check it hangs, not the exercise", async () => {
  const result = await grade(
    GOOD.replace("(n: number) => n * 2;", "(n: number) => { while (n === 5) {} return n * 2; };"),
  );
  assert.deepEqual(result.checks.map((c) => c.passed), [true, false, true]);
  assert.match(result.checks[1].message, /did not return within \d+ ms \(an endless loop\?\)/);
});

Deno.test("an async call that never settles is named in the timeout", async () => {
  const result = await grade(
    GOOD.replace("async (n: number) => n * 2", "() => new Promise(() => {})"),
  );
  assert.equal(result.score, 2);
  assert.match(result.checks[2].message, /Timed out after 1500 ms: later\(\) had not finished/);
});

Deno.test("writing, spawning and reading outside the course are not allowed while grading", async () => {
  const result = await grade(
    `try { Deno.writeTextFileSync("/tmp/forged.json", "{}"); } catch { /* hidden */ }\n` +
      `export const double = (n: number) => { Deno.readTextFileSync("/etc/hostname"); return n * 2; };\n` +
      `export const later = async (n: number) => { await new Deno.Command("true").output(); return n; };\n`,
  );
  assert.equal(result.score, 0);
  assert.match(
    result.checks[0].message,
    /double\(\): not allowed while grading: Requires read access to "\/etc\/hostname"/,
  );
  assert.match(
    result.checks[2].message,
    /not allowed while grading: Requires run access to "true"/,
  );
  const notes = (result.notes ?? []).join("\n");
  assert.match(
    notes,
    /not allowed while grading: writing \/tmp\/forged\.json/,
    "a swallowed refusal is still reported",
  );
  assert.match(notes, /not allowed while grading: running the program true/);
});

Deno.test("Deno.exit and process.exit are refused, and the module still gets its score", async () => {
  const exits = await grade(
    `import process from "node:process";\n` +
      `export const double = (n: number) => { if (n === 2) Deno.exit(0); return n * 2; };\n` +
      `export const later = async (n: number) => { process.exit(1); return n; };\n`,
  );
  assert.deepEqual(exits.checks.map((c) => c.passed), [false, true, false]);
  assert.match(
    exits.checks[0].message,
    /not allowed while grading: Deno\.exit\(0\) would end the grading/,
  );
  assert.match(exits.checks[2].message, /process\.exit\(1\)/);
  const atLoad = await grade(`Deno.exit(3);\n${GOOD}`);
  assert.match(atLoad.loadError ?? "", /Cannot load the module: .*Deno\.exit\(3\)/);
});

Deno.test("a syntax error is reported once; a type error does not stop the code", async () => {
  const syntax = await grade("export const double = (n: number) => n * ;");
  assert.match(syntax.loadError ?? "", /^Cannot load the module/);
  assert.equal(syntax.checks.filter((c) => c.message.startsWith("Cannot load")).length, 0);
  const typed = await grade(`const wrong: number = "2";\n${GOOD}`);
  assert.equal(typed.score, 3);
});

Deno.test("an unhandled rejection and huge output are reported, and grading goes on", async () => {
  const result = await grade(
    `Promise.reject(new Error("forgotten"));\n` +
      `export const double = (n: number) => { for (let i = 0; i < 20000; i++) console.log("x".repeat(100)); return n * 2; };\n` +
      `export const later = async (n: number) => n * 2;\n`,
  );
  assert.equal(result.score, 3);
  const notes = (result.notes ?? []).join("\n");
  assert.match(notes, /a promise was rejected and nobody handled it: forgotten/);
  assert.match(notes, /more bytes of output, which were dropped/);
  assert.ok((result.output ?? "").length <= 4001);
});

Deno.test("a module that patches assertions or writes to the channel cannot change its score", async () => {
  const result = await grade(
    `import assert from "node:assert/strict";\n` +
      `for (const key of Object.keys(assert)) (assert as any)[key] = () => {};\n` +
      `export const double = (n: number) => n;\n` +
      `export const later = async (n: number) => n;\n`,
  );
  assert.equal(result.score, 0);
  const garbled = await grade(
    `const out = (Deno as any).stdout; out.writeSync(new TextEncoder().encode("\\u0000\\u0000\\u0000\\u0002{}"));\n${GOOD}`,
  );
  assert.equal(garbled.score, 3, "Deno.stdout in the sandbox is the console, not the channel");
});

Deno.test("a server closing the connection is named, not left as 'Cannot read properties of null'", async () => {
  const closing = defineExercise<{ ask(port: number): Promise<string> }>({
    title: "Ask",
    hints: ["read the reply"],
    checks: [{
      name: "ask() reads a line",
      points: 1,
      hint: "the server may hang up",
      run: async (m) => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const accepted = listener.accept().then((conn) => conn.close());
        try {
          await m.ask((listener.addr as Deno.NetAddr).port);
        } finally {
          await accepted;
          listener.close();
        }
      },
    }],
  });
  const result = await gradeModule(
    "x/ask",
    closing,
    moduleUrl(
      `export async function ask(port: number): Promise<string> {\n` +
        `  const conn = await Deno.connect({ hostname: "127.0.0.1", port });\n` +
        `  const got = await conn.read(new Uint8Array(100));\n` +
        `  conn.close();\n` +
        `  return (null as unknown as { text: string } | null)!.text + got;\n` +
        `}\n`,
    ),
  );
  assert.match(
    result.checks[0].message,
    /ask\(\) threw TypeError: Cannot read properties of null \(reading 'text'\) \(the server had closed the connection/,
  );
});
