"""The dialogs' path for a uv project (pyproject.toml + uv.lock, no requirements.txt): the folder
counts as having its packages file, and a kernel's snapshot is completed from uv.lock by the core."""

import json
import subprocess
import sys
import uuid

import pytest

from tests.cli.test_cli_project_files import OLD_SIX, REPORT, uv_project
from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook
from tests.extension.test_extension_handlers import save_local_server, start_publish, wait_job


def test_a_uv_project_publishes_its_locked_versions_from_the_dialog(jupyter, local_server, no_saved_servers):
    name = "uvdialog-" + uuid.uuid4().hex[:6]
    folder = uv_project(jupyter.root / name)
    notebook = write_notebook(jupyter.root, name + "/versions.ipynb", code=REPORT)
    files = jupyter.api("GET", "files", params={"path": notebook}).json()
    assert files["has_requirements"] is True  # so the dialog offers, and checks, "use the folder's file"

    code = jupyter.api("GET", "environment", params={"path": notebook, "force_generate": "0"}).json()["code"]
    kernel_output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder).stdout
    save_local_server(jupyter, local_server)
    job_id = start_publish(jupyter.api, notebook, "jupyter-static", name, snapshot=kernel_output, force_generate=False)
    state, lines = wait_job(jupyter, job_id)
    assert state["error"] is None, lines
    assert "Packages: from uv.lock (1 locked)." in lines
    page = local_server.get(state["result"]["content_url"], timeout=60)
    assert "six is %s" % OLD_SIX in page.text


def kernel_snapshot(jupyter, notebook, folder, force_generate):
    """What the dialog gets from the notebook's kernel (run here with this Python, in the folder)."""
    query = {"path": notebook, "force_generate": "1" if force_generate else "0"}
    code = jupyter.api("GET", "environment", params=query).json()["code"]
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder).stdout


def test_create_manifest_takes_the_lock_unless_the_dialog_asked_to_generate(jupyter):
    name = "uvmanifest-" + uuid.uuid4().hex[:6]
    folder = uv_project(jupyter.root / name)
    notebook = write_notebook(jupyter.root, name + "/versions.ipynb", code=REPORT)
    body = {"notebook_path": notebook, "snapshot": kernel_snapshot(jupyter, notebook, folder, False)}
    r = jupyter.api("POST", "manifest", json=body)
    assert r.status_code == 200, r.text
    assert (folder / "requirements.txt").read_text() == "six==%s\n" % OLD_SIX
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["environment"]["python"]["requires"] == ">=3.10"

    (folder / "requirements.txt").unlink()
    body = {"notebook_path": notebook, "snapshot": kernel_snapshot(jupyter, notebook, folder, True), "overwrite": True}
    r = jupyter.api("POST", "manifest", json=body)
    assert r.status_code == 200, r.text
    generated = (folder / "requirements.txt").read_text()
    assert "six==%s" % OLD_SIX not in generated and "click==" in generated.lower()  # the kernel's packages


@pytest.mark.browser
def test_the_classic_dialog_names_the_lock_and_publishes_its_versions(jupyter, local_server, page, no_saved_servers):
    name = "uvbrowser-" + uuid.uuid4().hex[:6]
    uv_project(jupyter.root / name)
    notebook = write_notebook(jupyter.root, name + "/versions.ipynb", code=REPORT)
    ui.open_publish_dialog(page, jupyter, notebook, local_server.url, local_server.api_key)
    ui.choose_mode(page, source=True)
    page.fill("#rsc-title", name)  # one local server serves both kinds of Jupyter: no title conflict
    assert page.is_checked("#rsc-packages-file")
    label = page.inner_text("label:has(#rsc-packages-file)").strip()
    assert label == "Use uv.lock from the notebook's folder"
    # The dialog closes on success: keep what its log showed.
    page.evaluate(
        "() => { window.rscLog = ''; const log = document.querySelector('#rsc-log');"
        " new MutationObserver(() => { window.rscLog = log.textContent; })"
        ".observe(log, {childList: true, characterData: true, subtree: true}); }"
    )
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert "Packages: from uv.lock (1 locked)." in page.evaluate("window.rscLog")
    assert "six is %s" % OLD_SIX in local_server.get(url, timeout=60).text
