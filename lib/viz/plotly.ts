/**
 * Plotly charts of measured numbers.
 *
 * The bundle carries `application/vnd.plotly.v1+json` (JupyterLab with the `plotly`
 * package's renderer, and VS Code, draw it), a `text/html` fallback that draws with a
 * page-level `Plotly` (nbconvert's HTML export drops plotly JSON; our export adds
 * plotly.js from npm to the page), and a `text/plain` summary of the numbers.
 *
 * @module
 */

import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "./display.ts";

/** A plotly trace: the subset of plotly.js's trace attributes this course uses. */
export interface Trace {
  type: "bar" | "scatter" | "histogram" | "box";
  name?: string;
  x?: readonly (number | string)[];
  y?: readonly (number | string)[];
  mode?: "lines" | "markers" | "lines+markers";
  nbinsx?: number;
  text?: readonly string[];
  [attribute: string]: unknown;
}

/** Plotly layout attributes (title, axes...). */
export type Layout = Record<string, unknown>;

let nextId = 0;

/** A chart: traces plus layout, displayable in Jupyter. */
export class PlotlyChart {
  constructor(readonly data: Trace[], readonly layout: Layout, readonly summary: string) {}

  [JUPYTER_DISPLAY](): MimeBundle {
    const figure = { data: this.data, layout: this.layout };
    const id = `plotly-chart-${Date.now().toString(36)}-${nextId++}`;
    const json = JSON.stringify(figure).replace(/</g, "\\u003c");
    return {
      "application/vnd.plotly.v1+json": figure,
      "text/html": `<div id="${id}" class="course-plotly" style="height:420px"></div>` +
        `<script>(function(){var f=${json};function draw(){Plotly.newPlot(${
          JSON.stringify(id)
        },f.data,f.layout)}` +
        `if(window.Plotly){draw()}else{window.addEventListener("load",function(){if(window.Plotly)draw()})}})()</script>` +
        `<noscript><pre>${escapeHtml(this.summary)}</pre></noscript>`,
      "text/plain": this.summary,
    };
  }
}

/** Axis titles and a chart title. */
export interface ChartLabels {
  title: string;
  x?: string;
  y?: string;
}

function layoutFor(labels: ChartLabels, extra: Layout = {}): Layout {
  return {
    title: { text: labels.title },
    xaxis: { title: { text: labels.x ?? "" } },
    yaxis: { title: { text: labels.y ?? "" } },
    margin: { t: 50, r: 20, b: 50, l: 60 },
    ...extra,
  };
}

/** Count, min, median, 90th percentile and max, for the text summaries. */
export function describe(values: readonly number[]): string {
  if (values.length === 0) return "no values";
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const f = (v: number) => Number(v.toPrecision(4)).toString();
  return `n=${values.length} min=${f(sorted[0])} median=${f(at(0.5))} p90=${f(at(0.9))} max=${
    f(sorted.at(-1)!)
  }`;
}

/**
 * A histogram of measured values.
 *
 * @example
 * ```ts
 * import { histogram } from "./plotly.ts";
 * const chart = histogram([1, 2, 2, 3], { title: "Connect time", x: "ms" });
 * if (chart.data[0].type !== "histogram") throw new Error("unexpected");
 * ```
 */
export function histogram(values: readonly number[], labels: ChartLabels, bins = 40): PlotlyChart {
  return new PlotlyChart(
    [{ type: "histogram", x: values, nbinsx: bins }],
    layoutFor({ y: "count", ...labels }, { bargap: 0.05 }),
    `${labels.title}: ${describe(values)}${labels.x ? ` (${labels.x})` : ""}`,
  );
}

/**
 * Bars, one series or several side by side.
 *
 * @example
 * ```ts
 * import { barChart } from "./plotly.ts";
 * const chart = barChart(["POP3", "IMAP"], { bytes: [5000, 300] }, { title: "Bytes" });
 * if (chart.data.length !== 1) throw new Error("unexpected");
 * ```
 */
export function barChart(
  categories: readonly string[],
  series: Record<string, readonly number[]>,
  labels: ChartLabels,
): PlotlyChart {
  const data: Trace[] = Object.entries(series).map(([name, y]) => ({
    type: "bar",
    name,
    x: categories,
    y,
  }));
  const summary = Object.entries(series).map(([name, y]) =>
    `${name}: ` + categories.map((c, i) => `${c}=${y[i]}`).join(", ")
  );
  return new PlotlyChart(
    data,
    layoutFor(labels, { barmode: "group" }),
    `${labels.title}\n${summary.join("\n")}`,
  );
}

/**
 * Lines (or dots) of y against x, one series or several.
 *
 * @example
 * ```ts
 * import { lineChart } from "./plotly.ts";
 * const chart = lineChart({ "round trips": { x: [1, 2], y: [3, 1] } }, { title: "Pipelining" });
 * if (chart.data[0].mode !== "lines+markers") throw new Error("unexpected");
 * ```
 */
export function lineChart(
  series: Record<string, { x: readonly number[]; y: readonly number[] }>,
  labels: ChartLabels,
  mode: Trace["mode"] = "lines+markers",
): PlotlyChart {
  const data: Trace[] = Object.entries(series).map(([name, s]) => ({
    type: "scatter",
    mode,
    name,
    x: s.x,
    y: s.y,
  }));
  const summary = Object.entries(series).map(([name, s]) => `${name}: ${describe(s.y)}`);
  return new PlotlyChart(data, layoutFor(labels), `${labels.title}\n${summary.join("\n")}`);
}
