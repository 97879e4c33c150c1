/**
 * A real browser for tests that check what a page shows: the system's headless Chromium,
 * driven by playwright-core (pinned in deno.json), that never reaches past 127.0.0.1.
 *
 * Every request not bound for 127.0.0.1 is aborted and recorded, so a test can assert that
 * a page loaded nothing from outside. Chromium's own background traffic is switched off and
 * sent to a dead proxy on loopback, and host names do not resolve.
 *
 * @module
 */

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { tool } from "./tools.ts";

/** A browser context whose pages are confined to 127.0.0.1. */
export interface OfflineBrowser extends AsyncDisposable {
  context: BrowserContext;
  /** URLs of requests that were aborted because they were not bound for 127.0.0.1. */
  blocked: string[];
  /** Uncaught exceptions of the pages, and HTTP errors of their requests. */
  problems: string[];
  /** A new page, watched for page errors and failed responses. */
  newPage(): Promise<Page>;
}

/** Start headless Chromium (call after `requireTool("chromium")`). */
export async function openOfflineBrowser(): Promise<OfflineBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: tool("chromium"),
    headless: true,
    args: [
      "--no-sandbox", // tests run as root in CI containers
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      // Belt and braces beside the request routing below: anything that escapes it finds
      // no DNS and a proxy port on loopback that nothing listens on.
      "--proxy-server=http://127.0.0.1:9",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    const blocked: string[] = [];
    const problems: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || ["data:", "file:"].includes(url.protocol)) {
        return route.continue();
      }
      blocked.push(url.href);
      return route.abort("blockedbyclient");
    });
    return {
      context,
      blocked,
      problems,
      async newPage() {
        const page = await context.newPage();
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        page.on("response", (response) => {
          if (response.status() >= 400) {
            problems.push(`HTTP ${response.status()} for ${response.url()}`);
          }
        });
        return page;
      },
      async [Symbol.asyncDispose]() {
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
};

/** A folder served over HTTP on 127.0.0.1, on a free port. */
export interface FolderServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** The paths requested so far, in order. */
  requested: string[];
}

/**
 * Serve the files of `root` (read-only; no directory listings; nothing outside `root`).
 *
 * @example
 * ```ts ignore
 * await using site = serveFolder("/tmp/site");
 * await page.goto(`${site.url}index.html`);
 * ```
 */
export function serveFolder(root: string): FolderServer {
  const requested: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      requested.push(path);
      if (path.split("/").includes("..")) return new Response("bad path", { status: 400 });
      const file = path.endsWith("/") ? `${path}index.html` : path;
      try {
        const body = await Deno.readFile(`${root}${file}`);
        const type = TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requested,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
