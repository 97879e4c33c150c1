"""Run notebooks top to bottom in the real Deno kernel, headless, through nbclient.

Called by `deno task notebooks` (tools/notebooks/check.ts), which prepares .venv and the
kernelspec first. Prints one JSON report on stdout; progress goes to stderr.

The kernel is the one learners get: the `deno` kernelspec that tools/venv.ts registers, i.e.
the course's wrapper around `deno jupyter` (tools/kernel/course_kernel.py). nbclient runs it
as it runs any kernel: it stops reading a cell at the cell's idle status. Besides that:

* Late outputs fail the notebook. Deno's own kernel sometimes sends a cell's output after
  the cell's idle (docs/notebook-output-race.md); the wrapper exists to prevent that. This
  runner no longer waits for a barrier after each cell (nothing needs recovering); it
  watches for a message that belongs to an earlier cell, while later cells run and in a
  final kernel_info round trip after the last cell (ZeroMQ keeps order on the one iopub
  socket, so everything sent before its idle has arrived). Such a message is what a plain
  nbclient drops: it is counted, not filed into the cell, and the notebook fails.
* Leaks. After the last cell, while the kernel still runs, the Deno kernel process must hold
  no listening TCP socket besides its own Jupyter ports and have no child process. After
  shutdown, no process that the kernel started may remain (they are found by a marker in
  their inherited environment, so other programs on the machine do not count).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellExecutionComplete


def listening_inodes() -> dict[str, str]:
    """Map socket inode -> 'addr:port' for every TCP socket in LISTEN state."""
    found: dict[str, str] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":  # 0A = LISTEN
                continue
            local = fields[1]
            port = int(local.rsplit(":", 1)[1], 16)
            found[fields[9]] = f"{local.rsplit(':', 1)[0]}:{port}"
    return found


def listening_ports_of(pid: int) -> set[int]:
    inodes = listening_inodes()
    ports: set[int] = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = target[8:-1]
                if inode in inodes:
                    ports.add(int(inodes[inode].rsplit(":", 1)[1]))
    except OSError:
        pass
    return ports


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process."""
    table: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            table[int(entry)] = (ppid, cmd.strip())
        except (OSError, ValueError):
            continue
    return table


def marked_processes(marker: str) -> dict[int, str]:
    """Processes whose environment carries `marker`: the kernel and everything it started
    (children inherit the environment, even after they are re-parented to init)."""
    needle = marker.encode()
    found: dict[int, str] = {}
    for pid, (_, cmd) in processes().items():
        if pid == os.getpid():
            continue
        try:
            if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found[pid] = cmd
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[tuple[int, str]]:
    table = processes()
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, cmd) in table.items():
            if ppid == parent:
                out.append((child, cmd))
                todo.append(child)
    return out


def deno_kernel(pid: int) -> int:
    """The `deno jupyter` process: the wrapper's child, or `pid` itself when unwrapped."""
    for child, cmd in descendants(pid):
        if " jupyter " in f" {cmd} " and "--kernel" in cmd:
            return child
    return pid


def connection_ports(pid: int) -> set[int]:
    """The Jupyter ports a kernel process was told to listen on (its --conn/-f file)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        for flag in ("--conn", "-f"):
            if flag in argv:
                info = json.loads(Path(argv[argv.index(flag) + 1]).read_text())
                return {info[f"{name}_port"] for name in ("shell", "iopub", "stdin", "control", "hb")}
    except (OSError, ValueError, KeyError, IndexError):
        pass
    return set()


class LateOutputClient(NotebookClient):
    """nbclient as learners' tools run it, plus a detector for outputs that arrive after
    their cell: those are counted (a plain nbclient drops them, and so does this one)."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.cell_of_request: dict[str, int] = {}
        self.late_outputs: list[dict] = []
        self.cells_with_late_output: set[int] = set()

    def note_late(self, msg: dict) -> None:
        parent = msg["parent_header"].get("msg_id")
        if parent not in self.cell_of_request or msg["msg_type"] in ("status", "execute_input"):
            return
        index = self.cell_of_request[parent]
        self.late_outputs.append({"cell": index, "msg_type": msg["msg_type"]})
        self.cells_with_late_output.add(index)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cell_of_request[parent_msg_id] = cell_index
        while True:
            msg = await self.kc.iopub_channel.get_msg(timeout=None)
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self.note_late(msg)

    async def watch_after_last_cell(self, timeout: float) -> None:
        """Send kernel_info and read iopub up to its idle, noting late outputs on the way."""
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no idle status for kernel_info after the last cell")
            msg = await self.kc.iopub_channel.get_msg(timeout=remaining)
            if msg["parent_header"].get("msg_id") != msg_id:
                self.note_late(msg)
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return


