"""Merge runs into one table: for each benchmark, the rows of the newest run that measured it.

A run is a results.json, or a results.md written by report.py (older reruns kept only that): its
table rows are read back as text cells, so the merged table shows them as they were printed.
"""

import json
import re
from pathlib import Path

ROW = re.compile(r"^\| (\d) \| (.+?) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \|$")
RUN = re.compile(r"^Run (\d{4}-\d\d-\d\d \d\d:\d\d UTC)")
COMMAND = re.compile(r"Command: `([^`]*)`")
LOAD = re.compile(r"Load average (.*?) \(the two cores")


def read_run(path):
    """{"meta": {...}, "rows": [...]} of a results.json or results.md (or a folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.json" if (path / "results.json").exists() else path / "results.md"
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        data["meta"]["source"] = str(path)
        return data
    return _read_markdown(path)


def _read_markdown(path):
    text = path.read_text()
    meta = {"source": str(path), "started": "", "command": "", "load_average": "-"}
    for line in text.splitlines():
        if RUN.match(line):
            meta["started"] = RUN.match(line).group(1)
            meta["command"] = (COMMAND.search(line) or [None, ""])[1]
            meta["load_average"] = (LOAD.search(line) or [None, "-"])[1]
            break
    rows = []
    for line in text.split("## Findings")[0].splitlines():
        m = ROW.match(line.strip())
        if not m:
            continue
        bench, case, ours, peer, ratio, target, result = m.groups()
        rows.append(
            {
                "bench": bench,
                "case": case,
                "unit": "text",
                "ours_text": ours,
                "peer_text": peer,
                "ratio": None if ratio == "-" else float(ratio),
                "target": target,
                "met": {"met": True, "**missed**": False}.get(result),
            }
        )
    notes = [line[2:] for line in text.split("## Findings")[0].splitlines() if line.startswith("- ")]
    for r in rows:
        prefix = "%s, %s: " % (r["bench"], r["case"])
        r["note"] = next((n[len(prefix) :] for n in notes if n.startswith(prefix)), "")
    return {"meta": meta, "rows": rows}


def merge(base, others):
    """base's rows, each benchmark's replaced by the newest run among base and others that has it.

    A row remembers its run ("run": its start time, "run_meta"), so merging a merged table again
    keeps each benchmark's real age.
    """
    by_bench = {}
    for run in [base] + list(others):
        for r in run["rows"]:
            meta = r.get("run_meta") or {k: run["meta"].get(k) for k in ("started", "command", "load_average")}
            row = dict(r, run=meta["started"], run_meta=meta)
            by_bench.setdefault(r["bench"], []).append(row)
    rows, sources = [], []
    for bench in sorted(by_bench):
        newest = max(row["run"] or "" for row in by_bench[bench])
        chosen = [row for row in by_bench[bench] if (row["run"] or "") == newest]
        seen = set()  # the same run given twice: keep each case once
        for row in chosen:
            if row["case"] not in seen:
                seen.add(row["case"])
                rows.append(row)
        meta = chosen[0]["run_meta"]
        sources.append(
            "%s: run %s (`%s`, load average %s)"
            % (bench, meta.get("started"), meta.get("command"), meta.get("load_average") or "-")
        )
    return {"meta": dict(base["meta"], sources=sources), "rows": rows}
