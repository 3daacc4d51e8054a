"""`--cpu-report`: the CPU-seconds each test folder and module took, printed at the end (.ci/run).

On a 2-core machine CI's wall time is about the suite's CPU over two, whatever the number of
workers, so CPU, not a test's wall time, says where a cut pays. A test's CPU is counted over the
process tree of the worker that ran it: its Jupyter servers, browsers, kernels and installs included
(a session fixture's server counts for the tests it serves while they run). A process that leaves
the tree without being waited for by it (killed before its children, or reparented) takes the CPU
counted so far out of the sum in the test where it goes, so a folder of tests that kill servers can
even show less than nothing: the figures are approximate, good for ranking the big costs.
"""

from __future__ import annotations

import collections
import time
from typing import Any

import psutil
import pytest

KEY = "cpu_report"


def _tree_cpu(me: psutil.Process) -> float:
    total = 0.0
    try:
        processes = [me, *me.children(recursive=True)]
    except psutil.Error:
        processes = [me]
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.Error:  # it exited meanwhile: its parent's children times have it
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


class CpuReport:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.me = psutil.Process()
        self.rows: list[tuple[str, float, float]] = []  # (node id, CPU-seconds, wall seconds)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> Any:
        cpu, wall = _tree_cpu(self.me), time.monotonic()
        yield
        self.rows.append((item.nodeid, _tree_cpu(self.me) - cpu, time.monotonic() - wall))

    def pytest_sessionfinish(self) -> None:
        output = getattr(self.config, "workeroutput", None)
        if output is not None:  # a pytest-xdist worker: the controller prints
            output[KEY] = self.rows

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.rows.extend(tuple(row) for row in getattr(node, "workeroutput", {}).get(KEY, []))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if getattr(self.config, "workeroutput", None) is not None or not self.rows:
            return
        write = terminalreporter.write_line
        terminalreporter.section("CPU-seconds by folder and module (--cpu-report)")
        total = sum(cpu for _, cpu, _ in self.rows)
        write("%.0f CPU-s in %d tests (approximate: see tests/cpu_report.py)" % (total, len(self.rows)))
        for title, key, count in (
            ("folder", lambda n: n.split("::")[0].rsplit("/", 1)[0], 15),
            ("module", lambda n: n.split("::")[0], 30),
        ):
            sums: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0, 0.0])
            for nodeid, cpu, wall in self.rows:
                entry = sums[key(nodeid)]
                entry[0] += cpu
                entry[1] += 1
                entry[2] += wall
            write("%8s %6s %8s  %s" % ("CPU-s", "tests", "wall-s", title))
            for name, (cpu, n, wall) in sorted(sums.items(), key=lambda kv: -kv[1][0])[:count]:
                write("%8.0f %6d %8.0f  %s" % (cpu, n, wall, name))


def add_option(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-report", action="store_true", help="print the CPU-seconds of each test folder and module")


def configure(config: pytest.Config) -> None:
    if config.getoption("--cpu-report"):
        config.pluginmanager.register(CpuReport(config), KEY)
