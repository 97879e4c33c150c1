/**
 * Grading results in the forms people and schools' systems read: a points table for the
 * terminal and the notebook, Gradescope's `results.json`, JUnit XML, and a plain JSON score.
 *
 * @module
 */

import type { ExerciseResult } from "./run.ts";
import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle, textTable } from "../viz/display.ts";

/** Total points over several exercises. */
export function totals(results: readonly ExerciseResult[]): { score: number; maxScore: number } {
  return {
    score: results.reduce((s, r) => s + r.score, 0),
    maxScore: results.reduce((s, r) => s + r.maxScore, 0),
  };
}

/** One word for where an exercise stands. */
export function status(r: ExerciseResult): string {
  if (r.importViolations?.length) return "forbidden import";
  if (r.score === r.maxScore) return "passed";
  if (r.loadError) return "does not load";
  if (r.checks.every((c) => c.todo || c.passed)) return "not started";
  return "failing";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The lines below the table for one exercise: what to do next. */
export function exerciseFeedback(r: ExerciseResult): string[] {
  const lines: string[] = [];
  const state = status(r);
  if (state === "passed" && !r.notes?.length) return lines;
  if (state === "forbidden import") {
    for (const v of r.importViolations!) lines.push(`  ${v}`);
  } else if (state === "does not load") {
    lines.push(...r.loadError!.split("\n").map((l) => `  ${l}`));
    lines.push(`  Fix this first: none of its ${plural(r.checks.length, "check")} could run.`);
  } else if (state === "not started") {
    lines.push(`  Not started yet. ${plural(r.checks.length, "check")} wait for it:`);
    for (const c of r.checks) lines.push(`    · ${c.name} (${plural(c.maxPoints, "point")})`);
    if (r.firstHint) lines.push(`  First hint: ${r.firstHint}`);
    lines.push(`  More hints: deno task hint ${r.id}`);
  } else {
    for (const c of r.checks.filter((c) => !c.passed)) {
      lines.push(`  ✗ ${c.name} (0/${c.maxPoints})`);
      if (c.todo) {
        lines.push("      still the stub's TODO");
      } else {
        lines.push(...c.message.split("\n").map((l) => `      ${l}`));
      }
      lines.push(`    hint: ${c.hint}`);
    }
  }
  for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  return lines;
}

/** The per-exercise points table, then what to do about each exercise not yet passed. */
export function textReport(results: readonly ExerciseResult[]): string {
  const rows = results.map((r) => [r.id, r.title, `${r.score}/${r.maxScore}`, status(r)]);
  const { score, maxScore } = totals(results);
  const lines = [
    textTable(["exercise", "title", "points", "status"], rows),
    "",
    `total: ${score}/${maxScore}`,
  ];
  for (const r of results) {
    const feedback = exerciseFeedback(r);
    if (feedback.length) lines.push("", `${r.id}:`, ...feedback);
  }
  return lines.join("\n");
}

/**
 * Gradescope's autograder format: `tests[]` with `score`, `max_score`, `status`,
 * `output` and `visibility` (hidden checks stay hidden from students until published).
 */
export function gradescopeResults(results: readonly ExerciseResult[]): unknown {
  const { score } = totals(results);
  return {
    score,
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: results.flatMap((r) =>
      r.checks.map((c) => ({
        name: `${r.id}: ${c.name}`,
        name_format: "text",
        score: c.points,
        max_score: c.maxPoints,
        status: c.passed ? "passed" : "failed",
        output: c.passed ? "" : `${c.message}\n\nHint: ${c.hint}`,
        output_format: "text",
        visibility: c.hidden ? "after_published" : "visible",
      }))
    ),
  };
}

function xml(text: string): string {
  // XML 1.0 forbids most control characters, even escaped: drop them.
  // deno-lint-ignore no-control-regex
  return escapeHtml(text).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

/** JUnit XML: one test suite per exercise, one test case per check, points as properties. */
export function junitXml(results: readonly ExerciseResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.reduce((s, r) => s + r.checks.filter((c) => !c.passed).length, 0);
  const tests = results.reduce((s, r) => s + r.checks.length, 0);
  out.push(`<testsuites name="course grading" tests="${tests}" failures="${failures}">`);
  for (const r of results) {
    const failed = r.checks.filter((c) => !c.passed).length;
    const seconds = r.checks.reduce((s, c) => s + c.ms, 0) / 1000;
    out.push(
      `  <testsuite name="${
        xml(r.id)
      }" tests="${r.checks.length}" failures="${failed}" time="${seconds}">`,
      `    <properties><property name="score" value="${r.score}"/><property name="max_score" value="${r.maxScore}"/></properties>`,
    );
    for (const c of r.checks) {
      const name = xml(`${c.name} [${c.points}/${c.maxPoints} points]`);
      out.push(`    <testcase classname="${xml(r.id)}" name="${name}" time="${c.ms / 1000}">`);
      if (!c.passed) {
        out.push(
          `      <failure message="${xml(c.message.split("\n")[0])}">${
            xml(`${c.message}\nHint: ${c.hint}`)
          }</failure>`,
        );
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/** Write the three results files (Gradescope, JUnit, plain score) into `out`. */
export function writeReports(results: readonly ExerciseResult[], out: string): void {
  Deno.mkdirSync(out, { recursive: true });
  Deno.writeTextFileSync(
    `${out}/results.json`,
    JSON.stringify(gradescopeResults(results), null, 2) + "\n",
  );
  Deno.writeTextFileSync(`${out}/junit.xml`, junitXml(results));
  Deno.writeTextFileSync(`${out}/score.json`, JSON.stringify(scoreJson(results), null, 2) + "\n");
}

/** A plain JSON score: totals plus points per exercise and per check. */
export function scoreJson(results: readonly ExerciseResult[]): unknown {
  return {
    ...totals(results),
    exercises: results.map((r) => ({
      id: r.id,
      title: r.title,
      score: r.score,
      maxScore: r.maxScore,
      checks: r.checks.map((c) => ({
        name: c.name,
        points: c.points,
        maxPoints: c.maxPoints,
        passed: c.passed,
      })),
    })),
  };
}

const LEFT = "text-align:left;vertical-align:top";
const STATUS_COLOUR: Record<string, string> = {
  "passed": "#2e7d32",
  "failing": "#ef6c00",
  "not started": "#616161",
  "does not load": "#c62828",
  "forbidden import": "#c62828",
};

/** One exercise's feedback as HTML: the same content as the terminal's, in the same order. */
function feedbackHtml(r: ExerciseResult): string {
  const state = status(r);
  const para = (text: string) => `<p style="${LEFT};margin:0.2em 0">${text}</p>`;
  const list = (items: string[]) =>
    items.length ? `<ul style="${LEFT};margin:0.2em 0">${items.join("")}</ul>` : "";
  const parts: string[] = [];
  if (state === "passed" && !r.notes?.length) return "";
  if (state === "forbidden import") {
    parts.push(list(r.importViolations!.map((v) => `<li>${escapeHtml(v)}</li>`)));
  } else if (state === "does not load") {
    parts.push(
      `<pre style="${LEFT};white-space:pre-wrap;margin:0.2em 0">${escapeHtml(r.loadError!)}</pre>`,
    );
    parts.push(para(`Fix this first: none of its ${plural(r.checks.length, "check")} could run.`));
  } else if (state === "not started") {
    parts.push(para(`Not started yet. ${plural(r.checks.length, "check")} wait for it:`));
    parts.push(
      list(r.checks.map((c) => `<li>${escapeHtml(c.name)} (${plural(c.maxPoints, "point")})</li>`)),
    );
    if (r.firstHint) parts.push(para(`<b>First hint:</b> ${escapeHtml(r.firstHint)}`));
    parts.push(para(`More hints: <code>deno task hint ${escapeHtml(r.id)}</code>`));
  } else {
    parts.push(list(
      r.checks.filter((c) => !c.passed).map((c) => {
        const why = c.todo ? "still the stub's TODO" : c.message;
        return `<li>✗ ${escapeHtml(c.name)} (0/${c.maxPoints})` +
          `<pre style="${LEFT};white-space:pre-wrap;margin:0.1em 0 0.1em 1em">${
            escapeHtml(why)
          }</pre>` +
          `<b>Hint:</b> ${escapeHtml(c.hint)}</li>`;
      }),
    ));
  }
  for (const note of r.notes ?? []) parts.push(para(`<i>Note:</i> ${escapeHtml(note)}`));
  return `<div style="${LEFT};margin-top:0.6em"><b><code>${escapeHtml(r.id)}</code></b>${
    parts.join("")
  }</div>`;
}

/**
 * The results as a notebook output: the terminal's table (left-aligned, as there), then
 * what to do about each exercise not yet passed, in the same words.
 */
export function resultsView(
  results: readonly ExerciseResult[],
): { [JUPYTER_DISPLAY](): MimeBundle } {
  return {
    [JUPYTER_DISPLAY]: () => {
      const { score, maxScore } = totals(results);
      const cell = (text: string, style = "") => `<td style="${LEFT}${style}">${text}</td>`;
      const rows = results.map((r) => {
        const state = status(r);
        return `<tr>${cell(`<code>${escapeHtml(r.id)}</code>`)}${cell(escapeHtml(r.title))}${
          cell(`${r.score}/${r.maxScore}`)
        }${cell(state, `;color:${STATUS_COLOUR[state] ?? "inherit"};font-weight:bold`)}</tr>`;
      }).join("");
      const head = ["exercise", "title", "points", "status"].map((h) =>
        `<th style="${LEFT}">${h}</th>`
      ).join("");
      return {
        "text/html":
          `<table style="${LEFT}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody>` +
          `<tfoot><tr>${cell("<b>total</b>")}${cell("")}${cell(`<b>${score}/${maxScore}</b>`)}${
            cell("")
          }</tr></tfoot></table>` + results.map(feedbackHtml).join(""),
        "text/plain": textReport(results),
      };
    },
  };
}
