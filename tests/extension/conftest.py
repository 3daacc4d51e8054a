"""Fixtures for the notebook extension: real Jupyter servers (both kinds); the browser is in tests/conftest.py."""

import pytest

from tests.extension.jupyter_servers import KINDS, forget_saved_servers, start_jupyter, stop_jupyter


@pytest.fixture(scope="session")
def jupyters_by_kind(tmp_path_factory, isolated_config):
    """One server of each kind for the session, started when first asked for: both stay up, so a
    worker that runs one module after another does not restart them at each switch of kind."""
    started = {}

    def server(kind):
        if kind not in started:
            started[kind] = start_jupyter(kind, tmp_path_factory.mktemp("jupyter-" + kind))
        return started[kind]

    yield server
    for server in started.values():
        stop_jupyter(server)


@pytest.fixture(scope="session", params=KINDS)
def jupyter(request, jupyters_by_kind):
    """notebook 6.5 (NotebookApp) and nbclassic on jupyter_server 2, one of each per session."""
    return jupyters_by_kind(request.param)


@pytest.fixture
def no_saved_servers(jupyter):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    forget_saved_servers(jupyter)
    yield
