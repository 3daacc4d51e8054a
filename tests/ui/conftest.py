"""One browser flow, four notebook UIs: the classic Notebook (notebook 6.5 and nbclassic) and
JupyterLab 4 and Notebook 7, each driven through its UI adapter (tests/extension/extension_ui.py,
tests/lab/lab_ui.py), which name the same steps the same way."""

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from tests.extension import extension_ui
from tests.extension.jupyter_servers import KINDS as CLASSIC_KINDS
from tests.extension.jupyter_servers import forget_saved_servers, start_jupyter, stop_jupyter
from tests.lab import lab_ui
from tests.lab.lab_servers import KINDS as LAB_KINDS
from tests.lab.lab_servers import start_lab, stop_lab


@dataclass
class Front:
    kind: str  # notebook, nbclassic, lab, notebook7
    server: Any  # JupyterServer or LabServer: .root, .url, .token, .api()
    ui: ModuleType  # the adapter

    @property
    def classic(self) -> bool:
        return self.kind in CLASSIC_KINDS


KINDS = list(CLASSIC_KINDS) + sorted(LAB_KINDS)


def pytest_generate_tests(metafunc):
    """Every test runs in each UI. A test that takes `theme` runs light everywhere and JupyterLab
    Dark in JupyterLab 4 and Notebook 7 only: the classic Notebook has one theme."""
    if "front" not in metafunc.fixturenames:
        return
    if "theme" in metafunc.fixturenames:
        cases = [(kind, "light") for kind in KINDS] + [(kind, "dark") for kind in sorted(LAB_KINDS)]
        ids = ["-".join(case) for case in cases]
        metafunc.parametrize(("front", "theme"), cases, indirect=True, ids=ids, scope="session")
    else:
        metafunc.parametrize("front", KINDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def front(request, tmp_path_factory, isolated_config):
    base = tmp_path_factory.mktemp("ui-" + request.param)
    if request.param in CLASSIC_KINDS:
        server = start_jupyter(request.param, base)
        yield Front(request.param, server, extension_ui)
        stop_jupyter(server)
    else:
        server = start_lab(request.param, base)
        yield Front(request.param, server, lab_ui)
        stop_lab(server)


@pytest.fixture
def no_saved_servers(front):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    forget_saved_servers(front.server)
    yield
