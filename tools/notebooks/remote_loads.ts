/**
 * The resources an HTML page would fetch from outside its own folder: an exported page
 * must load nothing from a CDN, so that it works offline and tells no third party who
 * reads it. Links a reader clicks (`<a href>`) are not loads and are allowed.
 *
 * @module
 */

/** Elements whose `src`/`href`/`data`/`poster`/`srcset` the browser fetches on its own. */
const LOADING_TAG =
  /<(?:script|link|img|iframe|frame|source|track|video|audio|embed|object|input)\b[^>]*>/gi;
const LOADING_ATTRIBUTE = /\s(?:src|href|data|poster|srcset)\s*=\s*(["']?)([^"'\s>]+)\1/gi;
/** `import("…")`, `import … from "…"`, CSS `url(…)` and `@import "…"` with an absolute URL. */
const LOADING_CODE =
  /(?:\bimport\s*\(\s*|\bfrom\s*|\burl\(\s*|@import\s+)(["']?)((?:https?:)?\/\/[^"')\s]+)\1/gi;

/** A quoted absolute URL of a script or style sheet, as code keeps it for a later `import(url)`. */
const SCRIPT_URL = /(["'])((?:https?:)?\/\/[^"'\s]+?\.(?:m?js|css)(?:\?[^"'\s]*)?)\1/gi;

function isRemote(url: string): boolean {
  return /^(?:https?:)?\/\//i.test(url);
}

/**
 * Every absolute URL the page would load by itself, in order of appearance.
 *
 * @example
 * ```ts
 * import { remoteLoads } from "./remote_loads.ts";
 * const page = `<script src="https://cdn.example/x.js"></script><a href="https://rfc-editor.org">RFC</a>`;
 * if (remoteLoads(page).join() !== "https://cdn.example/x.js") throw new Error("unexpected");
 * ```
 */
export function remoteLoads(html: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(LOADING_TAG)) {
    for (const [, , url] of tag.matchAll(LOADING_ATTRIBUTE)) if (isRemote(url)) found.push(url);
  }
  for (const [, , url] of html.matchAll(LOADING_CODE)) found.push(url);
  for (const [, , url] of html.matchAll(SCRIPT_URL)) found.push(url);
  return [...new Set(found)];
}
