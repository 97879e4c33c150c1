import assert from "node:assert/strict";
import { dissectFrame } from "./dissect.ts";
import { hexView, LAYER_COLOURS } from "./hexview.ts";
import { loopbackFrame } from "./test_frames.ts";
import { mimeBundle } from "../viz/display.ts";

const frame = loopbackFrame({ sourcePort: 25, destinationPort: 40000 }, "<b>hi</b>");
const view = hexView(frame, dissectFrame(frame, 1).layers);

Deno.test("hexView() prints a classic dump with the layers each row touches and a legend", () => {
  const text = view.toString();
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00  ..............E.  link,ipv4",
  );
  assert.match(text, /IPv4 header {10}bytes 14-33 \(20 bytes\)/);
  assert.match(text, /application data {5}bytes 54-62 \(9 bytes\)/);
});

Deno.test("hexView() colours every byte in HTML and escapes the payload", () => {
  const bundle = mimeBundle(view);
  const html = bundle["text/html"] as string;
  assert.equal((html.match(/title="/g) ?? []).length, frame.length);
  assert.ok(html.includes(LAYER_COLOURS.tcp));
  assert.ok(!html.includes("<b>hi"));
  assert.ok(html.includes("&#60;"));
  assert.equal(bundle["text/plain"], view.toString());
});

Deno.test("HexView.layerAt() finds the layer of a byte", () => {
  assert.equal(view.layerAt(13)?.name, "link");
  assert.equal(view.layerAt(14)?.name, "ipv4");
  assert.equal(view.layerAt(1000), undefined);
});
