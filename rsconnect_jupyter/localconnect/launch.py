"""Start a server as a child process and wait until it answers: one helper for the tests,
the benchmarks and anyone who drives `rsconnect local-server` (or Jupyter) from Python.

The port is picked by binding port 0, so two runs side by side never collide; the wait checks
that the child is still alive on every round, so a server that fails at start-up shows its log at
once instead of after the whole timeout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def tail(path: str | os.PathLike[str], chars: int = 3000) -> str:
    file = Path(path)
    return file.read_text(errors="replace")[-chars:] if file.exists() else ""


def wait_until_serving(
    process: subprocess.Popen[Any],
    is_ready: Callable[[], bool],
    log_path: str | os.PathLike[str],
    what: str = "the server",
    timeout: float = 60,
    interval: float = 0.1,
) -> None:
    """Poll `is_ready()` (True once the server answers as expected) until it holds.

    Connection errors and answers slower than the probe's own timeout (a busy machine) count as
    "not yet". Raises RuntimeError with the end of the log when the process exits or the timeout
    passes (the process is killed then)."""
    import requests  # lazy: the CLI's start-up path imports this module without needing requests

    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("%s exited (status %s):\n%s" % (what, process.returncode, tail(log_path)))
        try:
            if is_ready():
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(interval)
    process.kill()
    process.wait()
    raise RuntimeError("%s did not answer within %d s:\n%s" % (what, timeout, tail(log_path)))


def start_local_server(
    data_dir: str | os.PathLike[str],
    python: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 60,
) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    """`rsconnect local-server` on a free 127.0.0.1 port with its own data folder.

    Returns (process, url, admin_key, log_path); the log is DATA/server.log."""
    import requests

    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = data / "server.log"
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                str(python or sys.executable),
                "-m",
                "rsconnect_jupyter",
                "local-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(data),
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
        )
    # With --certfile the server speaks HTTPS only (its URL is then https://).
    scheme = "https" if any(str(a).split("=", 1)[0] == "--certfile" for a in extra_args) else "http"
    url = "%s://127.0.0.1:%d/" % (scheme, port)
    key_file = data / "admin-api-key"

    def ready() -> bool:
        # Only that our own child answers counts here: its certificate may be self-signed or for
        # another name than 127.0.0.1, so it is not checked (callers check it as they see fit).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # urllib3's InsecureRequestWarning for verify=False
            answered = requests.get(url + "__api__/server_settings", timeout=2, verify=False).status_code == 200
        return answered and key_file.exists()

    wait_until_serving(process, ready, log_path, "the local server", timeout)
    return process, url, key_file.read_text().strip(), log_path


def stop(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Terminate, then kill if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
