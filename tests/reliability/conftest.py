"""Fixtures of the reliability tests: the CLI as a subprocess with its own config folder and temp
folder, a fault-injecting proxy in front of the session's local server, and every saved byte."""

import os
import signal
import subprocess
import sys

import pytest

from tests.project_copies import example_notebook
from tests.reliability.fault_proxy import FaultProxy

CLEARED = (
    "CONNECT_SERVER",
    "CONNECT_API_KEY",
    "RETICULATE_PYTHON",
    "CONNECT_TASK_TIMEOUT",
    "CONNECT_RETRIES",
    "CONNECT_RETRY_BACKOFF",
    "CONNECT_REQUEST_TIMEOUT",
)


class CLI:
    """`rsconnect` in a subprocess, with XDG_CONFIG_HOME and TMPDIR of this test only."""

    def __init__(self, root):
        self.home = root / "config"
        self.tmp = root / "tmp"
        self.home.mkdir()
        self.tmp.mkdir()
        self.servers_json = self.home / "rsconnect-python" / "servers.json"

    def env(self, extra=None):
        env = dict(os.environ)
        for k in CLEARED:
            env.pop(k, None)
        # Retries as in production (5 attempts) but with short waits: 0.05, 0.1, 0.2, 0.4 s.
        env.update(XDG_CONFIG_HOME=str(self.home), TMPDIR=str(self.tmp), CONNECT_RETRY_BACKOFF="0.05")
        env.update(extra or {})
        return env

    def command(self, *args):
        return [sys.executable, "-m", "rsconnect_jupyter", *map(str, args)]

    def run(self, *args, env=None, cwd=None):
        return subprocess.run(
            self.command(*args), capture_output=True, text=True, env=self.env(env), cwd=cwd, timeout=600
        )

    def start(self, *args, env=None):
        # Ctrl-C reaches the command as it reaches a user's: a test run started in the background
        # (`cmd &` in a script) ignores SIGINT, children inherit that, and Python then never raises
        # KeyboardInterrupt.
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(env),
            preexec_fn=_default_sigint,
        )

    def ok(self, *args, env=None):
        result = self.run(*args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def cli(tmp_path):
    return CLI(tmp_path)


@pytest.fixture
def notebook(tmp_path):
    return example_notebook(tmp_path)


@pytest.fixture
def proxy(local_server):
    proxy = FaultProxy(local_server.url)
    yield proxy
    proxy.close()


@pytest.fixture
def saved_state(cli, notebook):
    """Every byte a publish may change here: saved servers, deployment records, the notebook and
    what else sits beside it (a function: call it before and after)."""

    def state():
        files = [p for p in cli.home.rglob("*") if p.is_file()]
        files += [p for p in notebook.parent.rglob("*") if p.is_file()]
        return {str(p): p.read_bytes() for p in files}

    return state
