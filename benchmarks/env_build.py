"""The local server's first-deploy environment build against uv's floor (issue 12).

    .venv/bin/python -m benchmarks.env_build                  # 2 rounds
    .venv/bin/python -m benchmarks.env_build --rounds 3

Server side: `rsconnect local-server` with a fresh data folder and UV_CACHE_DIR set to a fresh,
empty folder; a notebook is deployed with REQUIREMENTS (a small fixed list of real packages;
the server adds ipykernel). Timed: from the deploy call to the task's "The Python environment is
ready." line (the task log is followed by long poll, so each line is stamped when it arrives, a
few ms after the server wrote it). That is the deploy's environment cost as a user sees it: bundle
extraction, the server's choice of interpreter and installer, `uv venv` and `uv pip install`. The
notebook's render that follows is not counted. Then a second notebook with the same packages but
a different environment key (an inline comment on one line) builds again with the now warm cache,
and a redeploy of it reuses the environment (its deploy-to-ready time is the server's fixed cost).

Floor: the same uv binary the server uses, `uv venv -p PYTHON` + `uv pip install -r
requirements.txt ipykernel` with the same index options the server passes (pip's settings read
at run time) into a temporary folder, timed from outside; PYTHON is the interpreter the server's
environment was built from (its pyvenv.cfg). Cold: UV_CACHE_DIR is another fresh empty folder;
warm: the same folder again. Server and floor alternate which goes first each round.

Everything lives under benchmarks/.work/runs/env-build (one filesystem, so uv links or copies
from its cache the same way on both sides). Results: benchmarks/results/env-build/results.{md,json}.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Optional

from rsconnect_jupyter.localconnect import environments, interpreters

from .harness import (
    OURS_PYTHON,
    ROOT,
    WORK,
    LocalServer,
    client_env,
    fresh_dir,
    launch,
    log,
    median,
    run_timed,
    write_notebook,
)

# Real packages, pinned so both sides and every run install the same thing; none of them is in the
# fresh caches (that is what makes the cold case cold). ipykernel comes on top, as the server adds it.
REQUIREMENTS = [
    "requests==2.32.3",
    "PyYAML==6.0.2",
    "tabulate==0.9.0",
    "python-dateutil==2.9.0.post0",
    "attrs==24.2.0",
    "rich==13.9.4",
]
READY = "The Python environment is ready."
BUILDING = "Building a new Python environment"


def requirements_text(token: str) -> str:
    # The inline comment changes the server's environment key, not what gets installed.
    return "\n".join(REQUIREMENTS[:-1] + ["%s  # %s" % (REQUIREMENTS[-1], token)]) + "\n"


def export_source(commit: str) -> Path:
    """The package as committed at `commit`, for the server to import: `python -m rsconnect_jupyter`
    run in this folder imports it from here, not from the shared (and busy) working tree."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    folder = WORK / ("src-%s" % sha)
    if not (folder / "rsconnect_jupyter").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "rsconnect_jupyter"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def hide_uv() -> Path:
    """A folder whose `uv` package fails to import: first on the server's PYTHONPATH it makes the
    server fall back to pip, as on an install without uv (none is on PATH here)."""
    folder = WORK / "no-uv" / "uv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("raise ImportError('hidden by benchmarks/env_build.py --pip')\n")
    return folder.parent


def start_server(
    data_dir: Path, cache: Path, source: Path, uv_config: Optional[Path], pip: bool = False
) -> LocalServer:
    env = client_env({"UV_CACHE_DIR": str(cache)})
    if pip:
        env["PIP_CACHE_DIR"] = str(cache)  # cold means cold for pip too
        env["PYTHONPATH"] = str(hide_uv())
    if uv_config:  # a uv configuration file of its own: the server passes none of pip's settings
        env["UV_CONFIG_FILE"] = str(uv_config)
    env.pop("JUPYTER_PATH", None)
    process, url, key, log_path = launch.start_local_server(
        data_dir, python=OURS_PYTHON, env=env, cwd=str(source), timeout=90
    )
    return LocalServer(url, key, data_dir, process, log_path)


def server_deploy(client, notebook: Path, snap: dict, guid: str) -> dict[str, float]:
    """Deploy and follow the task; seconds from the deploy call to the env-ready line, and more."""
    from rsconnect_jupyter import bundle as bundles
    from rsconnect_jupyter import deploy as core

    with bundles.notebook_source_bundle(notebook, snap) as b, b.open() as f:
        uploaded = client.bundle_upload(guid, f)
    stamps: list[tuple[float, str]] = []
    start = time.perf_counter()
    task_id = client.deploy(guid, str(uploaded["id"]))
    core.follow_task(
        client, task_id, lambda line: stamps.append((time.perf_counter() - start, line.strip())), timeout=1800
    )
    end = time.perf_counter() - start

    def first(needle: str) -> Optional[float]:
        return next((t for t, line in stamps if needle in line), None)

    ready = first(READY) if first(READY) is not None else first("Reusing the Python environment")
    if ready is None:
        raise RuntimeError("no environment line in the task log:\n" + "\n".join(text for _, text in stamps[-30:]))
    return {
        "to_ready": ready,
        "building_to_ready": (ready - first(BUILDING)) if first(BUILDING) else None,
        "task": end,
        "built": first(BUILDING) is not None,
        "installer_uv": any("Installing packages with uv" in text for _, text in stamps),
        "python_line": next((text for _, text in stamps if text.startswith("Using Python")), ""),
    }


