import assert from "node:assert/strict";
import { indexPage, pageTitle } from "./site_index.ts";
import { remoteLoads } from "./remote_loads.ts";

Deno.test("indexPage() lists chapters in file-name order with escaped titles", () => {
  const html = indexPage(
    [
      { page: "01_layers.html", title: "1 · Layers" },
      { page: "00_welcome.html", title: '0 · Welcome <&> "hi"' },
    ],
    { mermaid: "12.3.0", "plotly.js-dist-min": "4.1.2" },
  );
  const welcome = html.indexOf("00_welcome.html");
  const layers = html.indexOf("01_layers.html");
  assert.ok(welcome > 0 && layers > welcome, html);
  assert.match(html, /0 · Welcome &#60;&#38;&#62; &#34;hi&#34;/);
  assert.match(html, /mermaid 12\.3\.0, plotly\.js-dist-min 4\.1\.2/);
  assert.deepEqual(remoteLoads(html), []);
});

Deno.test("pageTitle() reads and unescapes a page's <title>", () => {
  assert.equal(
    pageTitle("<head><title>2 · TCP &amp; the handshake</title></head>"),
    "2 · TCP & the handshake",
  );
  assert.equal(pageTitle("<head></head>"), null);
});
