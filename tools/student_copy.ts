/**
 * `deno task student-copy DIR`: the learner's copy of the course, for teachers.
 *
 * Built from what is committed (HEAD), never from the working tree: a teacher who has
 * solved the exercises locally, or edited a grader without committing, still hands out
 * the committed stubs. Uncommitted changes are listed as left out. Reference solutions,
 * hidden checks and the wrong answers kept for grader validation stay behind. DIR becomes
 * a fresh git repository with one commit, so `deno task reset` finds the original stubs
 * there.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** What students must not get. */
export function isTeacherOnly(path: string): boolean {
  return path.startsWith("solutions/") || /^graders\/.+\.hidden\.ts$/.test(path) ||
    /^graders\/[^/]+\/wrong\//.test(path);
}

async function git(args: string[], cwd: string, stdin?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("git", {
    args,
    cwd,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`Cannot run git ${args[0]}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return out.stdout;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Files changed in the working tree but not committed (they will not be in the copy). */
async function uncommitted(): Promise<string[]> {
  const status = text(await git(["status", "--porcelain=v1", "-z", "--untracked-files=no"], ROOT));
  return status.split("\0").filter((entry) => entry.length > 3).map((entry) => entry.slice(3));
}

async function main(args: string[]): Promise<number> {
  const target = args.find((a) => !a.startsWith("-"));
  if (!target) {
    console.error("usage: deno task student-copy <folder>");
    return 2;
  }
  try {
    if ([...Deno.readDirSync(target)].length > 0) {
      console.error(`Cannot write the student copy: ${target} is not empty`);
      return 1;
    }
  } catch {
    // does not exist yet: fine
  }
  const head = text(await git(["rev-parse", "--short", "HEAD"], ROOT)).trim();
  const dirty = await uncommitted();
  const files = text(await git(["ls-tree", "-r", "-z", "--name-only", "HEAD"], ROOT))
    .split("\0").filter((f) => f && !isTeacherOnly(f));

  // One archive of exactly the committed bytes (modes and symlinks kept), unpacked by tar.
  const archive = await git(["archive", "--format=tar", "HEAD", "--", ...files], ROOT);
  Deno.mkdirSync(target, { recursive: true });
  const tar = new Deno.Command("tar", { args: ["-x", "-C", target], stdin: "piped" }).spawn();
  const writer = tar.stdin.getWriter();
  await writer.write(archive);
  await writer.close();
  if (!(await tar.status).success) throw new Error("Cannot unpack the student copy with tar");

  // A committed exercise without a TODO is most likely a committed answer.
  const solved = files.filter((f) => /^exercises\/.+\.ts$/.test(f)).filter((f) =>
    !Deno.readTextFileSync(`${target}/${f}`).includes("TODO")
  );

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
    `Wrote ${files.length} files to ${target} from commit ${head} ` +
      "(no solutions/, hidden checks or kept wrong answers).",
  );
  if (dirty.length) {
    console.warn(
      `\nWARNING: ${dirty.length} file(s) have uncommitted changes, which are NOT in the copy ` +
        `(it holds what commit ${head} holds):\n` + dirty.map((f) => `  ${f}`).join("\n") +
        "\nCommit them first if students should get them.",
    );
  }
  if (solved.length) {
    console.warn(
      `\nWARNING: these committed exercises have no TODO left; students get them as committed:\n` +
        solved.map((f) => `  ${f}`).join("\n"),
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
