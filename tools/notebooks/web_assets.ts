/**
 * The browser libraries an exported page needs, shipped beside the pages so that the pages
 * work offline: mermaid (its ESM build and the chunk files that build imports, and its
 * classic build for pages opened from disk) and plotly.js. Both come from npm at the exact versions deno.json's `"imports"` pins (and
 * deno.lock checks); with `"nodeModulesDir": "auto"`, `deno install` puts them in
 * `node_modules/<name>/`, which is where they are copied from.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The npm packages whose files the pages load, with the files used. */
export const WEB_PACKAGES = {
  /** nbconvert's lab template imports mermaid as an ES module (`HTMLExporter.mermaid_js_url`). */
  mermaid: {
    entry: "dist/mermaid.esm.min.mjs",
    chunks: "dist/chunks/mermaid.esm.min",
    /** One file that sets `window.mermaid`: for pages opened from disk, where Chromium refuses module imports. */
    classic: "dist/mermaid.min.js",
  },
  /** A self-contained build that sets `window.Plotly`, which lib/viz's text/html fallback uses. */
  "plotly.js-dist-min": { entry: "plotly.min.js" },
} as const;

/** The package names in {@linkcode WEB_PACKAGES}. */
export type WebPackage = keyof typeof WEB_PACKAGES;

/** Where the copied files are, as URLs relative to a page in the export folder. */
export interface WebAssetUrls {
  /** mermaid's ESM entry (its chunks beside it). */
  mermaid: string;
  /** mermaid's classic build. */
  mermaidClassic: string;
  plotly: string;
  /** The versions shipped, e.g. `{ mermaid: "12.3.0", ... }`. */
  versions: Record<WebPackage, string>;
}

/**
 * The exact version deno.json pins for an npm package (`"name": "npm:name@1.2.3"`).
 *
 * @example
 * ```ts
 * import { pinnedVersion } from "./web_assets.ts";
 * const imports = { mermaid: "npm:mermaid@12.3.0" };
 * if (pinnedVersion("mermaid", imports) !== "12.3.0") throw new Error("unexpected");
 * ```
 */
export function pinnedVersion(
  name: string,
  imports: Record<string, string> = denoImports(),
): string {
  const specifier = imports[name];
  if (specifier === undefined) {
    throw new Error(
      `Cannot find ${name} in deno.json "imports": add "${name}": "npm:${name}@X.Y.Z"`,
    );
  }
  const match = specifier.match(/^npm:(@?[^@]+)@(\d+\.\d+\.\d+(?:-[\w.]+)?)$/);
  if (!match || match[1] !== name) {
    throw new Error(
      `Cannot use deno.json import "${name}": "${specifier}" is not npm:${name}@<exact version>`,
    );
  }
  return match[2];
}

function denoImports(root = ROOT): Record<string, string> {
  return JSON.parse(Deno.readTextFileSync(`${root}/deno.json`)).imports ?? {};
}

function installedVersion(dir: string): string | null {
  try {
    return JSON.parse(Deno.readTextFileSync(`${dir}/package.json`)).version ?? null;
  } catch {
    return null;
  }
}

/**
 * The folders of the web packages in `node_modules`, at their pinned versions. Runs
 * `deno install` (which installs deno.json's imports as locked in deno.lock) when one is
 * missing or at another version, as on a fresh clone.
 */
export async function installedWebPackages(root = ROOT): Promise<Record<WebPackage, string>> {
  const names = Object.keys(WEB_PACKAGES) as WebPackage[];
  const imports = denoImports(root);
  const dirOf = (name: string) => `${root}/node_modules/${name}`;
  const stale = () =>
    names.filter((name) => installedVersion(dirOf(name)) !== pinnedVersion(name, imports));
  if (stale().length) {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["install"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!install.success) {
      throw new Error(
        `Cannot install ${
          stale().join(", ")
        } from npm: deno install exited with ${install.code}\n` +
          new TextDecoder().decode(install.stderr),
      );
    }
  }
  const missing = stale();
  if (missing.length) {
    throw new Error(
      `Cannot find ${
        missing.map((n) => `${n}@${pinnedVersion(n, imports)}`).join(", ")
      } in ${root}/node_modules after deno install`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, dirOf(name)])) as Record<
    WebPackage,
    string
  >;
}

