"""A render worker for one content environment: `python -m rsconnect_jupyter.localconnect.render_worker --python PY`.

The server (renderers.py) keeps one per environment. It imports nbconvert once and keeps one
kernel of the environment started ahead, so a render skips both start-ups. A kernel runs one
notebook and is killed; taking the spare one starts the next at once.

Content variables cannot be in a kernel started before the deploy is known, so the worker sets
them (and the working directory, the bundle folder) in the kernel with a silent execution before
the first cell. (Not a spare kernel per content and variable values: each deploy's bundle folder
is new, so the working directory has to be set in the kernel anyway, and one spare per environment
serves every content, first deploys included.) Variables read only when a process starts
(PYTHON*, LD_*, LC_*...) get a kernel launched with them instead (see render.needs_fresh_kernel).

Protocol, one JSON object a line. Requests on stdin: {"id", "notebook", "output", "cwd", "env",
"timeout", "hide_all_input", "hide_tagged_input"}; renders run concurrently, each on its own
kernel. Answers on stdout: {"id", "log": line}..., then {"id", "status": 0 or 1, "error": text}.
When stdin closes (the server stopped or died) every kernel is killed and the worker exits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, TextIO, TypedDict

if TYPE_CHECKING:
    from .render import Kernel


class RenderRequest(TypedDict):
    """What the server asks a worker to render (the protocol above, less the id)."""

    notebook: str  # path of the .ipynb in the extracted bundle
    output: str  # path of the HTML to write
    cwd: str
    timeout: float  # seconds a cell may run
    hide_all_input: bool
    hide_tagged_input: bool
    env: dict[str, str]  # the content's variables


class WorkerRequest(RenderRequest):
    id: int


class RenderAnswer(TypedDict, total=False):
    """One line of a worker's answers: {"id", "log"} while it runs, then {"id", "status", "error"}."""

    id: int
    log: str
    status: int  # 0: the HTML is written
    error: str


class Kernels:
    """The kernels of this worker: one spare started ahead, and those running notebooks."""

    def __init__(self, runtime_dir: str) -> None:
        self.runtime_dir = runtime_dir
        self._lock = threading.Lock()
        self._all: set[Kernel] = set()
        self._closing = False
        self._spare: Future[Kernel] | None = None

    def start_spare(self) -> None:
        with self._lock:
            self._spare = self._start_in_background()

    def take(self) -> Kernel:
        """The spare kernel (waiting for it if it is still starting); the next spare starts now."""
        with self._lock:
            spare, self._spare = self._spare, self._start_in_background()
        if spare is None:
            spare = self._start_in_background()
        return spare.result()

    def fresh(self, env: Mapping[str, str]) -> Kernel:
        """A kernel launched with `env` (variables that matter at process start)."""
        return self._start(env)

    def discard(self, kernel: Kernel) -> None:
        """Kill a used kernel, in the background: the render need not wait for it."""

        def kill() -> None:
            kernel.kill()
            with self._lock:
                self._all.discard(kernel)

        threading.Thread(target=kill, daemon=True).start()

    def kill_all(self) -> None:
        with self._lock:
            self._closing = True
            kernels = list(self._all)
        for kernel in kernels:
            kernel.kill()

    def _start_in_background(self) -> Future[Kernel]:
        future: Future[Kernel] = Future()

        def start() -> None:
            try:
                future.set_result(self._start(None))
            except BaseException as e:
                future.set_exception(e)

        threading.Thread(target=start, daemon=True).start()
        return future

    def _start(self, env: Mapping[str, str] | None) -> Kernel:
        from .render import Kernel, own_event_loop

        kernel = Kernel(self.runtime_dir, cwd=self.runtime_dir)
        with own_event_loop():
            with self._lock:  # kill_all cannot run between the launch and the registration
                if self._closing:
                    raise RuntimeError("The render worker is stopping.")
                kernel.launch(env)
                self._all.add(kernel)
            try:
                kernel.wait_ready()
            except BaseException:
                self.discard(kernel)
                raise
        return kernel


class Worker:
    def __init__(self, answers: TextIO, kernels: Kernels) -> None:
        self.answers = answers
        self.kernels = kernels
        self._send_lock = threading.Lock()

    def send(self, message: RenderAnswer) -> None:
        with self._send_lock:
            self.answers.write(json.dumps(message) + "\n")
            self.answers.flush()

    def render(self, request: WorkerRequest) -> None:
        from . import render

        rid = request["id"]

        def log(line: str) -> None:
            self.send({"id": rid, "log": line})

        env = request.get("env") or {}
        try:
            if render.needs_fresh_kernel(env):
                log("The content sets variables read at start-up: starting a kernel with them.")
                kernel = self.kernels.fresh(dict(os.environ, **env))
            else:
                kernel = self.kernels.take()
            kernel.attach(log)
            try:
                nb = render.run_notebook(request["notebook"], kernel, request["cwd"], env, request["timeout"], log)
            finally:
                self.kernels.discard(kernel)  # one notebook per kernel: no state reaches the next
            render.write_html(nb, request["output"], request.get("hide_all_input"), request.get("hide_tagged_input"))
            log("The notebook ran; its HTML is written.")
            self.send({"id": rid, "status": 0})
        except render.RenderFailed as e:
            self.send({"id": rid, "status": 1, "error": str(e)})
        except Exception as e:  # a kernel that would not start, an unreadable notebook, ...
            self.send(
                {
                    "id": rid,
                    "status": 1,
                    "error": "The notebook could not be run: %s: %s" % (type(e).__name__, render.ANSI.sub("", str(e))),
                }
            )


FOLDER_PREFIX = "localconnect-render-"


def _has_ended(pid: int) -> bool:
    """The process has ended: gone, or a zombie its parent (the server) has not reaped yet, as a
    worker killed a moment ago may still be when its replacement starts."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # another user's process: not ours to judge
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return not os.path.isdir("/proc/self")  # gone meanwhile; without /proc, os.kill's answer stands


def remove_leftovers() -> None:
    """Remove the folders (kernelspec, sockets) of workers that were killed before they could."""
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        pid = name[len(FOLDER_PREFIX) :].split("-", 1)[0] if name.startswith(FOLDER_PREFIX) else ""
        if pid.isdigit() and _has_ended(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True, help="the content environment's python")
    args = parser.parse_args(argv)

    # Answers go to a copy of stdout; whatever else prints (libraries) goes to stderr, the server's log.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    remove_leftovers()
    folder = tempfile.mkdtemp(prefix="%s%d-" % (FOLDER_PREFIX, os.getpid()))
    kernels = Kernels(folder)
    try:
        from . import render

        render.write_kernelspec(folder, args.python)
        os.environ["JUPYTER_PATH"] = folder
        kernels.start_spare()  # the kernel starts while nbconvert imports
        render.warm_up()  # imports and compiles the HTML templates while the kernel starts
        worker = Worker(answers, kernels)
        for line in sys.stdin:
            if line.strip():
                threading.Thread(target=worker.render, args=(json.loads(line),), daemon=True).start()
    finally:
        kernels.kill_all()
        shutil.rmtree(folder, ignore_errors=True)
        # os._exit: render threads may be blocked; the server is gone or has stopped waiting.
        os._exit(0)


if __name__ == "__main__":
    from rsconnect_jupyter.startup import skip_slow_unused_imports

    skip_slow_unused_imports()
    main()
