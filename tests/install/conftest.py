"""The install tests' one lab-extension build: the README's JupyterLab 4 block, run verbatim in a
clean copy (where `pip install` builds the extension with jlpm, as for a user of a fresh clone).
The other blocks and `python -m build` run on copies that already hold that build.

tests/conftest.py puts every test of this folder into one xdist group, so this runs once per run."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.install.install_helpers import clean_copy, fresh_venv, readme_install_blocks, run, user_env

BUILDS_THE_LAB_EXTENSION = "JupyterLab 4"  # the README block that runs on a clean copy


@dataclass
class Installed:
    """A README block run in `venv` from `checkout`, by a user whose Jupyter folders are in `home`."""

    ui: str
    checkout: Path
    venv: Path
    home: Path
    env: dict


def run_readme_block(ui, base, checkout):
    """The README's block for `ui`, verbatim, in a fresh virtual environment, from `checkout`."""
    base = Path(base)
    venv = fresh_venv(base / "venv")
    env = user_env(venv, base / "home")
    run(["bash", "-euo", "pipefail", "-c", readme_install_blocks()[ui]], cwd=checkout, env=env)
    return Installed(ui, Path(checkout), venv, base / "home", env)


@pytest.fixture(scope="session")
def lab_build(tmp_path_factory):
    """The JupyterLab 4 block on a clean copy: its checkout holds the lab build afterwards."""
    base = tmp_path_factory.mktemp("readme-jupyterlab")
    return run_readme_block(BUILDS_THE_LAB_EXTENSION, base, clean_copy(base / "rsconnect-jupyter"))
