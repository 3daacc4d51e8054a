"""One browser flow, four notebook UIs: the classic Notebook (notebook 6.5 and nbclassic) and
JupyterLab 4 and Notebook 7, each driven through its UI adapter (tests/extension/extension_ui.py,
tests/lab/lab_ui.py, both over tests/ui/adapter.py), which name the same steps the same way."""

import pytest

from tests.lab.lab_servers import KINDS as LAB_KINDS
from tests.ui.fronts import (
    KINDS,
    forgetting_saved_servers,
    jupyter_servers,  # noqa: F401  (the fixture, shared with tests/extension and tests/lab)
)
from tests.ui.fronts import front as make_front


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
def front(request, jupyter_servers):  # noqa: F811
    """The front end under test: its shared server (tests/ui/fronts.py) and its adapter."""
    return make_front(request.param, jupyter_servers(request.param))


no_saved_servers = forgetting_saved_servers("front")
