"""The course's Jupyter kernel: a thin wrapper between the frontend and `deno jupyter`.

Why it exists (docs/notebook-output-race.md has the measurements and the upstream report):

* Outputs under the wrong cell, or lost. Deno's kernel (2.9) runs cell code on one thread and
  speaks Jupyter on another. Outputs travel through a queue that a separate loop drains, and
  that loop stamps each output with the parent header of the request the kernel is handling
  *when the output leaves the queue*. The kernel sends a cell's execute_reply and idle as
  soon as the code has run, without waiting for the queue. So an output can arrive after its
  cell's idle (nbclient and a learner pressing Shift+Enter lose it) or carry the next cell's
  parent header (JupyterLab's Run All draws it under the next cell).
* Interrupt kills the kernel. Frontends interrupt with SIGINT by default, which ends the Deno
  process and all the notebook's state.

What this wrapper does, for every frontend (JupyterLab, Notebook 7, VS Code, nbclient):

* It is the kernel the frontend talks to, and starts `deno jupyter` privately (its own ports,
  its own HMAC key, its own process group). Every message crossing is checked against one
  key and signed again with the other.
* Requests on the shell channel are handled one at a time, in order: Deno sees one execute
  request at a time.
* After a cell's code has run, a barrier: a silent request whose only effect is a marker
  message sent through the *same* output queue as the cell's outputs. When the marker
  arrives, every output of the cell has arrived. Only then does the frontend get the
  cell's execute_reply and idle. Every output in between is given the cell's parent header.
  An error output (which Deno sends directly, ahead of the queue) is held back to its true
  place after the cell's other outputs.
* Kernel -> Interrupt (interrupt_request, or SIGINT): queued cells are cancelled with a
  message in each; the running cell is asked to stop, first through the course's own waits
  (lib/net/interrupt.ts listens for COURSE_KERNEL_INTERRUPT_SIGNAL), then through Deno's own
  interrupt (stops running code, not a pending await); if it still runs, Deno is restarted
  and the cell says so, and which cell to run to carry on. A Deno that stops by itself is
  restarted too, and the next cell says so.
* With `stop_on_error` (Run All sets it), cells queued behind a failing cell are not run,
  as the Jupyter protocol asks; each says why.
* Everything else (completion, inspection, stdin prompts, comms, kernel_info, heartbeat,
  shutdown and restart) is passed through.

Usage (the kernelspec that tools/venv.ts writes):

    python course_kernel.py --deno /path/to/deno {connection_file}
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import zmq
import zmq.asyncio

DELIMITER = b"<IDS|MSG>"
PROTOCOL_VERSION = "5.3"
BARRIER_TYPE = "course_kernel_barrier"
# The course's library stops its own waits when the Deno process gets this signal. Its default
# action is to do nothing, so a Deno that never loaded the library is not harmed by it.
INTERRUPT_SIGNAL = "SIGWINCH"
# How long each gentler way of stopping a cell gets before the next is tried.
STOP_GRACE_SECONDS = 2.0
# A barrier normally takes milliseconds; past this, something is wrong with Deno.
BARRIER_TIMEOUT_SECONDS = 30.0


def log(*parts: object) -> None:
    print("[course kernel]", *parts, file=sys.stderr, flush=True)


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class Msg:
    """One Jupyter message, its four signed parts kept as the bytes they arrived as, so a
    message passed through unchanged is passed byte for byte."""

    idents: list[bytes]
    header: bytes
    parent: bytes
    metadata: bytes
    content: bytes
    buffers: list[bytes] = field(default_factory=list)

    @property
    def head(self) -> dict:
        return json.loads(self.header)

    @property
    def msg_id(self) -> str:
        return self.head.get("msg_id", "")

    @property
    def msg_type(self) -> str:
        return self.head.get("msg_type", "")

    @property
    def parent_id(self) -> str:
        return json.loads(self.parent).get("msg_id", "")

    @property
    def body(self) -> dict:
        return json.loads(self.content)


class Wire:
    """Jupyter's wire format for one HMAC key: check signatures of incoming messages, sign
    outgoing ones (https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol)."""

    def __init__(self, key: bytes, session: str, scheme: str = "hmac-sha256"):
        self.key = key
        self.session = session
        self.digest = getattr(hashlib, scheme.removeprefix("hmac-"))

    def sign(self, parts: list[bytes]) -> bytes:
        if not self.key:
            return b""
        mac = hmac.new(self.key, digestmod=self.digest)
        for part in parts:
            mac.update(part)
        return mac.hexdigest().encode()

    def unpack(self, frames: list[bytes]) -> Msg | None:
        """The message, or None (and a log line) when it is malformed or wrongly signed."""
        try:
            at = frames.index(DELIMITER)
            signature, header, parent, metadata, content = frames[at + 1 : at + 6]
        except ValueError:
            log("dropped a message without a delimiter")
            return None
        if not hmac.compare_digest(signature, self.sign([header, parent, metadata, content])):
            log("dropped a message with a bad signature")
            return None
        return Msg(frames[:at], header, parent, metadata, content, frames[at + 6 :])

    def pack(self, msg: Msg, idents: list[bytes] | None = None) -> list[bytes]:
        parts = [msg.header, msg.parent, msg.metadata, msg.content]
        return [*(msg.idents if idents is None else idents), DELIMITER, self.sign(parts), *parts, *msg.buffers]

    def new(self, msg_type: str, content: dict, parent: bytes = b"{}", idents: list[bytes] | None = None) -> Msg:
        header = {
            "msg_id": uuid.uuid4().hex,
            "session": self.session,
            "username": "kernel",
            "date": now(),
            "msg_type": msg_type,
            "version": PROTOCOL_VERSION,
        }
        return Msg(idents or [], json.dumps(header).encode(), parent, b"{}", json.dumps(content).encode())


def free_ports(count: int) -> list[int]:
    """Ports the system hands out now (Deno binds them a moment later, as jupyter_client does)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def die_with_parent() -> None:
    """In the Deno child, before exec: on Linux, get SIGKILL when the wrapper dies, however it
    dies, so no kernel is left running without its wrapper."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


async def quietly(work) -> None:
    """Run a socket loop until its socket is closed (when its Deno is stopped)."""
    with contextlib.suppress(zmq.ZMQError, asyncio.CancelledError):
        await work


def course_temp_folder(pid: int) -> str:
    """The folder lib/lifetime/temp_dirs.ts gives Deno process `pid` for the chapters'
    temporary Maildirs. Deno's kernel exits on a shutdown request without running any
    JavaScript, so the wrapper removes it once that process has ended."""
    root = os.environ.get("COURSE_TEMP_ROOT") or os.path.join(
        tempfile.gettempdir(), f"email-course-{os.getuid()}"
    )
    return os.path.join(root, f"kernel-{pid}")


class DenoGone(Exception):
    """The Deno kernel process ended (crashed, or was stopped to restart it)."""


class Deno:
    """One `deno jupyter` process and the wrapper's sockets to it."""

    def __init__(self, deno: str, ctx: zmq.asyncio.Context):
        self.deno = deno
        self.ctx = ctx
        self.wire = Wire(uuid.uuid4().hex.encode(), uuid.uuid4().hex)
        self.folder = tempfile.mkdtemp(prefix="course_kernel_")
        self.process: asyncio.subprocess.Process | None = None
        self.exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.kernel_info: Msg | None = None
        self.stopping = False  # the wrapper stops it: its end is no surprise
        self.told = False  # a cell has told the learner that it ended

    async def start(self) -> None:
        shell, iopub, stdin, control, hb = free_ports(5)
        connection = {
            "ip": "127.0.0.1",
            "transport": "tcp",
            "shell_port": shell,
            "iopub_port": iopub,
            "stdin_port": stdin,
            "control_port": control,
            "hb_port": hb,
            "key": self.wire.key.decode(),
            "signature_scheme": "hmac-sha256",
        }
        path = os.path.join(self.folder, "deno-kernel.json")
        with open(path, "w") as f:
            json.dump(connection, f)
        env = {**os.environ, "NO_COLOR": "1", "COURSE_KERNEL_INTERRUPT_SIGNAL": INTERRUPT_SIGNAL}
        self.process = await asyncio.create_subprocess_exec(
            self.deno, "jupyter", "-q", "--kernel", "--conn", path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            # Its own process group: a SIGINT sent to the wrapper's group (interrupt_mode
            # "signal") must reach the wrapper only, not kill Deno.
            process_group=0,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )
        asyncio.get_running_loop().create_task(self._watch())

        def connect(kind: int, port: int) -> zmq.asyncio.Socket:
            sock = self.ctx.socket(kind)
            sock.linger = 0
            if kind == zmq.SUB:
                sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(f"tcp://127.0.0.1:{port}")
            return sock

        self.shell = connect(zmq.DEALER, shell)
        self.control = connect(zmq.DEALER, control)
        self.stdin = connect(zmq.DEALER, stdin)
        self.iopub = connect(zmq.SUB, iopub)

    async def _watch(self) -> None:
        assert self.process
        code = await self.process.wait()
        # However it ended (shutdown, restart, crash), its temp folders go with it.
        shutil.rmtree(course_temp_folder(self.process.pid), ignore_errors=True)
        if not self.stopping:
            log(f"the Deno kernel exited with {code}")
        if not self.exited.done():
            self.exited.set_result(code)

    def send(self, sock: zmq.asyncio.Socket, msg: Msg) -> None:
        sock.send_multipart(self.wire.pack(msg, []))

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, AttributeError):
            self.process.send_signal(signum)  # type: ignore[union-attr]

    async def stop(self, request: Msg | None = None) -> None:
        """Ask Deno to shut down (when given the shutdown request), then make sure it does:
        SIGTERM, then SIGKILL, to its process group."""
        self.stopping = True
        if request is not None and not self.exited.done():
            self.send(self.control, request)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), 2)
        for signum, wait in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 5.0)):
            if self.exited.done() or self.process is None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), wait)
        for sock in (self.shell, self.control, self.stdin, self.iopub):
            sock.close(linger=0)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Cell:
    """An execute request from the frontend while the wrapper handles it."""

    request: Msg
    reply: asyncio.Future  # Deno's execute_reply
    held_errors: list[Msg] = field(default_factory=list)
    interrupted: bool = False


