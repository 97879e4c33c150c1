/**
 * A hex dump that colours each layer's bytes: encapsulation made visible.
 *
 * In JupyterLab the bytes of the link header, IPv4 header, TCP header and application
 * data get their own colour, with a legend giving each layer's byte range and size. Front
 * ends without HTML get the same dump as text, each row followed by the layers it touches.
 *
 * @module
 */

import type { Layer, LayerName } from "./dissect.ts";
import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../viz/display.ts";

/** Colours per layer (light, readable under dark text). */
export const LAYER_COLOURS: Record<LayerName, string> = {
  link: "#cfd8dc",
  ipv4: "#c8e6c9",
  tcp: "#ffe0b2",
  payload: "#e1bee7",
  trailer: "#eeeeee",
};

const ROW = 16;

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
}

/** A coloured hex dump of a frame; display it in a notebook or print `toString()`. */
export class HexView {
  constructor(readonly data: Uint8Array, readonly layers: readonly Layer[]) {}

  /** The layer a byte belongs to, if any. */
  layerAt(offset: number): Layer | undefined {
    return this.layers.find((l) => offset >= l.start && offset < l.end);
  }

  /** Legend rows: `"IPv4 header  bytes 14-33 (20 bytes)"`. */
  legend(): string[] {
    return this.layers.map((l) =>
      `${l.label.padEnd(20)} bytes ${l.start}-${l.end - 1} (${l.end - l.start} bytes)`
    );
  }

  /** The classic `offset  hex  ascii` dump, each row noting the layers it touches. */
  toString(): string {
    const rows: string[] = [];
    for (let at = 0; at < this.data.length; at += ROW) {
      const chunk = [...this.data.subarray(at, at + ROW)];
      const hex = chunk.map((b) => b.toString(16).padStart(2, "0")).join(" ").padEnd(ROW * 3 - 1);
      const ascii = chunk.map(printable).join("").padEnd(ROW);
      const touched = [
        ...new Set(chunk.map((_, i) => this.layerAt(at + i)?.name).filter((n) => n)),
      ];
      rows.push(`${at.toString(16).padStart(4, "0")}  ${hex}  ${ascii}  ${touched.join(",")}`);
    }
    return [...rows, "", ...this.legend()].join("\n");
  }

  /** HTML: one `<span>` per byte, coloured by layer, titled with the layer and offset. */
  toHtml(): string {
    const style = "font-family:monospace;font-size:12px;line-height:1.5;border-collapse:collapse";
    const rows: string[] = [];
    for (let at = 0; at < this.data.length; at += ROW) {
      const hex: string[] = [];
      const ascii: string[] = [];
      for (let i = at; i < Math.min(at + ROW, this.data.length); i++) {
        const layer = this.layerAt(i);
        const colour = layer ? LAYER_COLOURS[layer.name] : "transparent";
        const title = escapeHtml(`${layer?.label ?? "unclaimed"}, byte ${i}`);
        const cell = `background:${colour};padding:0 2px`;
        hex.push(
          `<span style="${cell}" title="${title}">${
            this.data[i].toString(16).padStart(2, "0")
          }</span>`,
        );
        ascii.push(`<span style="${cell}">${escapeHtml(printable(this.data[i]))}</span>`);
      }
      rows.push(
        `<tr><td style="color:#888;padding-right:8px">${at.toString(16).padStart(4, "0")}</td>` +
          `<td style="padding-right:12px">${hex.join(" ")}</td><td>${ascii.join("")}</td></tr>`,
      );
    }
    const legend = this.layers.map((l) =>
      `<span style="background:${LAYER_COLOURS[l.name]};padding:2px 6px;margin-right:8px">` +
      `${escapeHtml(l.label)}: bytes ${l.start}–${l.end - 1} (${l.end - l.start} B)</span>`
    ).join("");
    return `<div><table style="${style}">${rows.join("")}</table>` +
      `<div style="font-family:sans-serif;font-size:12px;margin-top:6px">${legend}</div></div>`;
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/**
 * A coloured hex dump of `data` with its layers (from {@linkcode dissectFrame}).
 *
 * @example
 * ```ts
 * import { hexView } from "./hexview.ts";
 * const view = hexView(new Uint8Array([0, 1, 2, 3]), [
 *   { name: "link", label: "Ethernet header", start: 0, end: 2 },
 *   { name: "payload", label: "application data", start: 2, end: 4 },
 * ]);
 * if (!view.toString().startsWith("0000  00 01 02 03")) throw new Error(view.toString());
 * ```
 */
export function hexView(data: Uint8Array, layers: readonly Layer[]): HexView {
  return new HexView(data, layers);
}
