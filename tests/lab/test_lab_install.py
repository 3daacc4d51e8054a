"""What `pip install` of the package put into .venv-lab: the prebuilt lab extension and the
server extension, both enabled, as Jupyter's own list commands report them, and the UIs there
(JupyterLab 4, Notebook 7) start and show the Publish button on a notebook."""

import re

import pytest

from tests.install.install_helpers import open_with_publish_button
from tests.lab import lab_servers
from tests.lab.lab_servers import lab_python, run_jupyter


def plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # the list commands colour "enabled" and "OK"


def test_labextension_enabled_and_ok():
    lab_python()  # fails with "run scripts/test" when .venv-lab is missing
    out = plain(run_jupyter("labextension", "list"))
    assert re.search(r"rsconnect-jupyter v\S+ enabled OK", out), out


def test_server_extension_enabled():
    out = plain(run_jupyter("server", "extension", "list"))
    assert re.search(r"rsconnect_jupyter enabled", out), out
    assert re.search(r"rsconnect_jupyter \S+ OK", out), out


def test_missing_lab_venv_fails_with_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(lab_servers, "LAB_PYTHON", tmp_path / "no-venv" / "bin" / "python")
    with pytest.raises(AssertionError) as failure:
        lab_servers.lab_python()
    assert "run scripts/test" in str(failure.value)


def test_each_installed_ui_shows_the_publish_button(lab, page):
    button = open_with_publish_button(page, lab, "installed-ui.ipynb")
    assert "Publish" in button.inner_text()
