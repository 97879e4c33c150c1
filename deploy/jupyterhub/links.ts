/**
 * nbgitpuller links that hand the course's chapters out on a JupyterHub.
 *
 * A learner who opens a link logs in to the hub, gets the course repository cloned into
 * their home folder (or merged with their copy if they already have one, keeping their
 * edits), and lands on the chapter in JupyterLab. The link is built as nbgitpuller's own
 * link generator builds it: `HUB/hub/user-redirect/git-pull?repo=…&urlpath=…&branch=…`.
 *
 * ```sh
 * deno run -R deploy/jupyterhub/links.ts --hub https://hub.example.edu \
 *   --repo https://github.com/example/email-on-the-wire --branch main
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { notebookPaths } from "../../tools/notebooks/notebooks.ts";

/** Where the course lives and where learners log in. */
export interface LinkOptions {
  /** The hub's address, e.g. `https://hub.example.edu` (a path prefix is kept). */
  hub: string;
  /** The course repository, as `git clone` accepts it. */
  repo: string;
  /** The branch learners get. */
  branch: string;
  /** The folder in the learner's home; nbgitpuller's default is the repository's name. */
  folder?: string;
}

/** The folder nbgitpuller clones `repo` into when no target path is given. */
export function defaultFolder(repo: string): string {
  const name = repo.replace(/\/+$/, "").split("/").at(-1) ?? "";
  return name.replace(/\.git$/, "") || "course";
}

/**
 * The nbgitpuller link that opens `file` (relative to the repository) in JupyterLab.
 *
 * @example
 * ```ts
 * import { chapterLink } from "./links.ts";
 * const link = chapterLink("notebooks/00_welcome.ipynb", {
 *   hub: "https://hub.example.edu",
 *   repo: "https://github.com/example/email-on-the-wire",
 *   branch: "main",
 * });
 * const url = new URL(link);
 * if (url.pathname !== "/hub/user-redirect/git-pull") throw new Error(url.pathname);
 * if (url.searchParams.get("urlpath") !== "lab/tree/email-on-the-wire/notebooks/00_welcome.ipynb") {
 *   throw new Error(link);
 * }
 * ```
 */
export function chapterLink(file: string, options: LinkOptions): string {
  const url = new URL(options.hub);
  url.searchParams.set("repo", options.repo);
  const folder = options.folder ?? defaultFolder(options.repo);
  url.searchParams.set("urlpath", `lab/tree/${folder}/${file}`);
  url.searchParams.set("branch", options.branch);
  if (options.folder) url.searchParams.set("targetPath", options.folder);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.pathname += "hub/user-redirect/git-pull";
  return url.toString();
}

/** One link per chapter notebook, in chapter order. */
export function chapterLinks(options: LinkOptions): { chapter: string; link: string }[] {
  const root = new URL("../../", import.meta.url).pathname;
  return notebookPaths([]).map((path) => {
    const file = path.slice(root.length);
    return {
      chapter: file.split("/").at(-1)!.replace(/\.ipynb$/, ""),
      link: chapterLink(file, options),
    };
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      hub: { type: "string" },
      repo: { type: "string" },
      branch: { type: "string", default: "main" },
      folder: { type: "string" },
    },
  });
  if (!values.hub || !values.repo) {
    console.error(
      "Cannot make links: say where the hub and the course are, e.g.\n" +
        "  deno run -R deploy/jupyterhub/links.ts --hub https://hub.example.edu " +
        "--repo https://github.com/example/email-on-the-wire [--branch main] [--folder NAME]",
    );
    Deno.exit(2);
  }
  const options = {
    hub: values.hub,
    repo: values.repo,
    branch: values.branch,
    folder: values.folder,
  };
  console.log("| chapter | link |\n| ------- | ---- |");
  for (const { chapter, link } of chapterLinks(options)) console.log(`| ${chapter} | ${link} |`);
}
