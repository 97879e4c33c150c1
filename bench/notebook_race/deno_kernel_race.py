"""Minimal reproduction of the Deno kernel's output race, for upstream (denoland/deno).

Starts `deno jupyter` directly (no wrapper) and:

1. runs CELLS one-line cells one at a time as nbclient does (send, read iopub up to the
   cell's idle), then reads on for half a second: outputs that arrive after their cell's idle
   are what every such client loses;
2. sends BURST requests back to back, as JupyterLab's Run All does: outputs whose parent
   header names a different request than the one that printed them are drawn under the
   wrong cell.

Usage: python deno_kernel_race.py /path/to/deno [--doc docs/notebook-output-race.md]
"""

import json
import os
import queue
import sys
import tempfile
import time

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec

CELLS, BURST = 200, 200
OUTPUTS = ("stream", "execute_result", "display_data")


def cell(i: int, tag: str) -> str:
    """A cell with one output of one of the three kinds, naming the cell."""
    return [
        f'console.log("{tag} {i}")',
        f'"{tag} {i}"',
        f'await Deno.jupyter.display({{ "text/plain": "{tag} {i}" }}, {{ raw: true }})',
    ][i % 3]


def printed_by(msg: dict) -> int:
    text = msg["content"].get("text") or msg["content"]["data"]["text/plain"]
    return int(text.strip('"\n').split()[1])


def start(deno: str):
    """A fresh `deno jupyter` kernel and a client to it."""
    km = KernelManager()
    km._kernel_spec = KernelSpec(
        argv=[deno, "jupyter", "-q", "--kernel", "--conn", "{connection_file}"],
        env={"NO_COLOR": "1"}, display_name="Deno", language="typescript",
    )
    km.start_kernel(cwd=tempfile.gettempdir())
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def stop(km, kc) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def one_at_a_time(kc) -> int:
    """Outputs that arrive after their cell's idle."""
    late = 0
    for i in range(CELLS):
        msg_id = kc.execute(cell(i, "cell"))
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                late += msg["msg_type"] in OUTPUTS
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        try:
            late += kc.get_iopub_msg(timeout=0.1)["msg_type"] in OUTPUTS
        except queue.Empty:
            pass
    return late


def back_to_back(kc) -> tuple[int, int]:
    """(outputs seen, outputs whose parent is not the request that printed them)."""
    ids = [kc.execute(cell(i, "burst")) for i in range(BURST)]
    wrong, seen, idle = 0, 0, set()
    while len(idle) < BURST:
        msg = kc.get_iopub_msg(timeout=30)
        parent = msg["parent_header"].get("msg_id")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle.add(parent)
        elif msg["msg_type"] in OUTPUTS and parent in ids:
            seen += 1
            wrong += ids.index(parent) != printed_by(msg)
    return seen, wrong


def main() -> None:
    deno = sys.argv[1]
    # Each part on a fresh kernel: the race is most frequent in a kernel's first cells.
    km, kc = start(deno)
    try:
        late = one_at_a_time(kc)
        version = kc.kernel_info(reply=True)["content"]["implementation_version"]
    finally:
        stop(km, kc)
    km, kc = start(deno)
    try:
        seen, wrong = back_to_back(kc)
    finally:
        stop(km, kc)
    result = {
        "deno": version,
        "one_at_a_time": {"cells": CELLS, "outputs_after_idle": late},
        "back_to_back": {"cells": BURST, "outputs_seen_before_last_idle": seen, "wrong_parent": wrong},
    }
    print(json.dumps(result))
    if "--doc" in sys.argv:
        doc = sys.argv[sys.argv.index("--doc") + 1]
        text = open(doc).read()
        begin, finish = "<!-- repro:start -->", "<!-- repro:end -->"
        line = (
            f"Its output on this machine ({os.cpu_count()} cores, Deno {version}, "
            f"{time.strftime('%Y-%m-%d')}): one at a time, {late} of {CELLS} outputs arrived after "
            f"their cell's `idle`; back to back, {wrong} of {seen} outputs carried another cell's "
            "parent header."
        )
        text = text[: text.index(begin) + len(begin)] + "\n" + line + "\n" + text[text.index(finish):]
        open(doc, "w").write(text)


if __name__ == "__main__":
    main()
