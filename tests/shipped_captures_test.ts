/**
 * What the chapters say about the captures the course ships is what the files hold. Each
 * claim is tied to the words of the cell that makes it: if the text changes, the claim
 * here must be looked at again; if a capture is re-recorded (`deno task record-captures`)
 * and no longer shows it, the test fails.
 *
 * Numbers that a run produces are not typed in prose at all (tools/notebooks/
 * prose_numbers.ts); the chapters compute them from whichever capture they show.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  dissectFrame,
  type PcapFile,
  readPcap,
  type Segment,
  tcpSegments,
} from "../lib/packet/mod.ts";
import { splitConnections } from "../lib/tcp/mod.ts";
import { analyzeLoss, shippedLossCapture } from "../lib/tcp/loss.ts";
import { NOTEBOOKS, sourceOf } from "../tools/notebooks/notebooks.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const capture = (name: string): PcapFile =>
  readPcap(Deno.readFileSync(`${ROOT}/fixtures/captures/${name}.pcap`));

function cellText(notebook: string, id: string): string {
  const cells = JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS}/${notebook}.ipynb`)).cells;
  const cell = cells.find((c: { id: string }) => c.id === id);
  assert.ok(cell, `${notebook} has no cell ${id}`);
  return sourceOf(cell).replace(/\s+/g, " ");
}

interface Claim {
  notebook: string;
  cell: string;
  /** The words of the cell that state it. */
  says: string;
  holds(): boolean;
}

const smtp = () => capture("smtp-session");
const teardown = (segments: Segment[]) => segments.slice(segments.findIndex((s) => s.flags.fin));

const CLAIMS: Claim[] = [
  {
    notebook: "01_layers",
    cell: "061aafd8",
    says: "every Ethernet header has all-zero MAC addresses",
    holds: () => smtp().packets.every((p) => p.data.subarray(0, 12).every((b) => b === 0)),
  },
  {
    notebook: "01_layers",
    cell: "061aafd8",
    says: "every IPv4 checksum is correct",
    holds: () =>
      smtp().packets.every((p) =>
        dissectFrame(p.data, smtp().linkType).ip?.checksumStatus === "correct"
      ),
  },
  {
    notebook: "01_layers",
    cell: "061aafd8",
    says: "**every** TCP checksum is `partial`",
    holds: () =>
      smtp().packets.every((p) =>
        dissectFrame(p.data, smtp().linkType).tcp?.checksumStatus === "partial"
      ),
  },
  {
    notebook: "02_tcp",
    cell: "7e1f2d20",
    says: "After `221 Bye` the server closes first",
    holds: () => {
      const segments = tcpSegments(smtp());
      const bye = segments.findIndex((s) => new TextDecoder().decode(s.payload).startsWith("221"));
      const fin = segments.findIndex((s) => s.flags.fin);
      return bye >= 0 && fin > bye && segments[fin].from === segments[bye].from;
    },
  },
  {
    notebook: "02_tcp",
    cell: "7e1f2d20",
    says: "the client's FIN comes _with_ the ACK of the server's FIN: three segments",
    holds: () => {
      const end = teardown(splitConnections(tcpSegments(smtp()))[0]);
      return end.length === 3 && end[1].flags.fin && end[1].flags.ack &&
        end[1].relativeAck === end[0].relativeSeq + 1;
    },
  },
  {
    notebook: "02_tcp",
    cell: "7e1f2d20",
    says:
      "in the capture the course ships the server's first answer segment carries the ACK of that FIN",
    holds: () => {
      const wire = splitConnections(tcpSegments(capture("tcp-lifecycle")))[0];
      const fin = wire.findIndex((s) => s.flags.fin);
      const answer = wire.slice(fin + 1).find((s) => s.from === wire[fin].to)!;
      return wire[fin].from === wire[0].from && answer.payloadLength > 0 &&
        answer.relativeAck === wire[fin].relativeSeq + 1;
    },
  },
  {
    notebook: "02_tcp",
    cell: "3b13a898",
    says: "the first sequence numbers are large random-looking numbers, different on each side",
    holds: () => {
      const wire = splitConnections(tcpSegments(capture("tcp-lifecycle")))[0];
      return wire[0].seq !== 0 && wire[1].seq !== 0 && wire[0].seq !== wire[1].seq;
    },
  },
];

for (const claim of CLAIMS) {
  Deno.test(`${claim.notebook}: "${claim.says}" holds for the shipped capture`, () => {
    assert.ok(
      cellText(claim.notebook, claim.cell).includes(claim.says.replace(/\s+/g, " ")),
      `the cell no longer says it: look at this claim again`,
    );
    assert.ok(claim.holds());
  });
}

Deno.test("02_tcp: the shipped loss capture shows what the chapter describes: lost copies, a duplicate ACK with SACK, both lines retransmitted", async () => {
  const text = cellText("02_tcp", "f89419e3");
  assert.ok(text.includes("`lost-1`, followed at once by four more lines"));
  assert.ok(text.includes("`lost-2`, the last one, followed by nothing"));
  const { pcap, writes } = await shippedLossCapture();
  const rows = analyzeLoss(tcpSegments(pcap), writes);
  for (const line of ["lost-1", "lost-2"]) {
    assert.ok(rows.some((r) => r.lines.includes(line) && r.retransmission), line);
  }
  const lastLine = rows.findLast((r) => r.lines.length > 0)!;
  assert.deepEqual(lastLine.lines, ["lost-2"], "nothing followed lost-2");
  assert.ok(rows.some((r) => r.duplicateAck > 0 && r.sack.length > 0));
});
