/**
 * The export folder's `index.html`: the chapters in course order, each linked to its page,
 * and which mermaid and plotly.js versions the pages ship. Self-contained (inline style,
 * no scripts), like the pages it lists.
 *
 * @module
 */

import { escapeHtml } from "../../lib/viz/display.ts";

/** One exported page. */
export interface SitePage {
  /** File name in the export folder, e.g. `00_welcome.html`. */
  page: string;
  title: string;
}

/** The `<title>` of an exported page, or null when it has none. */
export function pageTitle(html: string): string | null {
  const match = html.match(/<title>([^<]*)<\/title>/i);
  if (!match) return null;
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return match[1].replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => entities[e]).trim();
}

/**
 * The index page, chapters sorted by file name (NN_topic keeps course order).
 *
 * @example
 * ```ts
 * import { indexPage } from "./site_index.ts";
 * const html = indexPage([{ page: "00_welcome.html", title: "Welcome" }], { mermaid: "12.3.0" });
 * if (!html.includes(`<a href="00_welcome.html">Welcome</a>`)) throw new Error(html);
 * ```
 */
export function indexPage(pages: readonly SitePage[], versions: Record<string, string>): string {
  const items = [...pages].sort((a, b) => a.page.localeCompare(b.page)).map((p) =>
    `    <li><a href="${escapeHtml(encodeURI(p.page))}">${escapeHtml(p.title)}</a></li>`
  );
  const shipped = Object.entries(versions).map(([name, version]) =>
    `${escapeHtml(name)} ${escapeHtml(version)}`
  ).join(", ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>How email crosses the network</title>
  <link rel="icon" href="data:,">
  <style>
    body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
    li { margin: 0.4rem 0; }
    footer { margin-top: 3rem; color: #666; font-size: 0.9rem; }
  </style>
</head>
<body>
  <h1>How email crosses the network</h1>
  <p>The course's notebooks, run in the Deno kernel and exported with their outputs.</p>
  <ol start="0">
${items.join("\n")}
  </ol>
  <footer>These pages work offline: diagrams and charts are drawn by ${shipped}, shipped in <code>assets/</code>.</footer>
</body>
</html>
`;
}
