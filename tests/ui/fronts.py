"""The Jupyter servers of the browser tests: one per front end for a whole test session (on each
worker), started when a test first asks for it. tests/extension, tests/lab and tests/ui all take
theirs from here, so a worker that runs modules of all three starts each front end once, not once
per folder (nor once per module, which a parametrized session fixture does when modules switch
between front ends)."""

import sys
from dataclasses import dataclass
from typing import Any

import pytest

from tests.extension import extension_ui
from tests.extension.jupyter_servers import KINDS as CLASSIC_KINDS
from tests.extension.jupyter_servers import forget_saved_servers, start_jupyter, stop_jupyter
from tests.lab import lab_ui
from tests.lab.lab_servers import KINDS as LAB_KINDS
from tests.lab.lab_servers import lab_python, start_lab

KINDS = list(CLASSIC_KINDS) + sorted(LAB_KINDS)  # notebook, nbclassic, jupyterlab4, notebook7
# The UIs every flow of tests/ui runs in: one per front-end code (the nbextension, the lab
# extension). The other two run the same code in another host: they run the flows marked
# `every_ui` (tests/ui/conftest.py).
EVERY_FLOW = ("notebook", "jupyterlab4")

# kind -> its server, for this process (a pytest-xdist worker is a process of its own).
RUNNING: dict = {}


@dataclass
class Front:
    kind: str  # one of KINDS
    server: Any  # JupyterServer or LabServer: .root, .url, .token, .api()
    ui: Any  # the adapter: extension_ui.CLASSIC or lab_ui.LAB (tests/ui/adapter.py)

    @property
    def classic(self) -> bool:
        return self.kind in CLASSIC_KINDS

    @property
    def python(self):
        """The Python the notebook's kernel runs: the classic UIs run from .venv, the others from .venv-lab."""
        return sys.executable if self.classic else lab_python()


def front(kind, server):
    return Front(kind, server, extension_ui.CLASSIC if kind in CLASSIC_KINDS else lab_ui.LAB)


@pytest.fixture(scope="session")
def jupyter_servers(tmp_path_factory, isolated_config):
    """`jupyter_servers(kind)`: the session's server of that front end, started at the first call.
    Each conftest that imports this gets its own copy of the fixture; all share RUNNING."""

    def server(kind):
        if kind not in RUNNING:
            base = tmp_path_factory.mktemp("jupyter-" + kind)
            RUNNING[kind] = start_jupyter(kind, base) if kind in CLASSIC_KINDS else start_lab(kind, base)
        return RUNNING[kind]

    yield server
    while RUNNING:
        stop_jupyter(RUNNING.popitem()[1])


def one_server_per_kind(name, kinds):
    """A session fixture `name` with one param per kind: that front end's shared server."""

    @pytest.fixture(name=name, scope="session", params=list(kinds))
    def server(request, jupyter_servers):
        return jupyter_servers(request.param)

    return server


def forgetting_saved_servers(fixture):
    """A fixture that removes every saved server (through the handlers of the server that the
    fixture named `fixture` gives) before its test: the test starts at the first-use dialog."""

    @pytest.fixture(name="no_saved_servers")
    def no_saved_servers(request):
        server = request.getfixturevalue(fixture)
        forget_saved_servers(getattr(server, "server", server))
        yield

    return no_saved_servers
