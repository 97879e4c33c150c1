"""Drive one real kernel, cell by cell, for tests: JSON requests on stdin, one JSON answer
per line on stdout. Started by tests/kernel_session.ts.

Requests:
  {"run": "<code>"}     -> {"status": "ok"|"error", "text": [text/plain outputs], "error": "..."}
  {"listening": <pid>}  -> {"ports": [TCP ports that process listens on]}
  {"shutdown": true}    -> {"exited": true} once the kernel has shut down (as a frontend asks)
After each cell a kernel_info request is sent and iopub read until its idle, so outputs the
kernel sends after the cell's idle are still collected (docs/notebook-output-race.md).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from jupyter_client.manager import KernelManager


def listening_ports(pid: int) -> list[int]:
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    ports = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            ports.add(inodes[target[8:-1]])
    return sorted(ports)


def run(kc, code: str) -> dict:
    msg_id = kc.execute(code, store_history=True)
    reply = kc.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=120)
    barrier = kc.kernel_info()
    text, error = [], ""
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        parent = msg["parent_header"].get("msg_id")
        kind, content = msg["msg_type"], msg["content"]
        if parent == barrier and kind == "status" and content["execution_state"] == "idle":
            break
        if parent != msg_id:
            continue
        if kind in ("execute_result", "display_data") and "text/plain" in content["data"]:
            text.append(content["data"]["text/plain"])
        elif kind == "stream":
            text.append(content["text"])
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
    return {"status": reply["content"]["status"], "text": text, "error": error}


def main() -> None:
    cwd = sys.argv[1]
    km = KernelManager(kernel_name="deno")
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            if "run" in request:
                answer = run(kc, request["run"])
            elif "listening" in request:
                answer = {"ports": listening_ports(int(request["listening"]))}
            elif "shutdown" in request:
                kc.stop_channels()
                km.shutdown_kernel(now=False)
                answer = {"exited": not km.is_alive()}
                print(json.dumps(answer), flush=True)
                return
            else:
                answer = {"problem": f"unknown request {line.strip()}"}
            print(json.dumps(answer), flush=True)
    finally:
        if km.has_kernel:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
