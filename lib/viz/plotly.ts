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
  const at = (q: number) => quantile(sorted, q);
  const f = (v: number) => Number(v.toPrecision(4)).toString();
  return `n=${values.length} min=${f(sorted[0])} median=${f(at(0.5))} p90=${f(at(0.9))} max=${
    f(sorted.at(-1)!)
  }`;
}

/** Options for {@linkcode histogram}. */
export interface HistogramOptions {
  /** Number of bars. Default 40. */
  bins?: number;
  /**
   * Draw values up to this quantile (default 0.99), and not beyond Tukey's far-out fence
   * (third quartile + 3 × the interquartile range) unless that hides more than 5 %. Timings have a long tail: one sample
   * 50 times the median would squeeze every other sample into the first bar. The values
   * beyond are counted in a note on the chart, and in the summary. `1` draws everything.
   */
  upTo?: number;
  /** Mark the median with a dashed line and its value (default true). */
  median?: boolean;
}

/** The value at quantile `q` (0..1) of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** A number for a chart label: integers exact, others to 4 significant digits; thousands separated. */
export function formatNumber(value: number): string {
  const rounded = Number.isInteger(value) ? value : Number(value.toPrecision(4));
  return rounded.toLocaleString("en-US", { maximumFractionDigits: 20 });
}

/**
 * A histogram of measured values, drawn up to a high quantile so the bulk of the
 * distribution is readable, with the median marked.
 *
 * @example
 * ```ts
 * import { histogram } from "./plotly.ts";
 * const values = [...Array(99).fill(0).map((_, i) => 100 + i), 9000];
 * const chart = histogram(values, { title: "Round trips", x: "µs" });
 * if (chart.data[0].type !== "histogram") throw new Error("unexpected");
 * // The 9,000 µs outlier is left out of the bars and said in a note
 * if ((chart.data[0].x as number[]).includes(9000)) throw new Error("outlier drawn");
 * if (!chart.summary.includes("1 value above")) throw new Error(chart.summary);
 * ```
 */
export function histogram(
  values: readonly number[],
  labels: ChartLabels,
  options: HistogramOptions | number = {},
): PlotlyChart {
  const { bins = 40, upTo = 0.99, median: markMedian = true } = typeof options === "number"
    ? { bins: options }
    : options;
  const sorted = [...values].sort((a, b) => a - b);
  const fence = sorted.length
    ? quantile(sorted, 0.75) + 3 * (quantile(sorted, 0.75) - quantile(sorted, 0.25))
    : 0;
  // At most the quantile `upTo`; short of it only for far-out values, and never below p95.
  const limit = !sorted.length
    ? 0
    : upTo >= 1
    ? sorted.at(-1)!
    : Math.min(quantile(sorted, upTo), Math.max(quantile(sorted, 0.95), fence));
  const shown = values.filter((v) => v <= limit);
  const beyond = sorted.filter((v) => v > limit);
  const unit = labels.x ? ` ${labels.x}` : "";
  const shapes: unknown[] = [];
  const annotations: unknown[] = [];
  if (markMedian && sorted.length) {
    const median = quantile(sorted, 0.5);
    shapes.push({
      type: "line",
      x0: median,
      x1: median,
      yref: "paper",
      y0: 0,
      y1: 1,
      line: { dash: "dash", width: 2, color: "#d62728" },
    });
    annotations.push({
      x: median,
      yref: "paper",
      y: 1,
      yanchor: "bottom",
      xanchor: "left",
      text: `median ${formatNumber(median)}${unit}`,
      showarrow: false,
      font: { color: "#d62728" },
    });
  }
  const note = beyond.length
    ? `${beyond.length} value${beyond.length === 1 ? "" : "s"} above ${
      formatNumber(limit)
    }${unit} not drawn (largest ${formatNumber(sorted.at(-1)!)}${unit})`
    : "";
  if (note) {
    annotations.push({
      xref: "paper",
      yref: "paper",
      x: 1,
      y: 1,
      xanchor: "right",
      yanchor: "top",
      text: note,
      showarrow: false,
    });
  }
  const low = sorted[0] ?? 0;
  const size = (limit - low) / bins || 1;
  return new PlotlyChart(
    [{
      type: "histogram",
      x: shown,
      xbins: { start: low, end: limit + size / 2, size },
      autobinx: false,
    }],
    layoutFor({ y: "count", ...labels }, { bargap: 0.05, shapes, annotations }),
    `${labels.title}: ${describe(values)}${labels.x ? ` (${labels.x})` : ""}${
      note ? `; ${note}` : ""
    }`,
  );
}

/** Options for {@linkcode barChart}. */
export interface BarOptions {
  /** A logarithmic value axis, so bars of very different sizes all show. */
  log?: boolean;
  /** Write each bar's value on it. */
  valueLabels?: boolean;
  /** Series side by side (default) or stacked. */
  barmode?: "group" | "stack";
  /** Unit written after each value label, e.g. `"B"`. */
  unit?: string;
}

/**
 * Bars, one series or several side by side.
 *
 * @example
 * ```ts
 * import { barChart } from "./plotly.ts";
 * const chart = barChart(["POP3", "IMAP"], { bytes: [151120, 87] }, { title: "Bytes" }, {
 *   log: true,
 *   valueLabels: true,
 *   unit: "B",
 * });
 * if (chart.data[0].text?.[0] !== "151,120 B") throw new Error(String(chart.data[0].text));
 * ```
 */
export function barChart(
  categories: readonly string[],
  series: Record<string, readonly number[]>,
  labels: ChartLabels,
  options: BarOptions = {},
): PlotlyChart {
  const unit = options.unit ? ` ${options.unit}` : "";
  const data: Trace[] = Object.entries(series).map(([name, y]) => ({
    type: "bar",
    name,
    x: categories,
    y,
    ...(options.valueLabels
      ? {
        text: y.map((v) => `${formatNumber(v)}${unit}`),
        textposition: "outside",
        cliponaxis: false,
      }
      : {}),
  }));
  const summary = Object.entries(series).map(([name, y]) =>
    `${name}: ` + categories.map((c, i) => `${c}=${y[i]}`).join(", ")
  );
  const layout = layoutFor(labels, { barmode: options.barmode ?? "group" });
  if (options.log) {
    layout.yaxis = { ...(layout.yaxis as object), type: "log" };
  }
  if (options.valueLabels) {
    layout.margin = { ...(layout.margin as object), t: 70 };
  }
  return new PlotlyChart(data, layout, `${labels.title}\n${summary.join("\n")}`);
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
