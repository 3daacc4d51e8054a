"""The work area, the tools under test, timing, and the local server.

Everything lives in benchmarks/.work/ (gitignored):
  peer/      rsconnect-python 1.x (the peer), in a virtualenv of its own
  env80/     the "user's environment" of about 80 packages that both tools snapshot
  tools/     matplotlib (the chart) and the profilers, never in the project's own deps
  data/      the generated data files of benchmark 3 (kept between runs; same size, same files)
  runs/      per-run scratch: copies of the notebook, server data dir, logs
"""

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rsconnect_jupyter.localconnect import launch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
OURS_PYTHON = Path(sys.executable)  # the project's dev virtualenv runs the harness
# Our CLI as users get it: a regular (not editable) install in .work/ours, redone each run
# (setup_envs); an editable install adds an import hook to every import of the package.
OURS_CLI = OURS_PYTHON.parent / "rsconnect"
PEER_SPEC = "rsconnect-python>=1,<2"
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def uv():
    found = OURS_PYTHON.parent / "uv"
    return str(found) if found.exists() else (shutil.which("uv") or sys.exit("uv is needed: pip install uv"))


def _stamp(path, text):
    path.write_text(text)


def ensure_venv(name, requirements, marker_text):
    """A uv-made virtualenv under .work/<name> with `requirements` (a list, or a file via -r),
    rebuilt only when `marker_text` (what it should hold) changed."""
    venv = WORK / name
    marker = venv / ".bench-marker"
    if marker.exists() and marker.read_text() == marker_text and (venv / "bin" / "python").exists():
        return venv
    log("building the %s virtualenv ..." % name)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--python", str(OURS_PYTHON), str(venv)], check=True)
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python")] + requirements, check=True
    )
    _stamp(marker, marker_text)
    return venv


