import assert from "node:assert/strict";
import { barChart, describe, histogram, lineChart } from "./plotly.ts";
import { escapeMermaid, sequenceDiagram, stateDiagram } from "./mermaid.ts";
import { mimeBundle, table, textTable } from "./display.ts";
import { Transcript } from "../transcript/transcript.ts";

Deno.test("sequenceDiagram() draws one arrow per line, with mermaid syntax escaped", () => {
  const t = new Transcript();
  t.record("client", "server", new TextEncoder().encode("A1 FETCH 1 (FLAGS); #x <y>\r\n"));
  const d = sequenceDiagram(t, { showBytes: true });
  assert.match(
    d.source,
    /^sequenceDiagram\n {2}participant p0 as client\n {2}participant p1 as server\n/,
  );
  assert.match(d.source, /p0->>p1: A1 FETCH 1 \(FLAGS\)#59; #35;x #60;y#62; \(28 B\)/);
  const bundle = mimeBundle(d);
  assert.deepEqual(Object.keys(bundle).sort(), ["text/plain", "text/vnd.mermaid"]);
});

Deno.test("sequenceDiagram() notes how many lines it left out", () => {
  const t = new Transcript();
  for (let i = 0; i < 5; i++) t.record("c", "s", new TextEncoder().encode(`L${i}\n`));
  assert.match(
    sequenceDiagram(t, { maxLines: 2 }).source,
    /Note over p0,p1: 3 more lines not shown/,
  );
});

Deno.test("stateDiagram() names odd states safely and marks the current one", () => {
  const d = stateDiagram([{ from: "SYN-SENT", to: "ESTABLISHED", label: "rcv SYN,ACK; snd ACK" }], {
    initial: "SYN-SENT",
    current: "ESTABLISHED",
  });
  assert.match(d.source, /state "SYN-SENT" as SYN_SENT/);
  assert.match(d.source, /SYN_SENT --> ESTABLISHED: rcv SYN,ACK#59; snd ACK/);
  assert.match(d.source, /class ESTABLISHED current/);
  assert.equal(escapeMermaid("a;b\nc"), "a#59;b c");
});

Deno.test("charts carry plotly JSON, an HTML fallback and a text summary", () => {
  const h = mimeBundle(histogram([3, 1, 2], { title: "t", x: "ms" }));
  const figure = h["application/vnd.plotly.v1+json"] as { data: { type: string }[] };
  assert.equal(figure.data[0].type, "histogram");
  assert.match(String(h["text/html"]), /Plotly\.newPlot/);
  assert.equal(h["text/plain"], "t: n=3 min=1 median=2 p90=3 max=3 (ms)");
  assert.match(
    String(mimeBundle(barChart(["a"], { s: [1] }, { title: "b" }))["text/plain"]),
    /s: a=1/,
  );
  assert.equal(lineChart({ s: { x: [1], y: [2] } }, { title: "l" }).data[0].type, "scatter");
  assert.equal(describe([]), "no values");
});

Deno.test("the HTML fallback cannot be broken out of by data", () => {
  const html = String(
    mimeBundle(barChart(["</script><b>"], { s: [1] }, { title: "x" }))["text/html"],
  );
  assert.ok(!html.includes("</script><b>"));
});

Deno.test("table() shows HTML and aligned text", () => {
  assert.equal(textTable(["a", "bb"], [["ccc", "d"]]), "a    bb\n---  --\nccc  d");
  assert.match(String(mimeBundle(table(["<h>"], [["x"]]))["text/html"]), /&#60;h&#62;/);
});

Deno.test("histogram() draws the bulk of a long-tailed sample and marks its median", () => {
  // 98 round trips near 100 µs and two slow ones: drawn to 0–9,000 µs, the bulk was one bar.
  const values = [...Array.from({ length: 98 }, (_, i) => 90 + (i % 20)), 4000, 9000];
  const chart = histogram(values, { title: "round trips", x: "µs" });
  const drawn = chart.data[0].x as number[];
  assert.equal(Math.max(...drawn) < 4000, true, "the outliers are not drawn");
  assert.equal(drawn.length, 98);
  const shapes = chart.layout.shapes as { x0: number }[];
  assert.equal(shapes[0].x0, 99, "a line at the median");
  const notes = (chart.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(notes, ["median 99 µs", "2 values above 134 µs not drawn (largest 9,000 µs)"]);
  assert.match(chart.summary, /median=99 .*2 values above 134 µs not drawn/);
  assert.equal(histogram(values, { title: "all" }, { upTo: 1 }).data[0].x?.length, 100);
  assert.equal(histogram([1, 2, 3], { title: "t" }, 50).data[0].xbins !== undefined, true);
});

Deno.test("barChart() can use a log axis and write every bar's value on it", () => {
  const chart = barChart(["header", "whole"], { bytes: [87, 151120] }, { title: "b" }, {
    log: true,
    valueLabels: true,
    unit: "B",
  });
  assert.equal((chart.layout.yaxis as { type: string }).type, "log");
  assert.deepEqual(chart.data[0].text, ["87 B", "151,120 B"]);
  assert.equal(chart.data[0].textposition, "outside");
});
