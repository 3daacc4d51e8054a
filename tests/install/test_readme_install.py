"""The README's install blocks, run verbatim (read from README.md, never copied here) in a fresh
virtual environment inside a copy of the repository, enable the extension for the UI each one
names, as Jupyter's own list commands report it, and the UI they installed starts and shows the
Publish button on a notebook (Debian's Chromium).

The copy holds the lab extension that scripts/test built, as a clone where `pip install .` ran
once: the blocks build nothing, and the classic block never builds a lab extension it does not use.
"""

import re

import pytest

from tests.extension.jupyter_servers import stop_jupyter
from tests.install.conftest import run_readme_block
from tests.install.install_helpers import (
    BUILDS,
    REPO,
    copy_with_build,
    open_with_publish_button,
    plain,
    readme_install_blocks,
    run,
    start_ui,
)

pytestmark = pytest.mark.slow

UIS = {
    # the README's block title -> what must be enabled afterwards, and the UI it starts
    "JupyterLab 4": (("server", "lab"), "jupyterlab4"),
    "Notebook 7": (("server", "lab"), "notebook7"),
    "Classic Notebook 6.5": (("server", "classic"), "notebook"),
}


def test_the_readme_names_each_ui_once():
    assert sorted(readme_install_blocks()) == sorted(UIS)


def build_times(checkout):
    """Each file of the built lab extension with its modification time."""
    return {str(p): p.stat().st_mtime_ns for b in BUILDS for p in (checkout / b).rglob("*") if p.is_file()}


@pytest.fixture
def installed(request, built_checkout, tmp_path):
    """The block for `request.param` as it ran, on a copy with the lab build: it builds nothing."""
    ui = request.param
    checkout = copy_with_build(tmp_path / "rsconnect-jupyter", built_checkout)
    before = build_times(checkout)
    done = run_readme_block(ui, tmp_path, checkout)
    assert build_times(checkout) == before, "the %s block rebuilt the lab extension" % ui
    assert not (checkout / "node_modules").exists(), "the %s block ran jlpm" % ui
    return done


@pytest.mark.parametrize("installed", sorted(UIS), indirect=True)
def test_readme_install_block_enables_the_extension_and_its_ui_shows_publish(installed, page, tmp_path):
    venv, env = installed.venv, installed.env

    def jupyter(*args):
        return plain(run([str(venv / "bin" / "jupyter"), *args], cwd=tmp_path, env=env))

    expected, kind = UIS[installed.ui]
    servers = jupyter("server", "extension", "list")
    assert re.search(r"rsconnect_jupyter enabled", servers), servers
    assert re.search(r"rsconnect_jupyter \S+ OK", servers), servers
    if "lab" in expected:
        labs = jupyter("labextension", "list")
        assert re.search(r"rsconnect-jupyter v\S+ enabled OK", labs), labs
    if "classic" in expected:
        nbextensions = jupyter("nbextension", "list")
        assert re.search(r"rsconnect_jupyter/main\s+enabled", nbextensions), nbextensions
        assert "OK" in nbextensions.split("rsconnect_jupyter/main", 1)[1], nbextensions
        notebook_servers = jupyter("serverextension", "list")
        assert re.search(r"rsconnect_jupyter\s+enabled", notebook_servers), notebook_servers
    # The build never rewrites the lock file (jlpm install --immutable).
    assert (installed.checkout / "yarn.lock").read_bytes() == (REPO / "yarn.lock").read_bytes()
    # The UI the block installed starts, and a notebook shows the Publish button.
    server = start_ui(kind, venv, tmp_path / "ui")
    try:
        open_with_publish_button(page, server)
    finally:
        stop_jupyter(server)