def floor(
    uv: str,
    python: str,
    folder: Path,
    requirements: Path,
    cache: Path,
    index_args: list[str],
    index_env: dict[str, str],
    uv_config: Optional[Path],
) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    env = dict(os.environ, UV_CACHE_DIR=str(cache), **index_env)
    if uv_config:
        env["UV_CONFIG_FILE"] = str(uv_config)
    venv = run_timed([uv, "venv", "--quiet", "-p", python, folder], env=env)
    install = run_timed(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            folder / "bin" / "python",
            *index_args,
            "-r",
            requirements,
            *environments.NOTEBOOK_EXTRAS,
        ],
        env=env,
    )
    return venv.seconds + install.seconds


def main(argv: Optional[list[str]] = None) -> int:
    from rsconnect_jupyter.connect import ConnectClient
    from rsconnect_jupyter.environment import snapshot as take_snapshot

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--source", default="HEAD", help="the commit whose server code runs")
    parser.add_argument(
        "--pip", action="store_true", help="the server without uv (its pip fallback) against the same uv floor"
    )
    parser.add_argument(
        "--uv-defaults",
        action="store_true",
        help="both sides without pip's index settings (uv's default index only, over the network)",
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "env-build"))
    parser.add_argument("--report-only", action="store_true", help="rewrite results.md from --out's results.json")
    args = parser.parse_args(argv)
    if args.report_only:
        return report(Path(args.out))

    source = export_source(args.source)
    uv = environments.find_uv()
    if not uv:
        sys.exit("uv is not installed with the package: the server would build with pip")
    uv_version = subprocess.run([uv, "--version"], capture_output=True, text=True).stdout.strip()
    index_args, index_env = environments.uv_index_options()
    uv_config = None
    if args.pip and shutil.which("uv"):
        sys.exit("--pip: a uv on PATH would still be found by the server")
    if args.uv_defaults:
        uv_config = WORK / "empty-uv.toml"
        uv_config.write_text("# benchmarks/env_build.py --uv-defaults: uv's own defaults\n")
        index_args, index_env = [], {}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = os.getloadavg()[0]
    base_snap = take_snapshot(python=str(OURS_PYTHON), directory=None, force_generate=True)
    # The interpreter the server will pick for this manifest (same PATH, same rule); checked
    # against the task's "Using Python" line below.
    chosen = interpreters.choose(interpreters.discover(), base_snap["python"])
    python = chosen.path
    samples: list[dict[str, object]] = []
    for rnd in range(args.rounds):
        work = fresh_dir("env-build", "round-%d" % rnd)
        caches = {"server": work / "cache-server", "floor": work / "cache-floor"}
        for c in caches.values():
            c.mkdir()
        order = ["server", "floor"] if rnd % 2 == 0 else ["floor", "server"]
        server = start_server(work / "data", caches["server"], source, uv_config, args.pip)
        try:
            client = ConnectClient(server.url, server.api_key)
            notebook = write_notebook(work / "nb")
            for cache_state in ("cold", "warm"):
                token = uuid.uuid4().hex
                req_file = work / ("requirements-%s.txt" % cache_state)
                req_file.write_text(requirements_text(token))
                for side in order:
                    if side == "server":
                        snap = dict(base_snap, requirements=req_file.read_text(), source="file")
                        content = client.content_create(
                            name="env-%s-%s" % (cache_state, token[:8]), title="env build %s" % cache_state
                        )
                        first = server_deploy(client, notebook, snap, content["guid"])
                        if not first["built"]:
                            raise RuntimeError("the %s deploy reused an environment" % cache_state)
                        again = server_deploy(client, notebook, snap, content["guid"])
                        if first["python_line"] != "Using Python %s (%s)." % (chosen.version, python):
                            raise RuntimeError("the server chose another interpreter: %s" % first["python_line"])
                        samples.append(
                            {
                                "round": rnd,
                                "side": "server",
                                "cache": cache_state,
                                "seconds": first["to_ready"],
                                "building_to_ready": first["building_to_ready"],
                                "first_task": first["task"],
                                "redeploy_to_ready": again["to_ready"],
                                "redeploy_task": again["task"],
                                "installer_uv": first["installer_uv"],
                            }
                        )
                    else:
                        seconds = floor(
                            uv,
                            python,
                            work / ("floor-venv-%s" % cache_state),
                            req_file,
                            caches["floor"],
                            index_args,
                            index_env,
                            uv_config,
                        )
                        samples.append(
                            {"round": rnd, "side": "floor", "cache": cache_state, "seconds": seconds, "python": python}
                        )
                    log("env build round %d %s %s: %.2f s" % (rnd, cache_state, side, samples[-1]["seconds"]))
        finally:
            server.stop()
    load_end = os.getloadavg()[0]

    shown_index = [re.sub(r"(?<=://)[^/\s]+", "<host>", a) for a in index_args]
    meta = {
        "started": started,
        "host": platform.node(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "uv": uv_version,
        "load_1min_start": load_start,
        "load_1min_end": load_end,
        "rounds": args.rounds,
        "requirements": REQUIREMENTS,
        "extras": list(environments.NOTEBOOK_EXTRAS),
        "uv_index_options": shown_index,
        "uv_defaults": args.uv_defaults,
        "server_pip": args.pip,
        "index_env": sorted(index_env),
        "commit": source.name[len("src-") :],
        "all_server_builds_used_uv": all(s.get("installer_uv") for s in samples if s["side"] == "server"),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps({"meta": meta, "table": summarize(samples), "samples": samples}, indent=1)
    )
    return report(out)


def summarize(samples: list[dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    for cache_state in ("cold", "warm"):

        def pick(side: str, key: str = "seconds", cache_state: str = cache_state) -> Optional[float]:
            return median([s[key] for s in samples if s["side"] == side and s["cache"] == cache_state])

        srv, flo = pick("server"), pick("floor")
        # Paired: server / floor of the same round (same load, same moment), then the median.
        by_round: dict[int, dict[str, float]] = {}
        for s in samples:
            if s["cache"] == cache_state:
                by_round.setdefault(s["round"], {})[s["side"]] = s["seconds"]
        paired = median([r["server"] / r["floor"] for r in by_round.values() if "server" in r and r.get("floor")])
        rows.append(
            {
                "cache": cache_state,
                "server_s": srv,
                "floor_s": flo,
                "ratio": srv / flo if srv and flo else None,
                "paired_ratio": paired,
                "server_building_to_ready_s": pick("server", "building_to_ready"),
                "server_redeploy_to_ready_s": pick("server", "redeploy_to_ready"),
                "server_first_task_s": pick("server", "first_task"),
                "server_redeploy_task_s": pick("server", "redeploy_task"),
            }
        )
    return rows


def report(out: Path) -> int:
    """results.md from results.json (also after the fact: --report-only)."""
    data = json.loads((out / "results.json").read_text())
    meta, samples = data["meta"], data["samples"]
    rows = summarize(samples)

    def fmt(value: Optional[float], spec: str = "%.2f s") -> str:
        return spec % value if value is not None else "-"

    flags = (" --uv-defaults" if meta.get("uv_defaults") else "") + (" --pip" if meta.get("server_pip") else "")
    lines = [
        "# Local server: first-deploy environment build against the uv floor"
        + (" (server forced to its pip fallback)" if meta.get("server_pip") else ""),
        "",
        "Run %s on %s (%s cores, shared with other engineers' work), commit %s, %s, load average %.1f at the start, "
        "%.1f at the end (1 min). %d rounds, medians; ratio = server / floor (of the medians, and the median of the "
        "per-round ratios). Command: `python -m benchmarks.env_build --rounds %d%s`."
        % (
            meta["started"],
            meta["host"],
            meta["cores"],
            meta["commit"],
            meta["uv"],
            meta["load_1min_start"],
            meta["load_1min_end"],
            meta["rounds"],
            meta["rounds"],
            flags,
        ),
        "",
        "Packages: %s, plus %s (the server's own); both sides install the same list, %s (index options: %s)."
        % (
            ", ".join(meta["requirements"]),
            ", ".join(meta["extras"]),
            "the server with its pip fallback (`python -m venv` + `pip install`, pip reads its own configuration and "
            "PIP_CACHE_DIR is as fresh as UV_CACHE_DIR), the floor with uv"
            if meta.get("server_pip")
            else "with the same uv binary and the same index options",
            "none: uv's defaults, `--uv-defaults`"
            if meta.get("uv_defaults")
            else "from pip's configuration at run time: `%s`" % (" ".join(meta["uv_index_options"]) or "none"),
        ),
        "",
        "| package cache | server: deploy to environment ready | floor: `uv venv` + `uv pip install` | ratio |"
        " per-round ratio | server: build window only | server: redeploy (env reused) to ready |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s |"
            % (
                r["cache"],
                fmt(r["server_s"]),
                fmt(r["floor_s"]),
                fmt(r["ratio"], "%.2f"),
                fmt(r["paired_ratio"], "%.2f"),
                fmt(r["server_building_to_ready_s"]),
                fmt(r["server_redeploy_to_ready_s"]),
            )
        )
    lines += [
        "",
        "Server builds used uv: %s (else pip, with pip's own configuration). The build window runs from the "
        'task\'s "%s" line to "%s"; deploy to ready adds bundle extraction and the '
        "interpreter choice (the redeploy column is that fixed part)."
        % ("yes" if meta["all_server_builds_used_uv"] else "NO", BUILDING, READY),
        "",
        "All samples (s): "
        + ", ".join("r%d %s %s %.2f" % (s["round"], s["cache"], s["side"], s["seconds"]) for s in samples),
    ]
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