class CourseKernel:
    def __init__(self, connection: dict, deno_path: str):
        self.connection = connection
        self.deno_path = deno_path
        self.ctx = zmq.asyncio.Context()
        self.front = Wire(
            connection["key"].encode(), uuid.uuid4().hex, connection.get("signature_scheme", "hmac-sha256")
        )
        self.pending: collections.deque[Msg] = collections.deque()
        self.wakeup = asyncio.Event()
        self.deno: Deno | None = None
        self.deno_lock = asyncio.Lock()
        # Deno-side request id -> the frontend request whose outputs these are.
        self.owner: dict[str, Msg] = {}
        # Deno-side request id -> future of its reply on shell / its idle status on iopub.
        self.replies: dict[str, asyncio.Future] = {}
        self.idles: dict[str, asyncio.Future] = {}
        self.barriers: dict[str, asyncio.Future] = {}
        self.control_waiters: dict[str, list[bytes]] = {}
        self.cell: Cell | None = None
        self.input_pending = False
        self.notice: str | None = None  # told to the next cell, after Deno stopped by itself
        self.first_code: str | None = None  # the first cell run in this kernel, to name it
        self.done = asyncio.Event()
        self.closing = False  # shutting down: Deno ending is expected, not news for a cell

    # ---- sockets to the frontend -------------------------------------------------------

    def bind(self) -> None:
        c = self.connection
        url = f"{c.get('transport', 'tcp')}://{c['ip']}:"

        def bind(kind: int, port: int) -> zmq.asyncio.Socket:
            sock = self.ctx.socket(kind)
            sock.linger = 1000
            if kind == zmq.ROUTER:
                sock.router_handover = 1  # a reconnecting frontend takes its identity back
            sock.bind(url + str(port))
            return sock

        self.shell = bind(zmq.ROUTER, c["shell_port"])
        self.control = bind(zmq.ROUTER, c["control_port"])
        self.stdin = bind(zmq.ROUTER, c["stdin_port"])
        self.iopub = bind(zmq.PUB, c["iopub_port"])
        self.hb = bind(zmq.REP, c["hb_port"])

    def publish(self, msg: Msg) -> None:
        self.iopub.send_multipart(self.front.pack(msg, []))

    def status(self, state: str, parent: Msg) -> None:
        self.publish(self.front.new("status", {"execution_state": state}, parent.header))

    def stream(self, text: str, parent: Msg) -> None:
        self.publish(self.front.new("stream", {"name": "stderr", "text": text}, parent.header))

    def reply(self, request: Msg, msg_type: str, content: dict, sock: zmq.asyncio.Socket | None = None) -> None:
        msg = self.front.new(msg_type, content, request.header, request.idents)
        (sock or self.shell).send_multipart(self.front.pack(msg))

    # ---- the Deno kernel behind ----------------------------------------------------------

    async def ensure_deno(self) -> Deno:
        """The running Deno kernel, started (again) if there is none."""
        async with self.deno_lock:
            if self.deno and not self.deno.exited.done():
                return self.deno
            if self.deno:
                if not (self.deno.stopping or self.deno.told):
                    code = self.deno.exited.result()
                    self.notice = (
                        f"The Deno kernel had stopped (exit code {code}) and was started again. "
                        + self.how_to_go_on() + "\n"
                    )
                await self.deno.stop()
            for attempt in range(3):
                deno = Deno(self.deno_path, self.ctx)
                await deno.start()
                self.deno = deno
                for pump in (self.pump_iopub, self.pump_shell, self.pump_deno_stdin, self.pump_deno_control):
                    asyncio.get_running_loop().create_task(quietly(pump(deno)))
                try:
                    deno.kernel_info = await self.wait_ready(deno)
                    return deno
                except DenoGone:  # e.g. another program took one of its ports first
                    log(f"the Deno kernel ended while starting (attempt {attempt + 1})")
                    await deno.stop()
            raise RuntimeError("the Deno kernel did not start")

    async def wait_ready(self, deno: Deno) -> Msg:
        """Ask kernel_info until a reply *and* its status on iopub arrive: then the iopub
        subscription is live, and no output of the first cell can be missed."""
        for _ in range(300):
            request = deno.wire.new("kernel_info_request", {})
            reply = self.expect_reply(request.msg_id)
            idle = self.expect_idle(request.msg_id)
            deno.send(deno.shell, request)
            try:
                answer = await self.wait(deno, reply, 0.5)
                await self.wait(deno, idle, 0.5)
                return answer
            except asyncio.TimeoutError:
                continue
            finally:
                self.forget(request.msg_id)
        raise RuntimeError("the Deno kernel did not answer kernel_info within 150 s")

    def expect_reply(self, msg_id: str) -> asyncio.Future:
        self.replies[msg_id] = asyncio.get_running_loop().create_future()
        return self.replies[msg_id]

    def expect_idle(self, msg_id: str) -> asyncio.Future:
        self.idles[msg_id] = asyncio.get_running_loop().create_future()
        return self.idles[msg_id]

    def forget(self, msg_id: str) -> None:
        self.replies.pop(msg_id, None)
        self.idles.pop(msg_id, None)

    async def wait(self, deno: Deno, future: asyncio.Future, timeout: float | None = None):
        """The future's result, unless Deno ends first (DenoGone) or time runs out."""
        done, _ = await asyncio.wait({future, deno.exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if future in done:
            return future.result()
        if deno.exited in done:
            raise DenoGone()
        raise asyncio.TimeoutError()

    async def pump_iopub(self, deno: Deno) -> None:
        """Deno's outputs to the frontend, each under the cell that produced it."""
        while not deno.exited.done():
            msg = deno.wire.unpack(await deno.iopub.recv_multipart())
            if msg is None:
                continue
            kind, parent_id = msg.msg_type, msg.parent_id
            if kind == "status":
                if msg.body.get("execution_state") == "idle" and parent_id in self.idles:
                    self.idles[parent_id].done() or self.idles[parent_id].set_result(None)
                continue  # the wrapper tells the frontend its own busy and idle
            if kind == BARRIER_TYPE:
                waiter = self.barriers.get(msg.body.get("token", ""))
                if waiter and not waiter.done():
                    waiter.set_result(None)
                continue
            owner = self.owner.get(parent_id)
            if owner is None:  # no request of ours: output from before the first cell
                self.publish(msg)
                continue
            if kind == "execute_input" and parent_id != owner.msg_id:
                continue  # the barrier's own input
            cell = self.cell
            if kind == "error" and cell is not None and cell.request is owner:
                cell.held_errors.append(msg)  # after the cell's queued outputs, where it belongs
                continue
            msg.parent = owner.header
            self.publish(msg)

    async def pump_shell(self, deno: Deno) -> None:
        while not deno.exited.done():
            msg = deno.wire.unpack(await deno.shell.recv_multipart())
            if msg is None:
                continue
            waiter = self.replies.get(msg.parent_id)
            if waiter and not waiter.done():
                waiter.set_result(msg)
            elif msg.parent_id in self.owner:  # e.g. Deno answers comm_open with comm_close
                owner = self.owner[msg.parent_id]
                msg.parent = owner.header
                self.shell.send_multipart(self.front.pack(msg, owner.idents))

    async def pump_deno_stdin(self, deno: Deno) -> None:
        """Deno's input requests (prompt(), confirm()) to the frontend that ran the cell."""
        while not deno.exited.done():
            msg = deno.wire.unpack(await deno.stdin.recv_multipart())
            if msg is None:
                continue
            if self.cell is None:  # a prompt from code running in the background: no one to ask
                deno.send(deno.stdin, deno.wire.new("input_reply", {"status": "ok", "value": None}))
                continue
            self.input_pending = True
            msg.parent = self.cell.request.header
            self.stdin.send_multipart(self.front.pack(msg, self.cell.request.idents))

    async def pump_deno_control(self, deno: Deno) -> None:
        while not deno.exited.done():
            msg = deno.wire.unpack(await deno.control.recv_multipart())
            if msg and msg.parent_id in self.control_waiters:
                self.control.send_multipart(self.front.pack(msg, self.control_waiters.pop(msg.parent_id)))

    # ---- the frontend's requests -----------------------------------------------------------

    async def read_shell(self) -> None:
        while True:
            msg = self.front.unpack(await self.shell.recv_multipart())
            if msg is not None:
                self.pending.append(msg)
                self.wakeup.set()

    async def work(self) -> None:
        """Handle shell requests one at a time, in the order they came."""
        while True:
            while not self.pending:
                self.wakeup.clear()
                await self.wakeup.wait()
            request = self.pending.popleft()
            try:
                if request.msg_type == "execute_request":
                    await self.execute(request)
                else:
                    await self.pass_through(request)
            except Exception as error:  # keep serving whatever happened to one request
                log(f"{request.msg_type} failed: {type(error).__name__}: {error}")

    async def pass_through(self, request: Msg) -> None:
        """A shell request other than execute: to Deno and its answer back, busy/idle around it."""
        self.status("busy", request)
        try:
            deno = await self.ensure_deno()
            self.owner[request.msg_id] = request
            idle = self.expect_idle(request.msg_id)
            reply = self.expect_reply(request.msg_id) if request.msg_type.endswith("_request") else None
            deno.send(deno.shell, request)
            if reply is not None:
                answer: Msg = await self.wait(deno, reply, 60)
                self.shell.send_multipart(self.front.pack(answer, request.idents))
            await self.wait(deno, idle, 60)
        except (DenoGone, asyncio.TimeoutError):
            if request.msg_type.endswith("_request"):
                reply_type = request.msg_type.replace("_request", "_reply")
                self.reply(request, reply_type, {"status": "error", "ename": "KernelUnavailable", "evalue": "The Deno kernel did not answer.", "traceback": []})
        finally:
            self.forget(request.msg_id)
            self.owner.pop(request.msg_id, None)
            self.status("idle", request)

    async def execute(self, request: Msg) -> None:
        content = request.body
        self.status("busy", request)
        if self.notice:
            self.stream(self.notice, request)
            self.notice = None
        try:
            deno = await self.ensure_deno()
        except Exception as error:
            self.reply(request, "execute_reply", {"status": "error", "ename": "KernelUnavailable", "evalue": str(error), "traceback": [], "execution_count": None})
            self.status("idle", request)
            return
        if self.first_code is None and content.get("code", "").strip() and not content.get("silent"):
            self.first_code = content["code"].strip()
        cell = Cell(request, self.expect_reply(request.msg_id))
        self.cell = cell
        self.owner[request.msg_id] = request
        answer: Msg | None = None
        try:
            deno.send(deno.shell, request)
            answer = await self.wait(deno, cell.reply)
            await self.barrier(deno, request)
        except DenoGone:
            answer = None
        finally:
            self.forget(request.msg_id)
            self.input_pending = False
        for error in cell.held_errors:
            error.parent = request.header
            self.publish(error)
        if answer is not None and cell.interrupted and not cell.held_errors and answer.body.get("status") != "ok":
            # Deno's interrupt stops running code without saying so in the cell.
            what = "Interrupted: Kernel -> Interrupt stopped this cell. What the notebook defined before it is kept."
            self.publish(self.front.new("error", {"ename": "Interrupted", "evalue": what, "traceback": [what]}, request.header))
        if answer is None and not self.closing:
            deno.told = True
            self.kernel_restarted(cell, deno)
            self.reply(request, "execute_reply", {"status": "error", "ename": "KernelRestarted", "evalue": "", "traceback": [], "execution_count": None})
        else:
            self.shell.send_multipart(self.front.pack(answer, request.idents))
        self.cell = None
        self.owner.pop(request.msg_id, None)
        self.status("idle", request)
        failed = answer is None or answer.body.get("status") != "ok"
        if failed and content.get("stop_on_error", True):
            number = None if answer is None else answer.body.get("execution_count")
            where = f"[{number}]" if number else "above"
            self.cancel_queued(f"Not run: the cell {where} failed, so the cells queued after it were stopped.\n")

    async def barrier(self, deno: Deno, request: Msg) -> None:
        """Wait until every output of `request` has arrived: a marker sent through Deno's
        output queue after the cell's own outputs comes out after them."""
        token = uuid.uuid4().hex
        probe = deno.wire.new(
            "execute_request",
            {
                "code": f'Deno.jupyter.broadcast("{BARRIER_TYPE}", {{ token: "{token}" }})',
                "silent": True,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": False,
            },
        )
        self.owner[probe.msg_id] = request  # late outputs carry the probe's parent header
        marker = self.barriers[token] = asyncio.get_running_loop().create_future()
        reply = self.expect_reply(probe.msg_id)
        idle = self.expect_idle(probe.msg_id)
        try:
            deno.send(deno.shell, probe)
            await self.wait(deno, reply, BARRIER_TIMEOUT_SECONDS)
            await self.wait(deno, idle, BARRIER_TIMEOUT_SECONDS)
            await self.wait(deno, marker, BARRIER_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            log("a barrier went unanswered; outputs of the last cell may arrive late")
        finally:
            self.barriers.pop(token, None)
            self.forget(probe.msg_id)
            # Keep probe -> cell: output the cell's code sends in the background while no other
            # cell runs carries the probe's header, and belongs under this cell.
            self.owner = {k: v for k, v in self.owner.items() if v is request or k == request.msg_id}

    def cancel_queued(self, why: str) -> None:
        """Answer every queued execute request without running it, saying why in the cell."""
        keep: collections.deque[Msg] = collections.deque()
        while self.pending:
            request = self.pending.popleft()
            if request.msg_type != "execute_request":
                keep.append(request)
                continue
            self.status("busy", request)
            self.stream(why, request)
            self.reply(request, "execute_reply", {"status": "aborted", "execution_count": None})
            self.status("idle", request)
        self.pending = keep
        if self.cell is not None:  # the cell still running keeps the kernel busy
            self.status("busy", self.cell.request)

    def kernel_restarted(self, cell: Cell, deno: Deno) -> None:
        """Tell the learner, in the cell, that the kernel's state is gone and how to go on."""
        if cell.interrupted:
            what = "Interrupted: this cell did not stop, so the Deno kernel was restarted."
        else:
            code = deno.exited.result() if deno.exited.done() else "?"
            what = f"The Deno kernel stopped while this cell ran (exit code {code}) and was started again."
        self.publish(
            self.front.new(
                "error",
                {"ename": "KernelRestarted", "evalue": what, "traceback": [what, self.how_to_go_on()]},
                cell.request.header,
            )
        )

    def how_to_go_on(self) -> str:
        first = (self.first_code or "").splitlines()[0][:70] if self.first_code else ""
        named = f" (the first cell run, which begins `{first}`)" if first else ""
        return (
            "Everything the notebook had defined is gone. To carry on, run the notebook's first "
            f"code cell again{named}, then the cells you need up to here."
        )

    # ---- control: interrupt, shutdown ------------------------------------------------------

    async def read_control(self) -> None:
        while True:
            msg = self.front.unpack(await self.control.recv_multipart())
            if msg is None:
                continue
            kind = msg.msg_type
            if kind == "interrupt_request":
                self.reply(msg, "interrupt_reply", {"status": "ok"}, self.control)
                asyncio.get_running_loop().create_task(self.interrupt())
            elif kind == "shutdown_request":
                await self.shutdown(msg)
                return
            elif kind == "kernel_info_request" and self.deno and self.deno.kernel_info:
                info = self.deno.kernel_info.body
                self.reply(msg, "kernel_info_reply", info, self.control)
            elif self.deno and not self.deno.exited.done():
                self.control_waiters[msg.msg_id] = msg.idents
                self.deno.send(self.deno.control, msg)

    async def interrupt(self) -> None:
        """Kernel -> Interrupt: cancel what is queued, then stop the running cell, as gently as
        works: the course's own waits, Deno's interrupt (running code), a restart of Deno."""
        self.cancel_queued("Not run: Kernel -> Interrupt stopped the cells queued after the one running.\n")
        cell, deno = self.cell, self.deno
        if cell is None or deno is None or cell.reply.done():
            return
        cell.interrupted = True
        if self.input_pending:  # a prompt() waiting for the learner: answer it with nothing
            deno.send(deno.stdin, deno.wire.new("input_reply", {"status": "ok", "value": None}))
        deno.signal(getattr(signal, INTERRUPT_SIGNAL))
        for attempt in ("course waits", "deno interrupt"):
            with contextlib.suppress(asyncio.TimeoutError, DenoGone):
                await self.wait(deno, asyncio.shield(cell.reply), STOP_GRACE_SECONDS)
            if cell.reply.done() or deno.exited.done():
                return
            if attempt == "course waits":
                deno.send(deno.control, deno.wire.new("interrupt_request", {}))
        log("the interrupted cell did not stop: restarting the Deno kernel")
        async with self.deno_lock:
            await deno.stop()  # the cell's execute() sees Deno gone and says so in the cell
        await self.ensure_deno()  # ready for the next cell at once

    async def shutdown(self, request: Msg) -> None:
        content = request.body
        self.closing = True
        if self.deno:
            forwarded = self.deno.wire.new("shutdown_request", {"restart": bool(content.get("restart"))})
            await self.deno.stop(forwarded)
        self.reply(request, "shutdown_reply", {"status": "ok", "restart": bool(content.get("restart"))}, self.control)
        await asyncio.sleep(0.1)  # let the reply leave before the sockets close
        self.done.set()

    async def heartbeat(self) -> None:
        while True:
            self.hb.send_multipart(await self.hb.recv_multipart())

    async def read_frontend_stdin(self) -> None:
        """The learner's answers to prompts, to Deno."""
        while True:
            msg = self.front.unpack(await self.stdin.recv_multipart())
            if msg is None or self.deno is None:
                continue
            self.input_pending = False
            self.deno.send(self.deno.stdin, msg)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self.bind()
        loop.add_signal_handler(signal.SIGINT, lambda: loop.create_task(self.interrupt()))
        loop.add_signal_handler(signal.SIGTERM, self.done.set)
        await self.ensure_deno()
        tasks = [
            loop.create_task(t())
            for t in (self.read_shell, self.work, self.read_control, self.heartbeat, self.read_frontend_stdin)
        ]
        await self.done.wait()
        for task in tasks:
            task.cancel()
        if self.deno:
            await self.deno.stop()
        self.ctx.destroy(linger=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deno", default=shutil.which("deno") or "deno", help="the deno executable")
    parser.add_argument("connection_file")
    args = parser.parse_args()
    with open(args.connection_file) as f:
        connection = json.load(f)
    asyncio.run(CourseKernel(connection, args.deno).run())


if __name__ == "__main__":
    main()
