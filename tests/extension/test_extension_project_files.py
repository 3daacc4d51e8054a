"""The dialogs' path for a uv project (pyproject.toml + uv.lock, no requirements.txt): the folder
counts as having its packages file, and a kernel's snapshot is completed from uv.lock by the core."""

import subprocess
import sys
import uuid

import requests

from tests.cli.test_cli_project_files import OLD_SIX, REPORT, uv_project
from tests.extension.extension_notebooks import write_notebook
from tests.extension.test_extension_handlers import wait_job


def test_a_uv_project_publishes_its_locked_versions_from_the_dialog(jupyter, local_server, no_saved_servers):
    name = "uvdialog-" + uuid.uuid4().hex[:6]
    folder = uv_project(jupyter.root / name)
    notebook = write_notebook(jupyter.root, name + "/versions.ipynb", code=REPORT)
    files = jupyter.api("GET", "files", params={"path": notebook}).json()
    assert files["has_requirements"] is True  # so the dialog offers, and checks, "use the folder's file"

    code = jupyter.api("GET", "environment", params={"path": notebook, "force_generate": "0"}).json()["code"]
    kernel_output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder).stdout
    r = jupyter.api(
        "POST", "servers/add", json={"url": local_server.url, "name": "local", "api_key": local_server.api_key}
    )
    assert r.status_code == 200, r.text
    r = jupyter.api(
        "POST",
        "publish",
        json={
            "server": "local",
            "notebook_path": notebook,
            "mode": "jupyter-static",
            "title": name,
            "new": True,
            "snapshot": kernel_output,
            "force_generate": False,
        },
    )
    assert r.status_code == 202, r.text
    state, lines = wait_job(jupyter, r.json()["job_id"])
    assert state["error"] is None, lines
    assert "Packages: from uv.lock (1 locked)." in lines
    page = requests.get(state["result"]["content_url"], timeout=60)
    assert "six is %s" % OLD_SIX in page.text
