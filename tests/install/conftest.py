"""The install tests run on copies of this checkout that hold its lab-extension build (scripts/test
built it with jlpm from the sources, as a fresh clone's `pip install .` does; setup.py finds it newer
than its sources and builds nothing): the install tests build no lab extension of their own."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.install.install_helpers import LAB_BUILD, REPO, fresh_venv, readme_install_blocks, run, user_env


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
def built_checkout():
    """This checkout, whose lab extension scripts/test built (a failure says so, never a skip)."""
    assert (REPO / LAB_BUILD / "package.json").is_file(), (
        "%s is missing: run scripts/test, which builds the lab extension" % (REPO / LAB_BUILD)
    )
    return REPO
