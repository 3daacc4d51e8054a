""" "Save package list (manifest.json)" in notebook 6.5 and JupyterLab 4 (tests/ui/conftest.py): the
manifest and requirements.txt are written beside the notebook from the kernel's own environment,
nothing is published, and a second click asks before replacing the file."""

import json
import subprocess

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import unique

pytestmark = pytest.mark.browser


def test_create_manifest_from_the_kernel_snapshot(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("mia"), "publisher")
    folder = unique("manifest")
    path = write_notebook(server.root, folder + "/etl.ipynb", extra={"lookup.csv": "a,b\n"})
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    assert page.is_checked("#rsc-packages-generate")  # no requirements.txt yet
    page.check("#rsc-files input[data-file='lookup.csv']")
    page.click("#rsc-write-manifest")
    ui.wait_status(page, "Wrote")
    assert "manifest.json" in page.inner_text("#rsc-status")
    manifest = json.loads((server.root / folder / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "etl.ipynb"}
    assert sorted(manifest["files"]) == ["etl.ipynb", "lookup.csv", "requirements.txt"]
    # The snapshot came from the kernel's Python, with the kernel's packages.
    kernel_python = subprocess.run(
        [front.python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert manifest["python"]["version"] == kernel_python
    requirements = (server.root / folder / "requirements.txt").read_text().lower()
    assert "ipykernel" in requirements and "rsconnect" not in requirements
    assert local_server.api("GET", "v1/content", key=key).json() == []  # nothing was published

    # A second click asks before replacing the file; the third replaces it.
    page.click("#rsc-write-manifest")
    assert "already exists" in ui.dialog_error(page)
    assert page.inner_text("#rsc-write-manifest").strip() == "Replace manifest.json"
    (server.root / folder / "manifest.json").write_text("{}")
    page.click("#rsc-write-manifest")
    ui.wait_status(page, "Wrote")
    assert not page.is_visible("#rsc-error")
    assert page.inner_text("#rsc-write-manifest").strip() == "Save package list (manifest.json)"
    assert json.loads((server.root / folder / "manifest.json").read_text())["metadata"]["entrypoint"] == "etl.ipynb"
