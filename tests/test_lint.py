"""The code base stays flake8-clean: the settings live in .flake8 at the repository root."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_flake8_finds_nothing():
    # From the root, so flake8 reads .flake8 (line length, excluded folders) as a developer's run does.
    result = subprocess.run([sys.executable, "-m", "flake8"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, "flake8 exited %d:\n%s%s" % (result.returncode, result.stdout, result.stderr)
