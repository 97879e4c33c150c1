/**
 * `deno task student-copy DIR`: the learner's copy of the course, for teachers.
 *
 * Copies every file git tracks, except reference solutions, hidden checks and the wrong
 * answers kept for grader validation, into DIR, and makes DIR a fresh git repository with
 * one commit (so `deno task reset` finds the original stubs there).
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const target = Deno.args[0];
if (!target) {
  console.error("usage: deno task student-copy <folder>");
  Deno.exit(2);
}

/** What students must not get. */
export function isTeacherOnly(path: string): boolean {
  return path.startsWith("solutions/") || /^graders\/.+\.hidden\.ts$/.test(path) ||
    /^graders\/[^/]+\/wrong\//.test(path);
}

async function git(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`Cannot run git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

const files = (await git(["ls-files", "-z"], ROOT)).split("\0").filter((f) =>
  f && !isTeacherOnly(f)
);
try {
  if ([...Deno.readDirSync(target)].length > 0) {
    console.error(`Cannot write the student copy: ${target} is not empty`);
    Deno.exit(1);
  }
} catch {
  // does not exist yet: fine
}
for (const file of files) {
  const to = `${target}/${file}`;
  Deno.mkdirSync(to.slice(0, to.lastIndexOf("/")), { recursive: true });
  Deno.copyFileSync(`${ROOT}/${file}`, to);
}
await git(["init", "-q", "-b", "main"], target);
await git(["add", "-A"], target);
await git([
  "-c",
  "user.name=course",
  "-c",
  "user.email=course@localhost",
  "commit",
  "-q",
  "-m",
  "Course, student copy",
], target);
console.log(
  `Wrote ${files.length} files to ${target} (no solutions/, hidden checks or kept wrong answers).`,
);
