"""`python -m benchmarks` (or `bash benchmarks/run`): issue 6's benchmarks, ours against rsconnect-python.

bash benchmarks/run                       # the full run: 5 rounds, 1 GB for benchmark 3
bash benchmarks/run --rounds 2 --data-gb 0.05 --only 1,4    # a quick look
"""

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import cases, harness, report
from .harness import WORK, log


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rounds", type=int, default=5, help="rounds per tool and case (default 5)")
    p.add_argument("--big-rounds", type=int, default=3, help="rounds of the 1 GB directory deploy (default 3)")
    p.add_argument("--data-gb", type=float, default=1.0, help="size of benchmark 3's data, in GiB (default 1)")
    p.add_argument("--concurrency", type=int, default=20, help="deploys at once in benchmark 5 (default 20)")
    p.add_argument("--only", default="1,2,3,4,5", help="comma-separated benchmarks to run (default all)")
    p.add_argument(
        "--out",
        default=str(report.RESULTS),
        help="folder for results.md, results.json and ratios.png (default benchmarks/results)",
    )
    p.add_argument("--keep-server", action="store_true", help="leave the server's data folder in .work/runs")
    p.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite results.md and ratios.png from results.json (and findings.md) without measuring",
    )
    p.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="RUN",
        help="with --report-only: also read this run (a folder, results.json or results.md; "
        "repeatable); each benchmark's rows come from the newest run that has it",
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if args.report_only:
        import json

        data = json.loads((Path(args.out) / "results.json").read_text())
        if args.merge:
            from . import merge

            data = merge.merge(data, [merge.read_run(run) for run in args.merge])
        findings = Path(args.out) / "findings.md"
        data["meta"]["findings"] = findings.read_text() if findings.exists() else None
        md = report.write(data["meta"], data["rows"], args.out)
        report.plot(
            harness.ensure_venv("tools", ["matplotlib", "pyinstrument", "py-spy"], "matplotlib pyinstrument py-spy"),
            args.out,
        )
        print(md.read_text())
        return 0
    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    envs = harness.setup_envs()
    log("peer: rsconnect-python %s; env80: %d packages" % (envs["peer_version"], envs["env80_packages"]))
    rows = []
    server = None
    data_dir = None
    try:
        if only & {"2", "3", "5"}:
            data_dir = Path(tempfile.mkdtemp(prefix="server-", dir=str(WORK)))
            server = harness.start_local_server(data_dir)
            log("local server at %s (data in %s)" % (server.url, data_dir))
        if "1" in only:
            log("benchmark 1: manifest")
            rows += cases.bench_manifest(envs, args.rounds)
        if "2" in only:
            log("benchmark 2: notebook deploy")
            rows += cases.bench_deploy_notebook(envs, server, args.rounds)
        if "3" in only:
            log("benchmark 3: directory deploy")
            rows += cases.bench_directory(envs, server, args.big_rounds, args.data_gb)
        if "4" in only:
            log("benchmark 4: in-kernel snapshot")
            rows += cases.bench_kernel_snapshot(envs, args.rounds)
        if "5" in only:
            log("benchmark 5: local server")
            rows += cases.bench_server(envs, server, args.rounds, args.concurrency)
    finally:
        if server is not None:
            server.stop()
            if args.keep_server:
                log("server data kept in %s" % data_dir)
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
    meta = {
        "started": started,
        "host": platform.node() or "this machine",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "peer_version": envs["peer_version"],
        "env80_packages": envs["env80_packages"],
        "rounds": args.rounds,
        "big_rounds": args.big_rounds,
        "data_gb": args.data_gb,
        "concurrency": args.concurrency,
        "command": "bash benchmarks/run " + " ".join(sys.argv[1:] if argv is None else argv),
        "load_average": "%.1f at the start, %.1f at the end (1 min)" % (load_start[0], os.getloadavg()[0]),
    }
    findings = Path(args.out) / "findings.md"
    if findings.exists():
        meta["findings"] = findings.read_text()
    md = report.write(meta, rows, args.out)
    png = report.plot(envs["tools"], args.out)
    print(md.read_text())
    log("wrote %s%s" % (md, (" and %s" % png) if png else ""))
    return 0 if all(r.get("met") is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
