"""Fixtures for the JupyterLab 4 / Notebook 7 extension: a real server of each kind from
.venv-lab; the browser fixtures (Debian's Chromium through Playwright) are in tests/conftest.py."""

import pytest

from tests.extension.jupyter_servers import forget_saved_servers
from tests.lab.lab_servers import KINDS, start_lab, stop_lab


@pytest.fixture(scope="session", params=sorted(KINDS))
def lab(request, tmp_path_factory, isolated_config):
    """JupyterLab 4 and Notebook 7, one server of each per session."""
    server = start_lab(request.param, tmp_path_factory.mktemp("lab-" + request.param))
    yield server
    stop_lab(server)


@pytest.fixture
def no_saved_servers(lab):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    forget_saved_servers(lab)
    yield
