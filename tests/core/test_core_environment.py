"""The environment snapshot, taken by other interpreters in fresh virtual environments."""

import glob
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rsconnect_jupyter.environment import SNAPSHOT_PROGRAM, kernel_code, parse_snapshot, snapshot
from rsconnect_jupyter.exceptions import SnapshotError
from tests.pythons import require_python


def make_venv(python, folder):
    subprocess.run([python, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    site = glob.glob(str(folder / "lib" / "python3.*" / "site-packages"))[0]
    return folder / "bin" / "python", Path(site)


def fake_distribution(site, name, version, direct_url=None):
    info = site / ("%s-%s.dist-info" % (name.replace("-", "_"), version))
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: x\n\nLong text\nName: no\n" % (name, version)
    )
    if direct_url:
        (info / "direct_url.json").write_text(json.dumps(direct_url))


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory):
    """A Python 3.9 virtual environment with no pip, and a few hand-made distributions."""
    # The oldest Python the package supports: without it the test would quietly use this one.
    python = require_python("3.9")
    exe, site = make_venv(python, tmp_path_factory.mktemp("venv") / "env")
    fake_distribution(site, "Requests-Mock", "1.2.3")
    fake_distribution(site, "rsconnect_jupyter", "2.0.0")  # this package: left out
    fake_distribution(site, "rsconnect-jupyter-helpers", "0.1")  # contains the name, but is another package
    fake_distribution(site, "mylib", "0.0.1", {"url": "file:///src/mylib", "dir_info": {"editable": True}})
    fake_distribution(site, "localwheel", "1.0", {"url": "file:///tmp/localwheel-1.0.whl", "archive_info": {}})
    fake_distribution(site, "setuptools", "70.0")
    fake_distribution(site, "Alpha", "3")
    return exe


def test_snapshot_of_a_venv_without_pip_or_this_package(bare_venv, tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)
    result = snapshot(python=str(bare_venv), directory=tmp_path)
    expected_python = subprocess.run(
        [str(bare_venv), "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    ).stdout.strip()
    assert result["python"] == expected_python and expected_python.startswith("3.9."), expected_python
    assert result["source"] == "generated"
    lines = result["requirements"].splitlines()
    assert lines[:3] == ["Alpha==3", "Requests-Mock==1.2.3", "rsconnect-jupyter-helpers==0.1"]
    assert not any(line.startswith("rsconnect_jupyter==") for line in lines)
    assert "# localwheel==1.0: left out, installed from a local file or folder" in lines
    assert "# mylib==0.0.1: left out, installed from an editable install" in lines
    # pip freeze drops setuptools before Python 3.12 only
    assert ("setuptools==70.0" in lines) == (tuple(map(int, result["python"].split(".")[:2])) >= (3, 12))
    # pip is not installed there: uv if on PATH, else none
    assert result["package_manager"]["name"] in ("uv", "none")
    assert result["locale"]


def test_requirements_txt_is_used_as_is(bare_venv, tmp_path):
    text = "# pinned by hand\r\nnumpy>=1.0\n-r other.txt\n"
    (tmp_path / "requirements.txt").write_bytes(text.encode())
    result = snapshot(python=str(bare_venv), directory=tmp_path)
    assert result["source"] == "file" and result["requirements"] == text
    forced = snapshot(python=str(bare_venv), directory=tmp_path, force_generate=True)
    assert forced["source"] == "generated" and "Alpha==3" in forced["requirements"]


@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_snapshot_with_other_pythons(version, tmp_path):
    python = require_python(version)
    result = snapshot(python=python, directory=tmp_path)
    assert result["python"].startswith(version + ".")
    assert result["package_manager"]["name"] == "pip" and result["package_manager"]["version"]


def test_snapshot_of_this_python_matches_pip_freeze(tmp_path):
    result = snapshot(directory=tmp_path, force_generate=True)
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    expected = {line for line in frozen.splitlines() if "==" in line and not line.startswith("#")}
    ours = {line for line in result["requirements"].splitlines() if not line.startswith("#")}
    normalize = lambda lines: {line.lower().replace("_", "-") for line in lines}  # noqa: E731
    assert normalize(ours) == normalize(expected)
    assert result["package_manager"]["name"] == "pip"


def test_kernel_code_prints_the_same_snapshot_and_leaves_the_namespace_alone(tmp_path):
    (tmp_path / "requirements.txt").write_text("click\n")
    code = (
        "x = 1\n"
        + kernel_code(tmp_path)
        + "\nprint('namespace', sorted(k for k in globals() if not k.startswith('__')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "namespace ['x']" in out
    data = parse_snapshot(out)
    assert data["requirements"] == "click\n" and data["source"] == "file"


def test_errors_are_one_sentence(tmp_path):
    with pytest.raises(SnapshotError, match="does not exist or is not executable"):
        snapshot(python=str(tmp_path / "nope" / "python"))
    with pytest.raises(SnapshotError, match="printed no result"):
        parse_snapshot("just some output\n")
    with pytest.raises(SnapshotError, match="boom"):
        parse_snapshot('{"error": "OSError: boom"}')
    old = require_python("2.7")
    with pytest.raises(SnapshotError, match="Python 3.9 or newer"):
        snapshot(python=str(old))


def test_program_is_standalone():
    # Runs with -I (no site, no user paths, no this package): still JSON.
    out = subprocess.run([sys.executable, "-I", "-c", SNAPSHOT_PROGRAM], capture_output=True, text=True, check=True)
    assert parse_snapshot(out.stdout)["python"] == "%d.%d.%d" % sys.version_info[:3]


def test_kernel_code_in_a_real_kernel(tmp_path):
    from jupyter_client.manager import start_new_kernel

    (tmp_path / "requirements.txt").write_text("pandas==2.2.2\n")
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        chunks = []

        def collect(msg):
            if msg["msg_type"] == "stream":
                chunks.append(msg["content"]["text"])

        reply = kc.execute_interactive("user_value = 5\n" + kernel_code(tmp_path), timeout=60, output_hook=collect)
        assert reply["content"]["status"] == "ok"
        data = parse_snapshot("".join(chunks))
        assert data["requirements"] == "pandas==2.2.2\n" and data["source"] == "file"
        assert data["python"] == "%d.%d.%d" % sys.version_info[:3]
        check = kc.execute_interactive(
            "print(sorted(k for k in dir() if not k.startswith('_') and k not in "
            "('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))",
            timeout=30,
            output_hook=collect,
        )
        assert check["content"]["status"] == "ok" and chunks[-1].strip() == "['user_value']"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