/**
 * The relative specifiers (`./x.mjs`, `../y.mjs`) an ES module imports: static imports,
 * re-exports, side-effect imports and dynamic `import("...")` with a literal string.
 *
 * @example
 * ```ts
 * import { relativeImports } from "./web_assets.ts";
 * const found = relativeImports(`import{a}from"./a.mjs";import"./b.mjs";import("./c.mjs");import x from "d3"`);
 * if (found.join() !== "./a.mjs,./b.mjs,./c.mjs") throw new Error(found.join());
 * ```
 */
export function relativeImports(source: string): string[] {
  const found = new Set<string>();
  const pattern = /\b(?:from|import)\s*\(?\s*(["'])(\.{1,2}\/[^"'\s]+)\1/g;
  for (const match of source.matchAll(pattern)) found.add(match[2]);
  return [...found];
}

/**
 * Every file an ES module reaches through relative imports, the entry first. A module
 * that imports a file which is not there is an error naming both: a page with that
 * import would fail in the browser.
 */
export function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [new URL(`file://${entry}`).href];
  while (todo.length) {
    const url = todo.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const path = new URL(url).pathname;
    for (const specifier of relativeImports(Deno.readTextFileSync(path))) {
      const target = new URL(specifier, url);
      try {
        Deno.statSync(target);
      } catch {
        throw new Error(
          `Cannot ship ${entry}: ${path} imports ${specifier}, which is missing`,
        );
      }
      todo.push(target.href);
    }
  }
  return [...seen].map((url) => new URL(url).pathname);
}

/**
 * Copy mermaid and plotly.js from npm into `<out>/assets/` (replacing what an earlier
 * export left there), each with its licence, and check that every module mermaid's entry
 * reaches is among the copied files.
 */
export async function copyWebAssets(out: string): Promise<WebAssetUrls> {
  const dirs = await installedWebPackages();
  const assets = `${out}/assets`;
  await Deno.remove(assets, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });

  const mermaid = WEB_PACKAGES.mermaid;
  const mermaidOut = `${assets}/mermaid`;
  const chunksOut = `${mermaidOut}/${mermaid.chunks.slice("dist/".length)}`;
  await Deno.mkdir(chunksOut, { recursive: true });
  const entryName = mermaid.entry.slice("dist/".length);
  await Deno.copyFile(`${dirs.mermaid}/${mermaid.entry}`, `${mermaidOut}/${entryName}`);
  // The whole chunk folder (not only what a scan finds): diagram types are loaded on demand.
  for await (const file of Deno.readDir(`${dirs.mermaid}/${mermaid.chunks}`)) {
    if (!file.isFile || !file.name.endsWith(".mjs")) continue;
    await Deno.copyFile(
      `${dirs.mermaid}/${mermaid.chunks}/${file.name}`,
      `${chunksOut}/${file.name}`,
    );
  }
  const classicName = mermaid.classic.slice("dist/".length);
  await Deno.copyFile(`${dirs.mermaid}/${mermaid.classic}`, `${mermaidOut}/${classicName}`);
  await Deno.copyFile(`${dirs.mermaid}/LICENSE`, `${mermaidOut}/LICENSE`);
  moduleClosure(`${mermaidOut}/${entryName}`);

  const plotlyOut = `${assets}/plotly`;
  await Deno.mkdir(plotlyOut, { recursive: true });
  const plotlyEntry = WEB_PACKAGES["plotly.js-dist-min"].entry;
  await Deno.copyFile(
    `${dirs["plotly.js-dist-min"]}/${plotlyEntry}`,
    `${plotlyOut}/${plotlyEntry}`,
  );
  await Deno.copyFile(`${dirs["plotly.js-dist-min"]}/LICENSE`, `${plotlyOut}/LICENSE`);

  return {
    mermaid: `./assets/mermaid/${entryName}`,
    mermaidClassic: `./assets/mermaid/${classicName}`,
    plotly: `./assets/plotly/${plotlyEntry}`,
    versions: {
      mermaid: installedVersion(dirs.mermaid)!,
      "plotly.js-dist-min": installedVersion(dirs["plotly.js-dist-min"])!,
    },
  };
}
