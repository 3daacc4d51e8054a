"""The code base stays clean: ruff (lint and format) and mypy for Python, ESLint and prettier for both
front ends. Settings: pyproject.toml ([tool.ruff], [tool.mypy]) and eslint.config.mjs / package.json."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _python_tool(*args):
    # From the root, so each tool reads pyproject.toml as a developer's run does.
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _python_tool("ruff", "check", ".")
    assert result.returncode == 0, "ruff check exited %d:\n%s%s" % (result.returncode, result.stdout, result.stderr)


def test_ruff_format_changes_nothing():
    result = _python_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, "ruff format --check exited %d (run `ruff format`):\n%s%s" % (
        result.returncode,
        result.stdout,
        result.stderr,
    )


def test_mypy_finds_nothing():
    # Every function of the package is annotated; the client core is checked strictly (pyproject.toml).
    result = _python_tool("mypy")
    assert result.returncode == 0, "mypy exited %d:\n%s%s" % (result.returncode, result.stdout, result.stderr)


def test_ruff_reports_an_injected_unused_import():
    # The checks above can fail: the same configuration reports a fault added to a real module.
    source = (REPO / "rsconnect_jupyter" / "manifest.py").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--stdin-filename", "rsconnect_jupyter/manifest.py", "-"],
        cwd=REPO,
        input="import zipfile\n" + source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout + result.stderr


# The JavaScript side: ESLint over both front ends (nbextension/*.js, labextension/src/*.ts), with
# eslint.config.mjs at the root and the packages of the root package.json, installed by jlpm
# (scripts/test runs `jlpm install --immutable`).
JLPM = REPO / ".venv-lab" / "bin" / "jlpm"


def _jlpm(*args, stdin=None):
    assert JLPM.exists(), "%s is missing: run scripts/test (it creates .venv-lab and installs the JS packages)" % JLPM
    return subprocess.run([str(JLPM), *args], cwd=REPO, input=stdin, capture_output=True, text=True, timeout=300)


def test_eslint_finds_nothing():
    result = _jlpm("run", "lint")
    assert result.returncode == 0, "jlpm run lint exited %d:\n%s%s" % (result.returncode, result.stdout, result.stderr)


def _eslint_stdin(path, text):
    """Lints `text` as if it were the file at `path` (so the config's rules for that path apply)."""
    return _jlpm("eslint", "--format", "json", "--stdin", "--stdin-filename", path, stdin=text)


def _rules_reported(result):
    import json

    assert result.stdout.strip(), "eslint printed nothing (exit %d):\n%s" % (result.returncode, result.stderr)
    return [message["ruleId"] for report in json.loads(result.stdout) for message in report["messages"]]


def test_eslint_reports_an_injected_unused_variable():
    # The lint test above can fail: the same config, on a real file of each front end with one
    # unused variable added, reports it (and the file as it is reports nothing).
    cases = [
        ("nbextension/main.js", "'use strict';", "'use strict';\n    var injectedUnused = 1;", "no-unused-vars"),
        (
            "labextension/src/core/notebook.ts",
            "const READY_TIMEOUT_MS = ",
            "const injectedUnused = 1;\nconst READY_TIMEOUT_MS = ",
            "@typescript-eslint/no-unused-vars",
        ),
        # The core serves both UIs: a UI framework's import is refused there.
        (
            "labextension/src/core/notebook.ts",
            "import { say } from './messages';",
            "import { say } from './messages';\nexport { Dialog } from '@jupyterlab/apputils';",
            "no-restricted-imports",
        ),
    ]
    for path, anchor, injected, rule in cases:
        text = (REPO / path).read_text()
        assert anchor in text, "%s no longer contains %r: pick another place to inject" % (path, anchor)
        clean = _eslint_stdin(path, text)
        assert clean.returncode == 0 and _rules_reported(clean) == [], (path, clean.stdout, clean.stderr)
        dirty = _eslint_stdin(path, text.replace(anchor, injected, 1))
        assert dirty.returncode == 1, (path, dirty.returncode, dirty.stdout, dirty.stderr)
        assert _rules_reported(dirty) == [rule], (path, dirty.stdout)
        assert rule == "no-restricted-imports" or "injectedUnused" in dirty.stdout


# tests/browser_marker.py stops a collection that holds a test starting Chromium without the
# `browser` marker (tests/test_tiers.py loads it in its collection of the whole suite); here, on a
# planted unmarked test.
def _collect_with_marker_check(*args, cwd=REPO):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=", "-p", "tests.browser_marker", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_browser_test_without_the_marker_is_reported(tmp_path):
    (tmp_path / "conftest.py").write_text("import pytest\n\n\n@pytest.fixture\ndef browser():\n    return None\n")
    (tmp_path / "test_pages.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef page(browser):\n    return browser\n\n\n"
        "def test_unmarked(page):\n    assert page is None\n\n\n"
        "@pytest.mark.browser\ndef test_marked(page):\n    assert page is None\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: drives Chromium\n")
    result = _collect_with_marker_check("-p", "no:cacheprovider", str(tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert "test_pages.py::test_unmarked" in result.stderr and "test_marked" not in result.stderr, result.stderr