def setup_envs():
    """peer, env80 and tools virtualenvs (cached between runs)."""
    WORK.mkdir(parents=True, exist_ok=True)
    global OURS_CLI
    ours = ensure_venv("ours", [str(ROOT)], "rsconnect-jupyter from the working tree")
    log("installing rsconnect-jupyter from the working tree into .work/ours ...")
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(ours / "bin" / "python"),
            "--no-deps",
            "--reinstall-package",
            "rsconnect-jupyter",
            str(ROOT),
        ],
        check=True,
    )
    OURS_CLI = ours / "bin" / "rsconnect"
    peer = ensure_venv("peer", [PEER_SPEC], PEER_SPEC)
    env_file = HERE / "env-packages.txt"
    env80 = ensure_venv("env80", ["-r", str(env_file)], hashlib.sha256(env_file.read_bytes()).hexdigest())
    tools = ensure_venv("tools", ["matplotlib", "pyinstrument", "py-spy"], "matplotlib pyinstrument py-spy")
    peer_version = subprocess.run(
        [str(peer / "bin" / "rsconnect"), "version"], capture_output=True, text=True
    ).stdout.strip()
    frozen = subprocess.run(
        [str(env80 / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True
    ).stdout
    count = len([package for package in frozen.splitlines() if package.strip()])
    return {
        "ours": ours,
        "peer": peer,
        "env80": env80,
        "tools": tools,
        "peer_version": peer_version,
        "env80_packages": count,
    }


# ---------------------------------------------------------------------------------------------
# Timing


@dataclass
class Run:
    seconds: float
    max_rss_kb: int = None
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    stamps: list = field(default_factory=list)  # (seconds since start, line) with stamp_lines

    def first(self, needle):
        """When the first output line containing `needle` arrived (stamp_lines runs only)."""
        for t, line in self.stamps:
            if needle in line:
                return t
        return None


def run_timed(argv, env=None, cwd=None, check=True, timeout=3600, stamp_lines=False):
    """Run a command; its wall time (measured here) and peak RSS (GNU time's %M, in KB)."""
    rss_file = None
    full = list(map(str, argv))
    if TIME_BIN:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        full = [TIME_BIN, "-f", "%M", "-o", rss_file] + full
    start = time.perf_counter()
    stamps = []
    if stamp_lines:  # stdout and stderr merged, each line stamped as it arrives
        p = subprocess.Popen(full, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = []
        for line in p.stdout:
            stamps.append((time.perf_counter() - start, line.rstrip()))
            out.append(line)
        p.wait(timeout)
        proc = subprocess.CompletedProcess(full, p.returncode, "".join(out), "")
    else:
        proc = subprocess.run(full, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    rss = None
    if rss_file:
        try:
            lines = [word for word in Path(rss_file).read_text().split() if word.strip().isdigit()]
            rss = int(lines[-1]) if lines else None
        finally:
            os.unlink(rss_file)
    run = Run(seconds, rss, proc.returncode, proc.stdout, proc.stderr, stamps)
    if check and proc.returncode != 0:
        raise RuntimeError(
            "%s failed (exit %d):\n%s\n%s"
            % (" ".join(map(str, argv)), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
        )
    return run


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def client_env(extra=None):
    """Environment for both CLIs: saved servers and records go to the work area, not the user's."""
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(WORK / "xdg-config")
    env["XDG_DATA_HOME"] = str(WORK / "xdg-data")
    env.pop("CONNECT_SERVER", None)
    env.pop("CONNECT_API_KEY", None)
    env.pop("RETICULATE_PYTHON", None)
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------------------------
# The local server


@dataclass
class LocalServer:
    url: str
    api_key: str
    data_dir: Path
    process: subprocess.Popen
    log_path: Path

    def stop(self):
        launch.stop(self.process, timeout=20)

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_local_server(data_dir, python=None):
    env = client_env()  # it saves itself as a server: into the work area's config, not the user's
    env.pop("JUPYTER_PATH", None)
    process, url, key, log_path = launch.start_local_server(
        data_dir,
        python=OURS_PYTHON,
        env=env,
        cwd=str(ROOT),
        timeout=90,
        extra_args=["--python", str(python)] if python else [],
    )
    return LocalServer(url, key, Path(data_dir), process, log_path)


# ---------------------------------------------------------------------------------------------
# Inputs

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# A small notebook\n", "Sums and a table."]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["4950\n"]}],
            "source": ["total = sum(range(100))\n", "print(total)"],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [
                {
                    "data": {"text/plain": ["[1, 4, 9]"]},
                    "execution_count": 2,
                    "metadata": {},
                    "output_type": "execute_result",
                }
            ],
            "source": ["[i * i for i in (1, 2, 3)]"],
        },
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def write_notebook(folder, name="analysis.ipynb"):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # Valid nbformat 4.5 needs cell ids.
    nb = json.loads(json.dumps(NOTEBOOK))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = "cell-%d" % i
    path.write_text(json.dumps(nb, indent=1))
    return path


def fresh_dir(*parts):
    path = WORK.joinpath("runs", *parts)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def reset_peak_rss(pid):
    """Start a new peak-RSS measure of a process (Linux: /proc/PID/clear_refs, value 5)."""
    try:
        Path("/proc/%d/clear_refs" % pid).write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb(pid):
    """The process's peak RSS (VmHWM) since it started or since reset_peak_rss, in MB."""
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def generate_data(folder, total_bytes):
    """Half compressible text (CSV-like rows, about 3-4x with gzip), half random bytes, in 16 MB
    files, plus 400 small text files. Deterministic; reused when already there with the same size."""
    import random

    folder = Path(folder)
    marker = folder / ".bench-size"
    if marker.exists() and marker.read_text() == str(total_bytes):
        return folder
    log("generating %.2f GB of data files in %s ..." % (total_bytes / 1e9, folder))
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data" / "text").mkdir(parents=True)
    (folder / "data" / "binary").mkdir(parents=True)
    (folder / "data" / "small").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>data</title><h1>Data files</h1>\n")
    rng = random.Random(6)
    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "north",
        "south",
        "east",
        "west",
        "red",
        "green",
        "blue",
        "sensor",
        "reading",
        "ok",
        "warn",
        "error",
        "station",
        "valley",
        "ridge",
        "river",
    ]
    blocks = []
    for _block in range(8):
        rows = []
        size = 0
        while size < (1 << 20):
            row = "%d,%s,%s,%.4f,%d,%s\n" % (
                rng.randrange(10**9),
                rng.choice(words),
                rng.choice(words),
                rng.random() * 1000,
                rng.randrange(100000),
                "-".join(rng.choice(words) for _ in range(3)),
            )
            rows.append(row)
            size += len(row)
        blocks.append("".join(rows).encode())
    small_total = 400 * 2048
    chunk = 16 << 20
    half = max(0, (total_bytes - small_total) // 2)
    for kind in ("text", "binary"):
        remaining, n = half, 0
        while remaining > 0:
            size = min(chunk, remaining)
            with open(folder / "data" / kind / ("part-%03d.%s" % (n, "csv" if kind == "text" else "bin")), "wb") as f:
                written = 0
                while written < size:
                    piece = rng.choice(blocks) if kind == "text" else os.urandom(1 << 20)
                    piece = piece[: size - written]
                    f.write(piece)
                    written += len(piece)
            remaining -= size
            n += 1
    for i in range(400):
        (folder / "data" / "small" / ("note-%03d.txt" % i)).write_bytes(rng.choice(blocks)[i * 997 % 4096 :][:2048])
    marker.write_text(str(total_bytes))
    return folder


def tree_size(folder):
    total = 0
    for root, _, names in os.walk(folder):
        for n in names:
            if not n.startswith(".bench"):
                total += os.path.getsize(os.path.join(root, n))
    return total
