"""Kernels from a content environment, and one notebook run into HTML with one of them.

Used inside a render worker (render_worker.py), never in the server's own process: these imports
(nbconvert, jupyter_client) are the slow part a worker pays once. A kernel runs exactly one
notebook and is then killed, so nothing of one notebook's state reaches another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

# jsonschema (under nbformat) imports rfc3987_syntax when present, which builds a parser grammar
# at import: 1 to 4 s, for an "iri" format check notebooks never use. jsonschema skips that check
# when the import fails, so make it fail.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None in sys.modules: the import fails

from jupyter_client import KernelManager  # noqa: E402
from jupyter_client.asynchronous import AsyncKernelClient  # noqa: E402

from . import assets  # noqa: E402

if TYPE_CHECKING:
    from jupyter_client.blocking import BlockingKernelClient
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
KERNEL_NAME = "localconnect-content"

# Variables the interpreter, the dynamic loader or the C locale read when the process starts:
# setting them in a running kernel changes nothing, so content that sets one gets a kernel launched
# with its values. (TZ is re-read with time.tzset() in the kernel.)
_START_UP_PREFIXES = ("PYTHON", "LD_", "DYLD_", "LC_")
_START_UP_NAMES = ("LANG", "LANGUAGE")


def needs_fresh_kernel(env: Mapping[str, str]) -> bool:
    return any(name.upper().startswith(_START_UP_PREFIXES) or name.upper() in _START_UP_NAMES for name in env)


# The kernel's command: ipykernel, plus a thread that ends the kernel when its stdin (a pipe whose
# other end only the worker holds) closes, so a worker that dies, however it dies, leaves no kernel.
# Standard library only: it runs in the content's python.
KERNEL_BOOT = """\
def _localconnect_boot():
    import os, runpy, sys, threading
    def watch():
        try:
            while os.read(0, 1024):
                pass
        except OSError:
            pass
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()
    sys.argv[0] = "ipykernel_launcher"
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
_localconnect_boot()
"""


def write_kernelspec(folder: str, python: str) -> None:
    spec_dir = os.path.join(folder, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir)
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(
            {
                "argv": [python, "-c", KERNEL_BOOT, "-f", "{connection_file}"],
                "display_name": "Content environment",
                "language": "python",
            },
            f,
        )


@contextlib.contextmanager
def own_event_loop() -> Iterator[None]:
    """jupyter_client's blocking calls make an event loop for the thread and never close it (a
    warning at garbage collection): give them one for the call's duration, closed afterwards."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class Kernel:
    """A kernel process whose own output lines go to whoever uses it (kept until then).

    `launch()` starts the process (quick); `wait_ready()` waits until it answers (the slow part).
    """

    def __init__(self, runtime_dir: str, cwd: str) -> None:
        name = os.path.join(runtime_dir, "k-%s" % uuid.uuid4().hex[:12])
        # IPC sockets in the worker's folder where there are such (no ports to pick, no warning in
        # the task log about plain TCP); TCP on 127.0.0.1 elsewhere.
        transport = {"transport": "ipc", "ip": name} if os.name == "posix" else {}
        self.km = KernelManager(kernel_name=KERNEL_NAME, connection_file=name + ".json", **transport)
        self.cwd = cwd
        self._lock = threading.Lock()
        self._early: list[str] = []
        self._sink: Callable[[str], None] | None = None

    def launch(self, env: Mapping[str, str] | None = None) -> None:
        kwargs: dict[str, Any] = {
            "extra_arguments": ["--HistoryManager.hist_file=:memory:"],
            "cwd": self.cwd,
            "stdin": subprocess.PIPE,
            "stdout": subprocess.PIPE,
            "stderr": subprocess.STDOUT,
        }
        if env is not None:
            kwargs["env"] = env
        self.km.start_kernel(**kwargs)
        threading.Thread(target=self._pump, daemon=True).start()

    def wait_ready(self, timeout: float = 60) -> None:
        kc = cast("BlockingKernelClient", self.km.client())  # KernelManager's default client_class
        try:
            kc.start_channels()
            kc.wait_for_ready(timeout=timeout)
        finally:
            kc.stop_channels()

    def _pump(self) -> None:
        """Forward what the kernel process itself prints (not cell output) to the current user."""
        process = getattr(self.km.provisioner, "process", None)
        if process is None or process.stdout is None:
            return
        for raw in process.stdout:
            line = ANSI.sub("", raw.decode("utf-8", "replace")).rstrip()
            if not line:
                continue
            with self._lock:
                if self._sink is None:
                    self._early = (self._early + [line])[-50:]
                    continue
                sink = self._sink
            sink(line)

    def attach(self, log: Callable[[str], None]) -> None:
        with self._lock:
            early, self._early, self._sink = self._early, [], log
        for line in early:
            log(line)

    @property
    def pgid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pgid", None) or getattr(getattr(provisioner, "process", None), "pid", None)

    def kill(self) -> None:
        """Kill the kernel's whole process group and remove its connection file and sockets."""
        pgid = self.pgid
        try:
            if pgid and hasattr(os, "killpg"):  # elsewhere shutdown_kernel below kills it
                os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        with own_event_loop():
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
            try:
                self.km.cleanup_resources()
            except Exception:
                pass


class RenderFailed(Exception):
    """The notebook did not run; the message is for the task log (no variable values in it)."""


