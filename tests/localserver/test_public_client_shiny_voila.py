"""rsconnect-python 1.32 (tests/core/rsconnect_python.py) deploys a Python Shiny app, a Gradio app and a Voila
notebook to the local server, and their URLs answer with the apps' own output; a mode the server
cannot run is refused at upload and leaves no content item behind.
"""

import json
import re
import subprocess

import pytest

from tests.core import rsconnect_python
from tests.localserver.localserver_helpers import Client
from tests.localserver.test_apps_shiny_voila import VOILA_OUTPUT, shiny_session
from tests.project_copies import APPS, copy_source

pytestmark = pytest.mark.slow


def deployed_url(out):
    """The content URL rsconnect-python prints after a deploy (its lines end in colour codes)."""
    found = re.search(r"Direct content URL: (http://\S+?/content/[0-9a-f-]{36}/)", out)
    assert found, out
    return found.group(1)


def login(local_server, name):
    return ["--server", local_server.url, "--api-key", local_server.add_user(name, "publisher")]


def test_rsconnect_python_deploys_shiny(local_server, tmp_path):
    project = copy_source(APPS / "shiny", tmp_path / "shiny")
    args = login(local_server, "rp-shiny")
    out = rsconnect_python.run(tmp_path / "config", "deploy", "shiny", project, *args)
    assert "Deployment completed successfully" in out
    url = deployed_url(out)
    owner = Client(local_server, args[-1])  # the publisher's key sees its own content
    page = owner.get(url, timeout=60)
    assert page.status_code == 200 and "Hello from the sample Shiny app" in page.text
    messages = shiny_session(url.replace("http://", "ws://") + "websocket/", 12, headers=owner.auth)
    assert [m["values"] for m in messages if m.get("values")][-1]["square"] == "square of 12 is 144", messages


def test_rsconnect_python_deploys_voila(local_server, tmp_path):
    project = copy_source(APPS / "voila", tmp_path / "voila")
    args = login(local_server, "rp-voila")
    out = rsconnect_python.run(tmp_path / "config", "deploy", "voila", project / "dashboard.ipynb", *args)
    assert "Deployment completed successfully" in out
    page = Client(local_server, args[-1]).get(deployed_url(out), timeout=120)
    assert page.status_code == 200 and VOILA_OUTPUT + " (no greeting)" in page.text, page.text[-2000:]


def test_rsconnect_python_unsupported_mode_leaves_no_empty_item(local_server, tmp_path):
    project = tmp_path / "report"
    project.mkdir()
    (project / "doc.Rmd").write_text("---\ntitle: R Markdown\n---\nText.\n")
    manifest = {"version": 1, "metadata": {"appmode": "rmd-static", "primary_rmd": "doc.Rmd"}, "files": {"doc.Rmd": {}}}
    (project / "manifest.json").write_text(json.dumps(manifest))
    args = login(local_server, "rp-rmd")
    client = Client(local_server, args[-1])
    proc = subprocess.run(
        [
            str(rsconnect_python.venv() / "bin" / "rsconnect"),
            "deploy",
            "manifest",
            str(project / "manifest.json"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=rsconnect_python.environ(tmp_path / "config"),
        timeout=300,
    )
    assert proc.returncode != 0
    assert "The local server cannot run app mode 'rmd-static'" in proc.stdout + proc.stderr
    assert "The empty content item was removed." in proc.stdout + proc.stderr
    assert client("GET", "v1/content").json() == []


def test_rsconnect_python_deploys_gradio(local_server, tmp_path):
    from tests.localserver.test_apps_gradio import gradio_call

    project = copy_source(APPS / "gradio", tmp_path / "gradio")
    args = login(local_server, "rp-gradio")
    out = rsconnect_python.run(tmp_path / "config", "deploy", "gradio", project, *args)
    assert "Deployment completed successfully" in out
    url = deployed_url(out)
    owner = Client(local_server, args[-1])
    assert gradio_call(owner, url, "greet", "Cy") == ["Hello Cy, from the sample Gradio app (no greeting)"]
