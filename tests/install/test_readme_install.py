"""The README's install blocks, run verbatim (read from README.md, never copied here) in a fresh
virtual environment inside a clean copy of the repository, enable the extension for the UI each
one names, as Jupyter's own list commands report it.

A clean copy has no built lab extension: `pip install .` builds it with jlpm (Node.js is on this
machine's PATH), which is what a user of a fresh clone gets.
"""

import re

import pytest

from tests.install.install_helpers import REPO, clean_copy, fresh_venv, plain, readme_install_blocks, run, user_env

pytestmark = pytest.mark.slow

UIS = {
    # the README's block title -> what must be enabled afterwards
    "JupyterLab 4": ("server", "lab"),
    "Notebook 7": ("server", "lab"),
    "Classic Notebook 6.5": ("server", "classic"),
}


def test_the_readme_names_each_ui_once():
    assert sorted(readme_install_blocks()) == sorted(UIS)


@pytest.mark.parametrize("ui", sorted(UIS))
def test_readme_install_block_enables_the_extension(ui, tmp_path):
    block = readme_install_blocks()[ui]
    checkout = clean_copy(tmp_path / "rsconnect-jupyter")
    venv = fresh_venv(tmp_path / "venv")
    env = user_env(venv, tmp_path / "home")
    run(["bash", "-euo", "pipefail", "-c", block], cwd=checkout, env=env)

    def jupyter(*args):
        return plain(run([str(venv / "bin" / "jupyter"), *args], cwd=tmp_path, env=env))

    expected = UIS[ui]
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
    assert (checkout / "yarn.lock").read_bytes() == (REPO / "yarn.lock").read_bytes()


def test_a_plain_pip_install_brings_the_cli_and_the_server_extension(tmp_path):
    """`pip install .` alone: no UI, but the `rsconnect` command and the server extension."""
    checkout = clean_copy(tmp_path / "rsconnect-jupyter")
    venv = fresh_venv(tmp_path / "venv")
    env = user_env(venv, tmp_path / "home")
    env["HATCH_JUPYTER_BUILDER_SKIP_NPM"] = "1"  # the lab build is tested above
    run([str(venv / "bin" / "pip"), "install", "-q", "."], cwd=checkout, env=env)
    assert "rsconnect, version" in run([str(venv / "bin" / "rsconnect"), "--version"], env=env)
    servers = plain(run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], env=env))
    assert re.search(r"rsconnect_jupyter \S+ OK", servers), servers
