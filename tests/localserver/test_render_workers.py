"""Render workers: real worker processes and real kernels (the dev environment's python stands in
for a content environment), then the server's workers and kernels when the server dies."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from rsconnect_jupyter.localconnect import render_worker
from rsconnect_jupyter.localconnect.renderers import RenderWorkers
from tests.localserver.localserver_helpers import Client, notebook_bundle, notebook_json

pytestmark = pytest.mark.slow

# Prints what a kernel knows about itself as one JSON line after "STATE ".
PROBE = (
    "import json as _j, os as _o, time as _t\n"
    "print('STATE ' + _j.dumps({'pid': _o.getpid(), 'cwd': _o.getcwd(), 'foo': _o.environ.get('FOO'),\n"
    "    'utc_offset': _t.timezone,\n"
    "    'only_a': _o.environ.get('ONLY_A'), 'start_var': _o.environ.get('PYTHONLOCALCONNECT_MARK'),\n"
    "    'leak': 'leaked_name' in globals(), 'os_predefined': 'os' in globals()}))\n"
    "leaked_name = 1"
)


def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read()
    except OSError:
        return b""


def running(pid):
    stat = proc_stat(pid)
    return stat is not None and stat[0] != "Z"


def children(pid):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = proc_stat(int(name))
            if stat and stat[1] == pid and stat[0] != "Z":
                found.append(int(name))
    return found


def wait_until(condition, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def write_notebook(folder, *cells):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(str(folder), "report.ipynb")
    with open(path, "w") as f:
        f.write(notebook_json(*cells))
    return path


def render(pool, folder, env=None, python=sys.executable, timeout=60, **options):
    notebook = os.path.join(str(folder), "report.ipynb")
    output = os.path.join(str(folder), "report.html")
    lines = []
    answer = pool.render(
        python,
        dict(
            {"notebook": notebook, "output": output, "cwd": str(folder), "env": env or {}, "timeout": timeout},
            **options,
        ),
        lines.append,
    )
    html = open(output).read() if answer["status"] == 0 else ""
    states = [json.loads(m) for m in re.findall(r"STATE (\{.*?\})", html.replace("&quot;", '"'))]
    return answer, lines, states


@pytest.fixture
def pool():
    workers = RenderWorkers()
    yield workers
    workers.stop()


def spare_kernel(worker_pid):
    return wait_until(lambda: children(worker_pid), what="the spare kernel")[0]


def test_a_warm_kernel_runs_one_notebook_with_its_own_variables_and_folder(pool, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_notebook(a, PROBE)
    write_notebook(b, PROBE)
    answer, lines, (first,) = render(pool, a, {"FOO": "value-a", "ONLY_A": "1"})
    assert answer["status"] == 0, lines
    assert any(line.startswith("Running the notebook report.ipynb") for line in lines)
    assert first["cwd"] == str(a) and first["foo"] == "value-a" and first["only_a"] == "1"
    assert not first["leak"] and not first["os_predefined"]

    worker = pool.pids()[sys.executable]
    spare = spare_kernel(worker)  # started ahead, after the first render took the first one
    assert spare != first["pid"] and not running(first["pid"])  # the used kernel is gone

    answer, lines, (second,) = render(pool, b, {"FOO": "value-b", "TZ": "XYZ+05"})
    assert answer["status"] == 0, lines
    assert second["pid"] == spare  # the render used the kernel started ahead
    assert second["utc_offset"] == 5 * 3600  # TZ set after the kernel started still counts
    assert pool.pids()[sys.executable] == worker
    assert second["cwd"] == str(b) and second["foo"] == "value-b"
    assert second["only_a"] is None and not second["leak"]  # nothing of the first notebook


def test_variables_read_at_start_up_get_a_kernel_launched_with_them(pool, tmp_path):
    write_notebook(tmp_path, PROBE)
    answer, lines, (state,) = render(pool, tmp_path, {"PYTHONLOCALCONNECT_MARK": "m1", "FOO": "f"})
    assert answer["status"] == 0, lines
    assert state["start_var"] == "m1" and state["foo"] == "f"
    assert any("read at start-up" in line for line in lines)
    assert not any("m1" in line for line in lines)  # values are never logged


def test_failures_timeout_and_hidden_input(pool, tmp_path):
    write_notebook(tmp_path, "x = 1", "raise ValueError('boom-worker-17')")
    answer, lines, _ = render(pool, tmp_path)
    assert answer["status"] == 1 and "failed in a cell" in answer["error"]
    assert any("boom-worker-17" in line for line in lines)

    write_notebook(tmp_path, "import os\nos._exit(1)")
    answer, lines, _ = render(pool, tmp_path)
    assert answer["status"] == 1 and "kernel died" in answer["error"].lower(), answer

    write_notebook(tmp_path, "import time\ntime.sleep(30)")
    answer, lines, _ = render(pool, tmp_path, timeout=1)
    assert answer["status"] == 1 and "timed out" in answer["error"].lower(), answer

    write_notebook(tmp_path, "secret_source_name = 'shown-output-3'\nprint(secret_source_name)")
    answer, lines, _ = render(pool, tmp_path, hide_all_input=True)
    html = (tmp_path / "report.html").read_text()
    assert answer["status"] == 0 and "shown-output-3" in html and "secret_source_name" not in html


def test_concurrent_renders_each_get_a_kernel(pool, tmp_path):
    results = {}

    def one(i):
        folder = tmp_path / ("n%d" % i)
        write_notebook(folder, "import time\ntime.sleep(0.5)", PROBE)
        results[i] = render(pool, folder, {"FOO": "c%d" % i})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i][0]["status"] == 0 for i in range(4)), results
    states = [results[i][2][0] for i in range(4)]
    assert [s["foo"] for s in states] == ["c0", "c1", "c2", "c3"]
    assert len({s["pid"] for s in states}) == 4
    assert len(pool.pids()) == 1


def test_a_crashed_worker_is_replaced(pool, tmp_path):
    write_notebook(tmp_path, PROBE)
    assert render(pool, tmp_path)[0]["status"] == 0
    first = pool.pids()[sys.executable]
    kernel = spare_kernel(first)
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: not running(first), what="the killed worker")
    wait_until(lambda: not running(kernel), what="its kernel (its stdin pipe closed)")
    answer, lines, _ = render(pool, tmp_path)
    assert answer["status"] == 0, lines
    assert pool.pids()[sys.executable] != first
    left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("localconnect-render-%d-" % first)]
    assert left == []  # the fresh worker removed the killed one's folder

    # Killed in the middle of a render: the notebook runs again in a fresh worker.
    write_notebook(tmp_path, "import time\ntime.sleep(2)", PROBE)
    second = pool.pids()[sys.executable]
    threading.Timer(1.0, os.kill, (second, signal.SIGKILL)).start()
    answer, lines, (state,) = render(pool, tmp_path)
    assert answer["status"] == 0, lines
    assert any("stopped unexpectedly" in line for line in lines)
    assert pool.pids()[sys.executable] not in (first, second)


def test_idle_workers_stop_and_at_most_n_live(tmp_path):
    other_python = tmp_path / "python"  # another "environment": a wrapper around the same python
    other_python.write_text('#!/bin/sh\nexec %s "$@"\n' % sys.executable)
    other_python.chmod(0o755)
    write_notebook(tmp_path, PROBE)
    pool = RenderWorkers(max_workers=1, idle_seconds=1.5)
    try:
        assert render(pool, tmp_path)[0]["status"] == 0
        first = pool.pids()[sys.executable]
        kernel = spare_kernel(first)
        assert render(pool, tmp_path, python=str(other_python))[0]["status"] == 0
        assert list(pool.pids()) == [str(other_python)]  # the least recently used one made room
        wait_until(lambda: not running(first) and not running(kernel), what="the evicted worker and kernel")

        second = pool.pids()[str(other_python)]
        kernel = spare_kernel(second)
        wait_until(lambda: not pool.pids(), what="the idle worker to stop")
        wait_until(lambda: not running(second) and not running(kernel), what="the idle worker's processes")
    finally:
        pool.stop()


def test_server_killed_leaves_no_worker_or_kernel(tmp_path, local_servers, local_server):
    args = ["--environments-dir", str(local_server.data_dir / "environments")]
    server = local_servers.start(tmp_path / "data", extra_args=args)
    pat = Client(server, server.add_user("pat", "publisher"))
    item = pat.create("warm")
    task, lines = pat.publish(item["guid"], notebook_bundle("print('warm render')"))
    assert task["code"] == 0, "\n".join(lines)
    assert "warm render" in pat.get(item["content_url"]).text

    workers = wait_until(
        lambda: [p for p in children(server.process.pid) if b"render_worker" in cmdline(p)], what="the render worker"
    )
    kernels = wait_until(lambda: [k for w in workers for k in children(w)], what="the spare kernel")
    server.process.kill()
    server.process.wait()
    local_servers.stop(server)
    wait_until(lambda: not any(running(p) for p in workers + kernels), what="workers and kernels to exit")


def test_worker_limits_come_from_the_environment(monkeypatch):
    from rsconnect_jupyter.localconnect.runner import _render_worker_settings

    monkeypatch.delenv("RSCONNECT_LOCAL_RENDER_WORKERS", raising=False)
    monkeypatch.delenv("RSCONNECT_LOCAL_RENDER_IDLE_SECONDS", raising=False)
    assert _render_worker_settings() == {"max_workers": 3, "idle_seconds": 600.0}
    monkeypatch.setenv("RSCONNECT_LOCAL_RENDER_WORKERS", "5")
    monkeypatch.setenv("RSCONNECT_LOCAL_RENDER_IDLE_SECONDS", "oops")
    assert _render_worker_settings() == {"max_workers": 5, "idle_seconds": 600.0}


def test_a_zombie_workers_folder_counts_as_left_over(tmp_path, monkeypatch):
    """A worker killed a moment ago may not be reaped yet when its replacement starts: its folder
    goes all the same. A running process's folder stays."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    wait_until(lambda: proc_stat(dead.pid)[0] == "Z", what="the unreaped child")  # never waited for: a zombie
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (dead.pid, alive.pid):
            (tmp_path / ("%s%d-x" % (render_worker.FOLDER_PREFIX, pid))).mkdir()
        render_worker.remove_leftovers()
        assert sorted(os.listdir(tmp_path)) == ["%s%d-x" % (render_worker.FOLDER_PREFIX, alive.pid)]
    finally:
        alive.kill()
        alive.wait()
        dead.wait()
