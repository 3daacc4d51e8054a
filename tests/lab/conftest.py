"""Fixtures for the JupyterLab 4 / Notebook 7 extension: a real server of each kind from
.venv-lab; the browser fixtures (Debian's Chromium through Playwright) are in tests/conftest.py."""

import pytest

from tests.extension.jupyter_servers import forget_saved_servers
from tests.lab.lab_servers import KINDS, start_lab, stop_lab


@pytest.fixture(scope="session")
def labs_by_kind(tmp_path_factory, isolated_config):
    """One server of each kind for the session, started when first asked for: both stay up, so a
    worker that runs one module after another does not restart them at each switch of kind."""
    started = {}

    def server(kind):
        if kind not in started:
            started[kind] = start_lab(kind, tmp_path_factory.mktemp("lab-" + kind))
        return started[kind]

    yield server
    for server in started.values():
        stop_lab(server)


@pytest.fixture(scope="session", params=sorted(KINDS))
def lab(request, labs_by_kind):
    """JupyterLab 4 and Notebook 7, one server of each per session."""
    return labs_by_kind(request.param)


@pytest.fixture
def no_saved_servers(lab):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    forget_saved_servers(lab)
    yield
