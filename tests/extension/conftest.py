"""Fixtures for the notebook extension: real Jupyter servers (both kinds); the browser is in tests/conftest.py."""

import pytest

from tests.extension.jupyter_servers import KINDS, forget_saved_servers, start_jupyter, stop_jupyter


@pytest.fixture(scope="session", params=KINDS)
def jupyter(request, tmp_path_factory, isolated_config):
    """notebook 6.5 (NotebookApp) and nbclassic on jupyter_server 2, one of each per session."""
    server = start_jupyter(request.param, tmp_path_factory.mktemp("jupyter-" + request.param))
    yield server
    stop_jupyter(server)


@pytest.fixture
def no_saved_servers(jupyter):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    forget_saved_servers(jupyter)
    yield
