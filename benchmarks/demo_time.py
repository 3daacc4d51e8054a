"""`bash scripts/demo` from a clean clone: one commit against another, in the same run (issue 12).

    .venv/bin/python -m benchmarks.demo_time                       # ce06eaa against HEAD
    .venv/bin/python -m benchmarks.demo_time --after COMMIT --cold-rounds 1 --rerun-rounds 3

For each round both commits are cloned (`git clone` of this repository, then `git checkout`) into
temporary folders and run side by side, interleaved (the order alternates between rounds):

- cold: the first `bash scripts/demo` of the fresh clone (no .venv: creates it, installs the
  package, starts the local server, deploys examples/hello/hello.ipynb);
- rerun: `bash scripts/demo` again in the same clone (the server is running: reinstall + redeploy).

Each run is timed from outside (wall). Its output must hold a `Content URL:` that answers 200.
Afterwards the server the clone started is killed (`kill $(cat CLONE/.local-connect/server.pid)`)
and the clone removed. The machine's own package caches (pip, uv, yarn) are used as they are,
unless --fresh-caches gives every cold run empty ones (a fresh machine; slower, and the network
then weighs in). Results: benchmarks/results/demo-time/results.{md,json}.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import requests

from rsconnect_jupyter.localconnect.launch import free_port

from .harness import ROOT, log, run_timed

BEFORE = "ce06eaa"  # the last commit landed before issue 12's work
CONTENT_URL = re.compile(r"Content URL:\s+(\S+)")


@dataclass
class DemoRun:
    commit: str
    kind: str  # "cold" or "rerun"
    round: int
    seconds: float
    ok: bool
    url: Optional[str] = None
    url_status: Optional[int] = None
    install_seconds: Optional[float] = None  # cold: until "Starting the local server" (venv + install)
    error: str = ""


@dataclass
class Clone:
    commit: str
    path: Path
    caches: Optional[Path] = None
    facts: dict[str, object] = field(default_factory=dict)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def make_clone(commit: str, fresh_caches: bool) -> Clone:
    path = Path(tempfile.mkdtemp(prefix="demo-%s-" % commit[:7]))
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(path)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=path, check=True)
    caches = Path(tempfile.mkdtemp(prefix="demo-caches-")) if fresh_caches else None
    return Clone(commit, path, caches)


def demo_env(clone: Clone, port: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "CONNECT_SERVER", "CONNECT_API_KEY", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    # Nothing of the dev virtualenv (its uv would change which installer the server picks).
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(ROOT)))
    # Saved servers and deployment records of the CLI stay with the clone, not the user's.
    env["XDG_CONFIG_HOME"] = str(clone.path / ".bench-xdg" / "config")
    env["XDG_DATA_HOME"] = str(clone.path / ".bench-xdg" / "data")
    env["RSCONNECT_DEMO_PORT"] = str(port)
    if clone.caches:
        for name, sub in (
            ("PIP_CACHE_DIR", "pip"),
            ("UV_CACHE_DIR", "uv"),
            ("YARN_CACHE_FOLDER", "yarn"),
            ("npm_config_cache", "npm"),
        ):
            env[name] = str(clone.caches / sub)
    return env


def check_url(output: str, key_file: Path) -> (Optional[str], Optional[int]):
    """The content URL the demo printed, and its status for the administrator (content is acl:
    without a key the server answers with its sign-in page)."""
    found = CONTENT_URL.findall(output)
    if not found:
        return None, None
    url = found[-1]
    try:
        key = key_file.read_text().strip()
        return url, requests.get(url, headers={"Authorization": "Key " + key}, timeout=60).status_code
    except (OSError, requests.RequestException):  # requests' errors are OSErrors too
        return url, None


def run_demo(clone: Clone, kind: str, rnd: int, port: int) -> DemoRun:
    run = run_timed(
        ["bash", "scripts/demo"],
        env=demo_env(clone, port),
        cwd=str(clone.path),
        check=False,
        timeout=3600,
        stamp_lines=True,
    )
    url, status = check_url(run.stdout, clone.path / ".local-connect" / "admin-api-key")
    ok = run.returncode == 0 and status == 200
    result = DemoRun(
        clone.commit,
        kind,
        rnd,
        run.seconds,
        ok,
        url,
        status,
        run.first("Starting the local server") if kind == "cold" else None,
        "" if ok else "exit %d, URL %s -> %s:\n%s" % (run.returncode, url, status, run.stdout[-2000:]),
    )
    log("%s %s round %d: %.1f s, %s" % (clone.commit[:7], kind, rnd, run.seconds, "ok" if ok else "FAILED"))
    return result


def describe(clone: Clone) -> None:
    """What the cold run left: did it build the lab extension, which installer does its server use."""
    venv_python = clone.path / ".venv" / "bin" / "python"
    has_uv = (
        subprocess.run([str(venv_python), "-c", "import uv; uv.find_uv_bin()"], capture_output=True).returncode == 0
    )
    clone.facts = {
        "lab extension built (rsconnect_jupyter/labextension/package.json)": (
            clone.path / "rsconnect_jupyter" / "labextension" / "package.json"
        ).exists(),
        "node_modules present (jlpm install ran)": (clone.path / "node_modules").exists()
        or (clone.path / "labextension" / "node_modules").exists(),
        "uv package in the demo's .venv (server builds with uv, else pip)": has_uv,
    }


def stop_server(clone: Clone) -> None:
    pid_file = clone.path / ".local-connect" / "server.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip())
    subprocess.run(["kill", str(pid)], check=False)
    for _ in range(200):  # up to 20 s for it to exit before its folder goes
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    subprocess.run(["kill", "-9", str(pid)], check=False)


def remove(clone: Clone) -> None:
    shutil.rmtree(clone.path, ignore_errors=True)
    if clone.caches:
        shutil.rmtree(clone.caches, ignore_errors=True)


def median(values: list[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--cold-rounds", type=int, default=1, help="fresh clones per commit (slow)")
    parser.add_argument("--rerun-rounds", type=int, default=3, help="reruns per clone")
    parser.add_argument("--fresh-caches", action="store_true", help="empty pip/uv/yarn/npm caches per cold run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "demo-time"))
    args = parser.parse_args(argv)

    commits = {"before": git("rev-parse", args.before), "after": git("rev-parse", args.after)}
    subjects = {side: git("log", "-1", "--format=%h %s", sha)[:100] for side, sha in commits.items()}
    load_start = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs: list[DemoRun] = []
    facts: dict[str, dict[str, object]] = {}
    for rnd in range(args.cold_rounds):
        order = ["before", "after"] if rnd % 2 == 0 else ["after", "before"]
        clones = {side: make_clone(commits[side], args.fresh_caches) for side in order}
        ports = {side: free_port() for side in order}
        try:
            for side in order:
                runs.append(run_demo(clones[side], "cold", rnd, ports[side]))
                describe(clones[side])
                facts[side] = clones[side].facts
            for rerun in range(args.rerun_rounds):
                for side in order if rerun % 2 == 0 else order[::-1]:
                    runs.append(run_demo(clones[side], "rerun", rnd, ports[side]))
        finally:
            for clone in clones.values():
                stop_server(clone)
                remove(clone)
    load_end = os.getloadavg()[0]

    sha_side = {sha: side for side, sha in commits.items()}
    table = []
    for kind in ("cold", "rerun"):
        med = {
            side: median([r.seconds for r in runs if r.kind == kind and sha_side[r.commit] == side and r.ok])
            for side in commits
        }
        n = {side: len([r for r in runs if r.kind == kind and sha_side[r.commit] == side]) for side in commits}
        ratio = med["after"] / med["before"] if med["after"] and med["before"] else None
        table.append(
            {
                "kind": kind,
                "before_s": med["before"],
                "after_s": med["after"],
                "ratio": ratio,
                "n_before": n["before"],
                "n_after": n["after"],
            }
        )
    installs = {
        side: median(
            [
                r.install_seconds
                for r in runs
                if r.kind == "cold" and sha_side[r.commit] == side and r.install_seconds is not None
            ]
        )
        for side in commits
    }

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "started": started,
        "host": platform.node(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_1min_start": load_start,
        "load_1min_end": load_end,
        "commits": commits,
        "subjects": subjects,
        "fresh_caches": args.fresh_caches,
        "command": "python -m benchmarks.demo_time " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    (out / "results.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "table": table,
                "install_phase_s": installs,
                "facts": facts,
                "runs": [asdict(r) for r in runs],
            },
            indent=1,
        )
    )

    def fmt(value: Optional[float], spec: str = "%.1f s") -> str:
        return spec % value if value is not None else "-"

    lines = [
        "# `bash scripts/demo` from a clean clone: before and after issue 12",
        "",
        "Run %s on %s (%s cores, shared with other engineers' work), load average %.1f at the start, %.1f at the "
        "end (1 min). Command: `%s`. Wall time from outside; medians over successful runs; ratio = after / before. "
        "Package caches: %s."
        % (
            started,
            meta["host"],
            meta["cores"],
            load_start,
            load_end,
            meta["command"],
            "empty per cold run" if args.fresh_caches else "the machine's own (pip, uv, yarn), warm from earlier work",
        ),
        "",
        "- before: `%s`" % subjects["before"],
        "- after: `%s`" % subjects["after"],
        "",
        "| run | before | after | ratio after/before | runs (before, after) |",
        "|-----|--------|-------|--------------------|----------------------|",
    ]
    for row in table:
        what = (
            "cold: fresh clone, no .venv (venv + install + server start + first deploy)"
            if row["kind"] == "cold"
            else "rerun: same clone, server running (reinstall + redeploy)"
        )
        lines.append(
            "| %s | %s | %s | %s | %d, %d |"
            % (
                what,
                fmt(row["before_s"]),
                fmt(row["after_s"]),
                fmt(row["ratio"], "%.2f"),
                row["n_before"],
                row["n_after"],
            )
        )
    lines += [
        "",
        'Cold run, time until the script printed "Starting the local server" (venv + package install): '
        "before %s, after %s." % (fmt(installs["before"]), fmt(installs["after"])),
        "",
    ]
    for side in ("before", "after"):
        for what, value in facts.get(side, {}).items():
            lines.append("- %s: %s: %s" % (side, what, "yes" if value else "no"))
    failures = [r for r in runs if not r.ok]
    lines += [
        "",
        "Every run printed a Content URL that answered 200."
        if not failures
        else "%d run(s) failed (see results.json): %s"
        % (len(failures), "; ".join("%s %s round %d" % (r.commit[:7], r.kind, r.round) for r in failures)),
    ]
    lines.append("")
    shown = ["%s %s %.1f%s" % (sha_side[r.commit], r.kind, r.seconds, "" if r.ok else " FAILED") for r in runs]
    lines.append("All runs (seconds): " + ", ".join(shown))
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
