"""End to end: `rsconnect deploy shiny DIR`, `rsconnect deploy voila NOTEBOOK` and their `write-manifest`,
run as a subprocess against the local server over HTTP; each deployed app answers with its own output
(Shiny over its WebSocket session, Voila with what its kernel computed).

The samples are tests/apps/shiny and tests/apps/voila, copied into tmp_path.
"""

import json
import uuid

import pytest

from tests.cli.test_cli_apps import app_record, bundle_names, get
from tests.cli.test_cli_publish import cli, content_guids, ok, one_sentence_failure
from tests.localserver.test_apps_shiny_voila import VOILA_OUTPUT, shiny_session
from tests.project_copies import APPS, copy_source

EXPRESS_APP = """from shiny import render
from shiny.express import input, ui

ui.h2("Hello from a Shiny Express app")
ui.input_numeric("n", "n", 3)


@render.text
def square():
    return "square of %d is %d" % (input.n(), input.n() ** 2)
"""


@pytest.fixture
def target(local_server):
    return ["-s", local_server.url, "-k", local_server.api_key]


def copy_sample(tmp_path, folder):
    return copy_source(APPS / folder, tmp_path / ("%s-%s" % (folder, uuid.uuid4().hex[:6])))


def content_url(result):
    return [line for line in result.stdout.splitlines() if line.startswith("Content URL:")][0].split()[-1]


def square_over_websocket(url, n, key):
    messages = shiny_session(url.replace("http://", "ws://") + "websocket/", n, headers={"Authorization": "Key " + key})
    values = [m["values"] for m in messages if m.get("values")]
    assert values, messages
    return values[-1]["square"]


@pytest.mark.slow
def test_deploy_shiny(local_server, target, tmp_path):
    folder = copy_sample(tmp_path, "shiny")
    url = content_url(ok(cli("deploy", "shiny", "-E", "SAMPLE_GREETING=from the CLI", *target, folder)))
    page = get(local_server, url)
    assert "Hello from the sample Shiny app" in page and "from the CLI" in page
    assert square_over_websocket(url, 9, local_server.api_key) == "square of 9 is 81"
    guid = app_record(folder)[local_server.url]["app_guid"]
    content = local_server.api("GET", "v1/content/" + guid).json()
    assert content["app_mode"] == "python-shiny" and content["title"] == folder.name
    names, manifest = bundle_names(local_server, guid)
    assert {"manifest.json", "requirements.txt", "app.py"} <= set(names)
    assert manifest["metadata"] == {"appmode": "python-shiny", "entrypoint": "app:app"}
    # A second deploy updates the same content.
    assert ok(cli("deploy", "shiny", "-q", *target, folder)).stdout.strip() == url


@pytest.mark.slow
def test_deploy_shiny_express(local_server, target, tmp_path):
    folder = tmp_path / "express"
    folder.mkdir()
    (folder / "app.py").write_text(EXPRESS_APP)
    (folder / "requirements.txt").write_text((APPS / "shiny" / "requirements.txt").read_text())
    url = ok(cli("deploy", "shiny", "-q", *target, folder)).stdout.strip()
    assert "Hello from a Shiny Express app" in get(local_server, url)
    assert square_over_websocket(url, 5, local_server.api_key) == "square of 5 is 25"
    _, manifest = bundle_names(local_server, url.rstrip("/").rsplit("/", 1)[-1])
    assert manifest["metadata"]["entrypoint"] == "shiny.express.app:app_2e_py"  # rsconnect-python's form


@pytest.mark.slow
def test_deploy_voila(local_server, target, tmp_path):
    folder = copy_sample(tmp_path, "voila")
    (folder / "voila.json").write_text(json.dumps({"VoilaConfiguration": {"show_tracebacks": True}}))
    (folder / "notes.txt").write_text("left out: not named")
    notebook = folder / "dashboard.ipynb"
    url = content_url(ok(cli("deploy", "voila", "-E", "SAMPLE_GREETING=voila via CLI", *target, notebook)))
    assert VOILA_OUTPUT + " (voila via CLI)" in get(local_server, url)
    saved = json.loads((folder / "rsconnect-python" / "dashboard.json").read_text())[local_server.url]
    assert saved["app_mode"] == "jupyter-voila" and url.rstrip("/").endswith(saved["app_guid"])
    content = local_server.api("GET", "v1/content/" + saved["app_guid"]).json()
    assert content["app_mode"] == "jupyter-voila" and content["title"] == "dashboard"
    names, manifest = bundle_names(local_server, saved["app_guid"])
    assert sorted(names) == ["dashboard.ipynb", "manifest.json", "requirements.txt", "voila.json"]
    assert manifest["metadata"] == {"appmode": "jupyter-voila", "entrypoint": "dashboard.ipynb"}
    # A second deploy updates the same content.
    assert ok(cli("deploy", "voila", "-q", *target, notebook)).stdout.strip() == url


