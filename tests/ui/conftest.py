"""One browser flow, written once for the notebook UIs: the classic Notebook (notebook 6.5 and
nbclassic) and JupyterLab 4 and Notebook 7, each driven through its UI adapter
(tests/extension/extension_ui.py, tests/lab/lab_ui.py, both over tests/ui/adapter.py), which name
the same steps the same way.

Which UIs a flow runs in (tests/ui/fronts.py): every flow runs in notebook 6.5 and JupyterLab 4,
one UI of each of the two front-end codes (the nbextension; the lab extension). nbclassic runs the
same nbextension and Notebook 7 the same lab extension, so there a flow runs only when it is marked
`every_ui`: it depends on what each host does its own way (its page and toolbar, saving the notebook
file, its CSS).
"""

import pytest

from tests.lab.lab_servers import KINDS as LAB_KINDS
from tests.ui.fronts import (
    EVERY_FLOW,
    KINDS,
    forgetting_saved_servers,
    jupyter_servers,  # noqa: F401  (the fixture, shared with tests/extension and tests/lab)
)
from tests.ui.fronts import front as make_front


def pytest_generate_tests(metafunc):
    """A test runs in EVERY_FLOW's two UIs, or in all four when it is marked `every_ui`. A test that
    takes `theme` runs light everywhere and JupyterLab Dark in the lab UIs only: the classic
    Notebook has one theme."""
    if "front" not in metafunc.fixturenames:
        return
    kinds = KINDS if metafunc.definition.get_closest_marker("every_ui") else [k for k in KINDS if k in EVERY_FLOW]
    if "theme" in metafunc.fixturenames:
        cases = [(kind, "light") for kind in kinds] + [(kind, "dark") for kind in kinds if kind in LAB_KINDS]
        ids = ["-".join(case) for case in cases]
        metafunc.parametrize(("front", "theme"), cases, indirect=True, ids=ids, scope="session")
    else:
        metafunc.parametrize("front", kinds, indirect=True, scope="session")


@pytest.fixture(scope="session")
def front(request, jupyter_servers):  # noqa: F811
    """The front end under test: its shared server (tests/ui/fronts.py) and its adapter."""
    return make_front(request.param, jupyter_servers(request.param))


no_saved_servers = forgetting_saved_servers("front")
