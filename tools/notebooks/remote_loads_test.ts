import assert from "node:assert/strict";
import { remoteLoads } from "./remote_loads.ts";

Deno.test("remoteLoads() finds scripts, styles, images and frames loaded from outside", () => {
  const page = `<script src="https://cdnjs.example/require.js"></script>
<link rel="stylesheet" href="//fonts.example/font.css">
<img alt="x" src='http://example.org/a.png'><iframe src=https://example.org/f></iframe>`;
  assert.deepEqual(remoteLoads(page), [
    "https://cdnjs.example/require.js",
    "//fonts.example/font.css",
    "http://example.org/a.png",
    "https://example.org/f",
  ]);
});

Deno.test("remoteLoads() finds module imports and CSS urls with absolute URLs", () => {
  const page = `<script type="module">const m = await import("https://cdn.example/mermaid.mjs");
import x from "https://cdn.example/x.mjs";</script>
<style>@import "https://fonts.example/a.css"; body { background: url(https://example.org/b.png) }</style>`;
  assert.deepEqual(remoteLoads(page), [
    "https://cdn.example/mermaid.mjs",
    "https://cdn.example/x.mjs",
    "https://fonts.example/a.css",
    "https://example.org/b.png",
  ]);
});

Deno.test("remoteLoads() finds a script URL kept in a variable for a later import()", () => {
  const page = `<script type="module">const elkUrl = "https://cdn.example/elk.esm.min.mjs";
if (elkUrl) await import(elkUrl);</script>`;
  assert.deepEqual(remoteLoads(page), ["https://cdn.example/elk.esm.min.mjs"]);
});

Deno.test("remoteLoads() allows local files, data: URLs, links and URLs in text", () => {
  const page = `<link rel="icon" href="data:,"><script src="./assets/plotly/plotly.min.js"></script>
<script type="module">await import("./assets/mermaid/mermaid.esm.min.mjs")</script>
<a href="https://www.rfc-editor.org/rfc/rfc5321">RFC 5321</a>
<p>See https://example.org/ for more.</p><!-- https://github.com/x -->`;
  assert.deepEqual(remoteLoads(page), []);
});
