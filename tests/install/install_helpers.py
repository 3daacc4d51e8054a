"""A fresh checkout, fresh virtual environments and the README's install blocks, for the tests that
install the package the way a user does (tests/install)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB_EXTENSION = "rsconnect-jupyter"  # labextension/package.json "name"


def clean_copy(dest):
    """What a clean clone of this checkout holds: committed files plus new ones git does not ignore.

    Nothing built (no lab extension, no node_modules, no .venv) comes along; file times are kept.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    dest = Path(dest)
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if not source.is_file():  # deleted in the working tree, not yet committed
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / name)
    return dest


def fresh_venv(path):
    """A new virtual environment with its own pip, as `python -m venv` makes it for a user."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return Path(path)


def user_env(venv, home, path=None):
    """The environment of a user whose shell has `venv` activated; Jupyter's user folders in home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV"))}
    home = Path(home)
    env.update(
        {
            "VIRTUAL_ENV": str(venv),
            "PATH": os.pathsep.join(
                filter(None, [str(Path(venv) / "bin"), os.environ["PATH"] if path is None else path])
            ),
            "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
            "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
    )
    return env


def run(argv, **kwargs):
    """Run and return stdout + stderr; a failure shows both."""
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    output = done.stdout + done.stderr
    assert done.returncode == 0, "%s failed (exit %d):\n%s" % (argv, done.returncode, output[-8000:])
    return output


def plain(text):
    """Jupyter's list commands colour "enabled" and "OK"."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def readme_install_blocks(readme=REPO / "README.md"):
    """The bash blocks of the README's "Install" section, by the UI their first comment line names."""
    text = readme.read_text()
    section = re.search(r"^## Install\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "README.md has no '## Install' section"
    blocks = {}
    for block in re.findall(r"```bash\n(.*?)```", section.group(1), re.S):
        first, _, rest = block.partition("\n")
        assert first.startswith("# "), "an install block must start with a comment naming its UI: %r" % block
        blocks[first[2:].split(":")[0].strip()] = block
    return blocks