def cell_error_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return ""


async def run_one(path: Path, args) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = LateOutputClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.cell_timeout,
        resources={"metadata": {"path": str(path.parent)}},
        allow_errors=False,
    )
    # Mark the kernel's environment, so that whatever it starts can be found afterwards.
    marker = f"COURSE_NOTEBOOK_RUN={uuid.uuid4().hex}"
    os.environ["COURSE_NOTEBOOK_RUN"] = marker.split("=", 1)[1]
    started = time.monotonic()
    report: dict = {"notebook": str(path), "ok": True, "problems": [], "cell_seconds": []}
    try:
        async with client.async_setup_kernel():
            wrapper_pid = client.km.provisioner.pid if client.km.provisioner else None
            try:
                for index, cell in enumerate(nb.cells):
                    cell_started = time.monotonic()
                    # The kernel numbers the cells it runs (In [n] and Out[n] agree, 1, 2, 3...)
                    await client.async_execute_cell(cell, index)
                    if cell.cell_type == "code" and cell.source.strip():
                        report["cell_seconds"].append(round(time.monotonic() - cell_started, 5))
            except CellExecutionError as error:
                report["ok"] = False
                failing = next(
                    (i for i, c in enumerate(nb.cells) if cell_error_text(c)), None
                )
                report["problems"].append(
                    f"cell {failing if failing is not None else '?'} failed: "
                    + (cell_error_text(nb.cells[failing]) if failing is not None else str(error).splitlines()[0])
                )
                report["failing_cell"] = failing
                if failing is not None:
                    report["failing_source"] = nb.cells[failing].source
            await client.watch_after_last_cell(30)
            if client.late_outputs:
                report["ok"] = False
                report["problems"].append(
                    f"{len(client.late_outputs)} output(s) arrived after their cell had finished, in "
                    f"cell(s) {sorted(client.cells_with_late_output)}: the kernel's output race "
                    "(docs/notebook-output-race.md)"
                )
            kernel_pid = deno_kernel(wrapper_pid) if wrapper_pid else None
            if kernel_pid:
                extra_ports = listening_ports_of(kernel_pid) - connection_ports(kernel_pid)
                if extra_ports:
                    report["ok"] = False
                    report["problems"].append(
                        f"the kernel still listens on port(s) {sorted(extra_ports)} after the last cell"
                    )
                children = descendants(kernel_pid)
                if children:
                    report["ok"] = False
                    report["problems"].append(
                        "the kernel still has child processes after the last cell: "
                        + "; ".join(f"{pid} {cmd[:80]}" for pid, cmd in children)
                    )
    except Exception as error:  # kernel died, timeout, ...
        report["ok"] = False
        report["problems"].append(f"{type(error).__name__}: {error}")
    report["seconds"] = round(time.monotonic() - started, 2)
    # After shutdown: no process the kernel started may be left on the machine.
    deadline = time.monotonic() + 5
    while True:
        new_procs = marked_processes(marker)
        if not new_procs or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)  # the kernel process takes a moment to exit
    if new_procs:
        report["ok"] = False
        report["problems"].append(
            "processes left after shutdown: " + "; ".join(f"{p} {c[:80]}" for p, c in new_procs.items())
        )
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    report["code_cells"] = len(code_cells)
    report["cells_without_output"] = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip() and not c.get("outputs")
    ]
    report["late_outputs"] = client.late_outputs
    report["cells_with_late_output"] = sorted(client.cells_with_late_output)
    if args.write_executed:
        out = Path(args.write_executed) / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        report["executed_copy"] = str(out)
    return report


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--cell-timeout", type=int, default=120)
    parser.add_argument("--kernel", default="deno", help="kernelspec name (default: the course's)")
    parser.add_argument("--write-executed", help="folder for executed copies (never notebooks/)")
    args = parser.parse_args()
    reports = []
    for name in args.notebooks:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        reports.append(await run_one(Path(name).resolve(), args))
    print(json.dumps(reports, indent=1))
    return 0 if all(r["ok"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
