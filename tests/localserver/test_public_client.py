"""A public Connect client (rsconnect-python, at the version tests/core/rsconnect_python.py pins)
deploys a notebook with its source to the local server, and the content URL shows the executed notebook.

The client gets its own virtualenv (tests/core/rsconnect_python.py's, one per session) and its own
HOME and config folder: its console script is also called `rsconnect`, and it writes its own
servers.json.
"""

import os
import subprocess

import nbformat
import pytest

from tests.core import rsconnect_python as pinned
from tests.localserver.localserver_helpers import Client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def rsconnect_python():
    """The path of rsconnect-python's `rsconnect`, at the pinned version."""
    return pinned.venv() / "bin" / "rsconnect"


def test_rsconnect_python_deploys_a_notebook_with_source(rsconnect_python, local_server, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# Published by a public client"))
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint('executed on the server:', 6 * 7)"))
    nbformat.write(nb, str(project / "public-report.ipynb"))
    (project / "requirements.txt").write_text("")  # beside the notebook: no pip freeze of a big env

    key = local_server.add_user("public-client", "publisher")
    env = dict(
        os.environ,
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        RSCONNECT_DISABLE_VERSION_CHECK="1",
    )

    def deploy():
        return subprocess.run(
            [
                str(rsconnect_python),
                "deploy",
                "notebook",
                "--server",
                local_server.url,
                "--api-key",
                key,
                str(project / "public-report.ipynb"),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(project),
            timeout=900,
        )

    out = deploy()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Deployment completed successfully" in out.stdout + out.stderr

    client = Client(local_server, key)
    items = client("GET", "v1/content").json()
    assert len(items) == 1
    item = items[0]
    assert item["app_mode"] == "jupyter-static" and item["title"] == "public-report"
    assert item["content_url"] in out.stdout + out.stderr
    page = client.get(item["content_url"])  # the publisher's key sees its own content
    assert page.status_code == 200
    assert "executed on the server: 42" in page.text
    assert "Published by a public client" in page.text

    # Redeploying updates the same content (the client found its deployment record).
    out = deploy()
    assert out.returncode == 0, out.stdout + out.stderr
    assert [c["guid"] for c in client("GET", "v1/content").json()] == [item["guid"]]
    assert len(client("GET", "v1/content/%s/bundles" % item["guid"]).json()) == 2
