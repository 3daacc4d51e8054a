"""Fixtures for the JupyterLab 4 / Notebook 7 extension: a real server of each kind from .venv-lab,
shared with tests/ui and tests/extension (tests/ui/fronts.py); the browser fixtures (Debian's
Chromium through Playwright) are in tests/conftest.py."""

from tests.lab.lab_servers import KINDS
from tests.ui.fronts import (
    forgetting_saved_servers,
    jupyter_servers,  # noqa: F401  (the fixture the others use)
    one_server_per_kind,
)

lab = one_server_per_kind("lab", sorted(KINDS))  # JupyterLab 4 and Notebook 7
no_saved_servers = forgetting_saved_servers("lab")
