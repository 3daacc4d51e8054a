"""Fixtures for the notebook extension: real Jupyter servers (notebook 6.5 and nbclassic), shared with
tests/ui and tests/lab (tests/ui/fronts.py); the browser is in tests/conftest.py."""

from tests.extension.jupyter_servers import KINDS
from tests.ui.fronts import (
    forgetting_saved_servers,
    jupyter_servers,  # noqa: F401  (the fixture the others use)
    one_server_per_kind,
)

jupyter = one_server_per_kind("jupyter", KINDS)  # notebook 6.5 (NotebookApp) and nbclassic on jupyter_server 2
no_saved_servers = forgetting_saved_servers("jupyter")