def test_voila_without_voila_in_the_requirements_warns_and_strict_refuses(local_server, target, tmp_path):
    folder = copy_sample(tmp_path, "voila")
    (folder / "requirements.txt").write_text("ipywidgets\n")
    before = content_guids(local_server)
    result = cli("deploy", "voila", "--strict", *target, folder / "dashboard.ipynb")
    assert "Warning: requirements.txt does not list voila, which serves the dashboard: add voila to it." in (
        result.stderr
    )
    assert "checks before upload found" in one_sentence_failure(result)
    assert content_guids(local_server) == before
    assert not (folder / "rsconnect-python").exists()


def test_deploy_voila_refuses_what_is_not_a_notebook(local_server, target, tmp_path):
    before = content_guids(local_server)
    assert "does not exist" in one_sentence_failure(cli("deploy", "voila", *target, tmp_path / "missing.ipynb"))
    (tmp_path / "app.py").write_text("x = 1\n")
    assert "is not a notebook" in one_sentence_failure(cli("deploy", "voila", *target, tmp_path / "app.py"))
    assert content_guids(local_server) == before


def test_write_manifest_shiny_and_voila(tmp_path):
    shiny = copy_sample(tmp_path, "shiny")
    assert ok(cli("write-manifest", "shiny", shiny)).stdout.strip() == "Wrote %s" % (shiny / "manifest.json")
    manifest = json.loads((shiny / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "python-shiny", "entrypoint": "app:app"}
    assert sorted(manifest["files"]) == ["app.py", "requirements.txt"]

    voila = copy_sample(tmp_path, "voila")
    notebook = voila / "dashboard.ipynb"
    assert ok(cli("write-manifest", "voila", notebook)).stdout.strip() == "Wrote %s" % (voila / "manifest.json")
    manifest = json.loads((voila / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-voila", "entrypoint": "dashboard.ipynb"}
    assert sorted(manifest["files"]) == ["dashboard.ipynb", "requirements.txt"]
    assert "already exists" in one_sentence_failure(cli("write-manifest", "voila", notebook))
    ok(cli("write-manifest", "voila", "--overwrite", notebook))


@pytest.mark.slow
def test_deploy_manifest_of_a_written_voila_manifest(local_server, target, tmp_path):
    voila = copy_sample(tmp_path, "voila")
    ok(cli("write-manifest", "voila", voila / "dashboard.ipynb"))
    url = ok(cli("deploy", "manifest", "-q", *target, voila / "manifest.json")).stdout.strip()
    assert VOILA_OUTPUT + " (no greeting)" in get(local_server, url)


@pytest.mark.slow
def test_deploy_gradio(local_server, target, tmp_path):
    from tests.localserver.localserver_helpers import Client
    from tests.localserver.test_apps_gradio import gradio_call

    folder = copy_sample(tmp_path, "gradio")
    url = ok(cli("deploy", "gradio", "-q", "-E", "SAMPLE_GREETING=cli", *target, folder)).stdout.strip()
    assert "Hello from the sample Gradio app" in get(local_server, url)
    assert gradio_call(Client(local_server), url, "greet", "Bo") == ["Hello Bo, from the sample Gradio app (cli)"]
    _, manifest = bundle_names(local_server, url.rstrip("/").rsplit("/", 1)[-1])
    assert manifest["metadata"] == {"appmode": "python-gradio", "entrypoint": "app.py"}
    ok(cli("write-manifest", "gradio", folder))
    assert json.loads((folder / "manifest.json").read_text())["metadata"]["appmode"] == "python-gradio"


@pytest.mark.slow
def test_a_notebook_published_with_source_becomes_a_dashboard_only_with_new(local_server, target, tmp_path):
    folder = copy_sample(tmp_path, "voila")
    notebook = folder / "dashboard.ipynb"
    first = ok(cli("deploy", "notebook", "-q", *target, notebook)).stdout.strip()
    last = one_sentence_failure(cli("deploy", "voila", *target, notebook))
    assert "--new" in last, last
    second = ok(cli("deploy", "voila", "-q", "--new", *target, notebook)).stdout.strip()
    assert second != first
    assert VOILA_OUTPUT in get(local_server, second)
    # The record now points at the dashboard: the next deploy updates it.
    assert ok(cli("deploy", "voila", "-q", *target, notebook)).stdout.strip() == second
