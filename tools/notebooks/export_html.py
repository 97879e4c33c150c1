"""Convert executed notebooks to HTML pages with nbconvert's HTMLExporter.

Called by `deno task export` (tools/notebooks/export.ts) after run_notebooks.py has run the
notebooks in the real Deno kernel and written executed copies. Uses the lab template through
tools/notebooks/html_template/course, which loads nothing from outside the export folder:
mermaid and plotly.js are taken from the URLs given here (files copied from npm by
tools/notebooks/web_assets.ts). Prints one JSON list on stdout, one entry per page.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).resolve().parent / "html_template"


def title_of(nb) -> str | None:
    """The first level-1 heading of the notebook's markdown: the chapter's title."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return None


def draws_with_plotly(nb) -> bool:
    """Whether an output's HTML draws with the page-level Plotly (lib/viz's fallback)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if "Plotly.newPlot" in ("".join(html) if isinstance(html, list) else html):
                return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebooks", nargs="+", help="executed notebooks")
    parser.add_argument("--out", required=True, help="folder for the pages")
    parser.add_argument("--mermaid-url", required=True, help="mermaid ESM build, relative to a page")
    parser.add_argument("--mermaid-classic-url", required=True, help="mermaid's classic build, for file:// pages")
    parser.add_argument("--plotly-url", required=True, help="plotly.js, relative to a page")
    args = parser.parse_args()

    exporter = HTMLExporter(
        template_name="course",
        extra_template_basedirs=[str(TEMPLATES)],
        mermaid_js_url=args.mermaid_url,
        mermaid_layout_elk_js_url="",
    )
    out = Path(args.out)
    pages = []
    for name in args.notebooks:
        nb = nbformat.read(name, as_version=4)
        title = title_of(nb)
        if title:
            nb.metadata["title"] = title
        plotly = draws_with_plotly(nb)
        resources = {
            "course_plotly_js_url": args.plotly_url if plotly else "",
            "course_mermaid_classic_url": args.mermaid_classic_url,
        }
        html, _ = exporter.from_notebook_node(nb, resources=resources)
        if '<pre class="mermaid">' in html and "window.courseMermaid()" not in html:
            raise SystemExit(
                f"Cannot export {name}: nbconvert's mermaid script no longer imports mermaid as "
                "html_template/course expects, so pages opened from disk would show no diagram"
            )
        page = Path(name).with_suffix(".html").name
        (out / page).write_text(html, encoding="utf-8")
        pages.append({"notebook": Path(name).name, "page": page, "title": title or Path(name).stem, "plotly": plotly})
    print(json.dumps(pages, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
