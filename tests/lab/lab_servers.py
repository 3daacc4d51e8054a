"""Start JupyterLab 4 or Notebook 7 from the second virtualenv `.venv-lab` (made by scripts/test),
on 127.0.0.1 with a token and a temporary root folder.

Notebook 7 cannot live beside notebook 6.5 (which the main test venv pins for the classic
tests), so these servers run from `.venv-lab`, where the package is installed non-editable: its
wheel data put the lab extension and the server-extension config in place, as a user's
`pip install` does. User-level Jupyter folders point into a temporary directory (as in
tests/extension/jupyter_servers.py), so only that installed configuration enables anything.
"""

import os
import subprocess
from pathlib import Path

from tests.extension.jupyter_servers import JupyterServer, start_jupyter, stop_jupyter, user_folders

REPO = Path(__file__).resolve().parents[2]
LAB_VENV = REPO / ".venv-lab"
LAB_PYTHON = LAB_VENV / "bin" / "python"
MISSING = (
    "%s is missing: run scripts/test once, which builds the lab extension and creates .venv-lab "
    "with JupyterLab 4 and Notebook 7." % LAB_PYTHON
)

# kind -> (module that starts it, the notebook page's path)
KINDS = {
    "jupyterlab4": ("jupyterlab", "lab/tree/"),
    "notebook7": ("notebook", "notebooks/"),
}


def lab_python():
    """The .venv-lab python, or an AssertionError saying how to create it (never a skip)."""
    if not os.access(LAB_PYTHON, os.X_OK):
        raise AssertionError(MISSING)
    return str(LAB_PYTHON)


def run_jupyter(*args, env=None):
    """`jupyter ARGS` in .venv-lab; returns stdout + stderr (the list commands print to stderr)."""
    out = subprocess.run([lab_python(), "-m", "jupyter", *args], capture_output=True, text=True, env=env, timeout=120)
    return out.stdout + out.stderr


def jupyter_home(base):
    """User-level Jupyter folders in `base`; returns the environment for a Jupyter process."""
    env = user_folders(base)
    # Lab's settings and workspaces too, so no earlier session's layout comes back.
    env["JUPYTERLAB_SETTINGS_DIR"] = str(Path(base) / "lab-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(Path(base) / "lab-workspaces")
    for name in ("PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


class LabServer(JupyterServer):
    """The same handlers; only the notebook page's address differs."""

    def notebook_url(self, path):
        url = "%s%s%s?token=%s" % (self.url, KINDS[self.kind][1], path, self.token)
        # JupyterLab restores the last layout (earlier tests' notebooks) unless told to reset.
        return url + "&reset" if self.kind == "jupyterlab4" else url


def command(kind, port, token, root):
    return [
        lab_python(),
        "-m",
        KINDS[kind][0],
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        "--port=%d" % port,
        "--IdentityProvider.token=" + token,
        "--ServerApp.root_dir=" + str(root),
        # No calls out of the machine: no update check, no news.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
    ]


def start_lab(kind, base, token="rsc-lab-token"):
    return start_jupyter(kind, base, token, command=command, home=jupyter_home, server_class=LabServer)


stop_lab = stop_jupyter
