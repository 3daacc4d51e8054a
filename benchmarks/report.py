"""results.md, results.json and (through the tools virtualenv's matplotlib) ratios.png."""

import json
import subprocess
from pathlib import Path

from .harness import HERE, log

RESULTS = HERE / "results"


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "s":
        return "%.3f s" % value if value < 10 else "%.1f s" % value
    if unit == "MB/s":
        return "%.1f MB/s" % value
    if unit == "MB":
        return "%.0f MB" % value
    return "%.3g %s" % (value, unit)


def verdict(r):
    if r.get("met") is None:
        return ""
    return "met" if r["met"] else "**missed**"


def ratio_text(r):
    return "-" if r.get("ratio") is None else "%.2f" % r["ratio"]


def write(meta, rows, out_dir=RESULTS):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, default=str) + "\n")
    lines = [
        "# Benchmarks: rsconnect-jupyter against rsconnect-python",
        "",
        "Run %s on %s (%s cores), Python %s; peer: rsconnect-python %s; environment of benchmarks 1, 2, 4: "
        "%s packages (`pip freeze`). Rounds: %s (benchmark 3: %s, %.2f GB of data). Medians; ratio = ours / peer "
        "(for throughput: ours / tar; for benchmark 5: redeploy / first deploy). Command: `%s`. Load average "
        "%s (the two cores are shared with other work)."
        % (
            meta["started"],
            meta["host"],
            meta["cores"],
            meta["python"],
            meta["peer_version"],
            meta["env80_packages"],
            meta["rounds"],
            meta["big_rounds"],
            meta["data_gb"],
            meta["command"],
            meta.get("load_average", "-"),
        ),
        "",
        "| # | case | ours (median) | peer (median) | ratio | target | result |",
        "|---|------|---------------|---------------|-------|--------|--------|",
    ]
    if meta.get("sources"):
        lines[2] = (
            "Merged table: each benchmark's rows come from its newest run (medians; ratio = ours / peer, "
            "for throughput ours / tar, for benchmark 5 redeploy / first deploy). Host %s (%s cores), "
            "Python %s, peer rsconnect-python %s. Runs:\n\n%s"
            % (
                meta["host"],
                meta["cores"],
                meta["python"],
                meta["peer_version"],
                "\n".join("- benchmark " + s for s in meta["sources"]),
            )
        )
    for r in rows:
        if "ours_text" in r:  # a row read back from an older results.md
            lines.append(
                "| %s | %s | %s | %s | %s | %s | %s |"
                % (
                    r["bench"],
                    r["case"],
                    r["ours_text"],
                    r["peer_text"],
                    ratio_text(r),
                    r.get("target") or "",
                    verdict(r),
                )
            )
            continue
        ours, peer = fmt(r.get("ours_median"), r["unit"]), fmt(r.get("peer_median"), r["unit"])
        if r.get("tar_median") is not None:
            peer = "tar czf " + fmt(r["tar_median"], r["unit"])
        if r["bench"] == "5" and "first" in r["case"]:
            peer = "first deploy " + peer
        if r["bench"] == "4":
            peer = "pip freeze " + peer
        if r["bench"] == "5" and "at once" in r["case"]:
            ours = "median %s, slowest %s" % (fmt(r.get("ours_median"), "s"), fmt(r.get("slowest"), "s"))
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s |"
            % (r["bench"], r["case"], ours, peer, ratio_text(r), r.get("target") or "", verdict(r))
        )
    lines += ["", "Notes:", ""]
    for r in rows:
        if r.get("note"):
            lines.append("- %s, %s: %s" % (r["bench"], r["case"], r["note"]))
    if meta.get("findings"):
        lines += ["", "## Findings", "", meta["findings"].strip()]
    (out_dir / "results.md").write_text("\n".join(lines) + "\n")
    return out_dir / "results.md"


def plot(tools_venv, out_dir=RESULTS):
    out_dir = Path(out_dir)
    cmd = [
        str(Path(tools_venv) / "bin" / "python"),
        str(HERE / "plot.py"),
        str(out_dir / "results.json"),
        str(out_dir / "ratios.png"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        log("plot failed: %s" % proc.stderr[-2000:])
        return None
    return out_dir / "ratios.png"