def _setup_code(cwd: str, env: Mapping[str, str]) -> str:
    # exec in a namespace of its own: the notebook's namespace gets no `os` it did not import.
    inner = "import os, time\nos.environ.update(%r)\nos.chdir(%r)\nif hasattr(time, 'tzset'):\n    time.tzset()\n" % (
        dict(env),
        cwd,
    )
    return "exec(%r, {})" % inner


async def _connect(kc: AsyncKernelClient, timeout: float = 60) -> None:
    """Wait until the kernel answers and our iopub subscription gets its messages.

    jupyter_client's wait_for_ready does the same but then idles 0.2 s to drain iopub.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        await _shell_reply(kc, msg_id, timeout)
        if await _idle(kc, msg_id, 0.2):
            return
    raise RenderFailed("The notebook's kernel did not answer within %d s." % timeout)


async def _shell_reply(kc: AsyncKernelClient, msg_id: str, timeout: float) -> dict[str, Any]:
    while True:
        reply = await kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


async def _idle(kc: AsyncKernelClient, msg_id: str, timeout: float) -> bool:
    """True once iopub says the kernel is idle after `msg_id`; False if nothing came within `timeout`."""
    try:
        while True:
            msg = await kc.get_iopub_msg(timeout=timeout)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                return True
    except queue.Empty:
        return False


async def _prepare(kc: AsyncKernelClient, cwd: str, env: Mapping[str, str], timeout: float) -> None:
    """Give the kernel the content's variables and the bundle folder, before any cell runs."""
    msg_id = kc.execute(_setup_code(cwd, env), silent=True, store_history=False)
    reply = await _shell_reply(kc, msg_id, timeout)
    if reply["content"].get("status") != "ok":
        # The error names only the exception type: its text could hold a value.
        raise RenderFailed("The kernel could not be prepared (%s)." % reply["content"].get("ename", "error"))
    await _idle(kc, msg_id, timeout)  # leave iopub drained for the notebook's cells


async def _execute(
    nb: NotebookNode,
    name: str,
    kernel: Kernel,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    log: Callable[[str], None],
) -> None:
    from nbclient import NotebookClient

    kc = AsyncKernelClient(**kernel.km.get_connection_info(session=True))
    kc.start_channels()
    try:
        await _connect(kc)
        await _prepare(kc, cwd, env, 60)
        client = NotebookClient(
            nb, km=kernel.km, timeout=timeout, kernel_name=KERNEL_NAME, resources={"metadata": {"path": cwd}}
        )
        client.kc = kc
        log("Running the notebook %s (%d cells)." % (name, len(nb.cells)))
        await client.async_execute()
    finally:
        kc.stop_channels()


def run_notebook(
    notebook: str, kernel: Kernel, cwd: str, env: Mapping[str, str], timeout: float, log: Callable[[str], None]
) -> NotebookNode:
    """Execute every cell of `notebook` (a path) in `kernel`; returns the executed NotebookNode."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    try:
        asyncio.run(_execute(nb, os.path.basename(notebook), kernel, cwd, env, timeout, log))
    except RenderFailed:
        raise
    except CellExecutionError as e:
        log("The notebook failed in a cell:")
        for line in ANSI.sub("", str(e)).splitlines():
            log(line)
        raise RenderFailed("The notebook failed in a cell.") from e
    except Exception as e:  # kernel died, timeout, ...
        raise RenderFailed("The notebook could not be run: %s" % ANSI.sub("", str(e) or type(e).__name__)) from e
    return nb


_exporters: dict[tuple[bool, bool], HTMLExporter] = {}
_exporters_lock = threading.Lock()


def write_html(
    nb: NotebookNode, output: str, hide_all_input: bool | None = False, hide_tagged_input: bool | None = False
) -> None:
    """Export the executed notebook as HTML, written atomically to `output` (named like it)."""
    name = os.path.splitext(os.path.basename(output))[0]
    html = export_html(nb, hide_all_input, hide_tagged_input, name)
    tmp = "%s.tmp-%s" % (output, uuid.uuid4().hex[:8])
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(html)
    os.replace(tmp, output)


def export_html(
    nb: NotebookNode,
    hide_all_input: bool | None = False,
    hide_tagged_input: bool | None = False,
    name: str | None = None,
) -> str:
    """The page's title is `name` (the notebook's file name, as Connect shows it), else nbconvert's "Notebook"."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    key = (bool(hide_all_input), bool(hide_tagged_input))
    with _exporters_lock:  # one export at a time: an exporter (templates, preprocessors) is reused
        exporter = _exporters.get(key)
        if exporter is None:
            config = Config()
            for name, url in assets.exporter_urls().items():  # served by this server, not a CDN
                setattr(config.HTMLExporter, name, url)
            config.HTMLExporter.exclude_input = key[0]
            config.HTMLExporter.exclude_input_prompt = key[0]
            if key[1]:
                config.TagRemovePreprocessor.enabled = True
                config.TagRemovePreprocessor.remove_input_tags = ("hide_input",)
            exporter = _exporters[key] = HTMLExporter(config=config)
        html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}} if name else None)
    return html


def warm_up() -> None:
    """Import nbclient and nbconvert and export an empty notebook once, so no render pays for it."""
    import nbclient  # noqa: F401
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Warm *up*"),
        nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]),
    ]
    export_html(nb)
