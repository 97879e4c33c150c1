"""Drives the course's kernel (the registered `deno` kernelspec) through jupyter_client the
way frontends do, and prints one JSON object of what it saw, for tests/course_kernel_test.ts."""

import json
import os
import queue
import time

from jupyter_client.manager import start_new_kernel


def main() -> None:
    km, kc = start_new_kernel(kernel_name="deno")
    seen: dict = {}

    def run(code: str, answer: str | None = None, interrupt_after: float | None = None) -> dict:
        msg_id = kc.execute(code, allow_stdin=answer is not None)
        started, outputs, interrupted = time.monotonic(), [], False
        while True:
            if interrupt_after is not None and not interrupted and time.monotonic() - started > interrupt_after:
                km.interrupt_kernel()
                interrupted = True
            if answer is not None:
                try:
                    request = kc.stdin_channel.get_msg(timeout=0.02)
                    outputs.append(["input_request", request["content"]["prompt"]])
                    kc.input(answer)
                except queue.Empty:
                    pass
            try:
                msg = kc.iopub_channel.get_msg(timeout=0.05)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "stream":
                outputs.append([kind, content["text"]])
            elif kind in ("execute_result", "display_data"):
                outputs.append([kind, content["data"]["text/plain"]])
            elif kind == "error":
                outputs.append([kind, "\n".join(content["traceback"]) or content["evalue"]])
        while True:
            reply = kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return {"status": reply["content"]["status"], "outputs": outputs, "seconds": time.monotonic() - started}

    def answer_to(msg_id: str) -> dict:
        while True:
            reply = kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    try:
        seen["kernel_info"] = kc.kernel_info(reply=True, timeout=10)["content"]["implementation"]
        seen["define"] = run("const kept = 41")
        seen["order"] = run('console.log("first"); throw new Error("then this")')
        seen["prompt"] = run('prompt("name?")', answer="Ada")
        seen["complete"] = kc.complete("kep", 3, reply=True, timeout=10)["content"]["matches"]
        seen["inspect"] = kc.inspect("kept", 4, reply=True, timeout=10)["content"]["status"]
        seen["is_complete"] = answer_to(kc.is_complete("if (x) {"))["content"]["status"]
        seen["comm_info"] = kc.comm_info(reply=True, timeout=10)["content"]["status"]
        seen["busy_loop"] = run("while (true) {}", interrupt_after=1)
        seen["after_busy_loop"] = run("kept + 1")
        seen["pending_promise"] = run("await new Promise(() => {})", interrupt_after=1)
        seen["after_restart"] = run("typeof kept")
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=60)
        seen["after_frontend_restart"] = run("1 + 1")
        wrapper = km.provisioner.pid
    finally:
        kc.stop_channels()
        km.shutdown_kernel()
    seen["wrapper_gone"] = not os.path.exists(f"/proc/{wrapper}")
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
