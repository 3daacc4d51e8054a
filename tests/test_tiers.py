"""The quick tier (`bash scripts/test -m quick`) leaves out every test that drives a browser, installs
the package or needs the hub, whatever markers its file sets (tests/conftest.py marks tests by the
fixtures they use), and the workers take tests/hub as one unit of work, other tests by module."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_marker import BROWSER_FIXTURE
from tests.conftest import _group

REPO = Path(__file__).resolve().parents[1]
# A plugin for the collecting pytest: every test with its fixtures and markers, and which `-m` kept.
DUMP = """
import json, os
seen = {}
def record(items, selected):
    for item in items:
        seen[item.nodeid] = {"fixtures": sorted(item.fixturenames), "selected": selected,
                             "markers": sorted({m.name for m in item.iter_markers()})}
def pytest_deselected(items):
    record(items, False)
def pytest_collection_finish(session):
    record(session.items, True)
    with open(os.environ["TIERS_DUMP"], "w") as f:
        json.dump(seen, f)
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """One collection of the whole suite with `-m quick`, as `scripts/test -m quick` makes it, with
    tests/browser_marker.py loaded (it stops a collection that holds an unmarked browser test):
    every test with its fixtures and markers, and whether the quick tier kept it."""
    tmp_path = tmp_path_factory.mktemp("tiers")
    (tmp_path / "tiers_dump.py").write_text(DUMP)
    dump = tmp_path / "tests.json"
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]), "TIERS_DUMP": str(dump)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tiers_dump", "-p", "tests.browser_marker", "-p", "no:cacheprovider"]
        + ["--collect-only", "-q", "-o", "addopts=", "-m", "quick", "tests"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(dump.read_text())


def test_the_quick_tier_leaves_out_browser_install_and_hub_tests(collected):
    tests = collected
    browser = {n for n, t in tests.items() if {"page", "browser", "browsers"} & set(t["fixtures"])}
    dashboard_browser = {n for n in browser if n.startswith("tests/localserver/test_dashboard.py")}
    assert dashboard_browser and "tests/test_browser.py::test_the_browser_is_debians_chromium" in browser
    for name in browser:
        assert "browser" in tests[name]["markers"], name
    for name, test in tests.items():
        installs = name.startswith("tests/install/") or name.split("::")[0].endswith("/test_lab_install.py")
        heavy = name in browser or installs or "hub_env" in test["fixtures"]
        if heavy or "slow" in test["markers"]:
            assert not test["selected"] and "quick" not in test["markers"], name
        else:
            assert test["selected"] and "quick" in test["markers"], name
    kept = {n for n, t in tests.items() if t["selected"]}
    assert any(n.startswith("tests/core/") for n in kept) and any(n.startswith("tests/localserver/") for n in kept)
    assert any(n.startswith("tests/hub/test_hub_files.py") for n in kept)  # no hub needed there


# Every test that starts Chromium carries the `browser` marker (tests/browser_marker.py, loaded in
# the collection above, refuses one that does not), so `-m "not browser"` leaves them all out.
def test_every_browser_test_has_the_browser_marker(collected):
    browser = [n for n, t in collected.items() if BROWSER_FIXTURE in t["fixtures"]]
    assert len(browser) > 100, len(browser)  # the collection saw the whole suite's browser tests
    assert [n for n in browser if "browser" not in collected[n]["markers"]] == []


def test_the_hub_folder_is_one_unit_of_work_and_other_tests_go_by_module():
    assert _group("tests/install/test_build.py::test_x[a]") == "tests/install/test_build.py"
    # Each README block is a unit: the blocks install side by side on several workers.
    readme = "tests/install/test_readme_install.py::test_readme_install_block_enables[JupyterLab 4]"
    assert _group(readme) == readme
    assert _group("tests/hub/test_hub_publish.py::test_z") == "tests/hub"
    assert _group("tests/lab/test_lab_install.py::test_w[jupyterlab4]") == "tests/lab/test_lab_install.py"
    assert _group("tests/test_lint.py::test_v") == "tests/test_lint.py"
