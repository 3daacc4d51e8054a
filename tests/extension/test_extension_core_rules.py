"""The dialogs and the CLI give the same answer, because the rule lives once in the core (issue 23).

The classic and lab dialogs post to the same server extension handlers, so each rule is tried here
over real HTTP on a real Jupyter server (notebook 6.5 and nbclassic), then with the `rsconnect`
CLI as a subprocess, against the same server (Connect's recorded answers, tests/core/fixture_server):

- a viewer's key: refused by both with one sentence, and nothing saved;
- a CA certificate given as text (the dialog) or as a file (both): the same PEM text saved, as
  rsconnect-python 1.32 saves it;
- new content and an update at once (`--new` with `--app-id`): refused by both, each naming its
  own control;
- a field the handlers do not read: refused, never dropped.
"""

import pytest

from tests.core.conftest import tls_cert  # noqa: F401  (the self-signed certificate fixture)
from tests.core.fixture_server import FixtureServer
from tests.core.isolated_cli import cli
from tests.core.isolated_cli import saved as servers_json
from tests.extension.extension_notebooks import write_notebook


@pytest.fixture
def connect():
    server = FixtureServer(prefix="/rsc/")
    yield server
    server.close()


@pytest.fixture
def tls_connect(tls_cert):  # noqa: F811
    server = FixtureServer(prefix="/", certfile=str(tls_cert["pem"]))
    yield server
    server.close()


def test_a_viewer_key_gets_the_same_refusal_from_the_dialog_and_the_cli(
    jupyter, connect, no_saved_servers, isolated_config, tmp_path
):
    dialog = jupyter.api("POST", "servers/add", json={"url": connect.url, "name": "fx", "api_key": "viewer"})
    assert dialog.status_code == 400, dialog.text
    assert jupyter.api("GET", "servers").json()["servers"] == []  # nothing saved
    command_line = cli(["add", "-n", "fx", "-s", connect.url, "-k", "viewer"], tmp_path / "config")
    assert command_line.returncode == 1 and servers_json(tmp_path / "config") == {}
    sentence = dialog.json()["message"]
    assert command_line.stderr.strip() == "Error: " + sentence
    assert (
        sentence.startswith("bob is a viewer on ") and "use the API key of a publisher or an administrator" in sentence
    )
    # A publisher's key is saved by both.
    assert jupyter.api("POST", "servers/add", json={"url": connect.url, "name": "fx", "api_key": "good"}).ok
    assert cli(["add", "-n", "fx", "-s", connect.url, "-k", "good"], tmp_path / "config").returncode == 0


def test_a_ca_as_text_or_as_a_file_saves_the_same_text_from_the_dialog_and_the_cli(
    jupyter,
    tls_connect,
    tls_cert,  # noqa: F811
    no_saved_servers,
    isolated_config,
    tmp_path,
):
    text = tls_cert["cert"].read_text()
    for name, given in (("as-text", text), ("as-path", str(tls_cert["cert"]))):
        r = jupyter.api(
            "POST",
            "servers/add",
            json={"url": tls_connect.url, "name": name, "api_key": "good", "tls": "ca_bundle", "ca_cert": given},
        )
        assert r.status_code == 200, r.text
        assert r.json()["server"]["ca_cert"] == "(certificate text)"  # the browser never gets the certificate
        assert r.json()["user"]["username"] == "bob"
    command_line = cli(
        ["add", "-n", "by-cli", "-s", tls_connect.url, "-k", "good", "-c", str(tls_cert["cert"])], tmp_path / "config"
    )
    assert command_line.returncode == 0, command_line.stderr
    dialog_saved = servers_json(isolated_config)
    cli_saved = servers_json(tmp_path / "config")
    assert dialog_saved["as-text"]["ca_cert"].strip() == text.strip()
    assert dialog_saved["as-path"]["ca_cert"].strip() == text.strip()  # the text, not the path
    assert cli_saved["by-cli"]["ca_cert"].strip() == text.strip()
    # A saved server verifies with that text (servers/verify talks to the TLS server again).
    assert jupyter.api("POST", "servers/verify", json={"server": "as-text"}).json()["user"]["username"] == "bob"
    # A path that is not there: one sentence from both, each with its own advice.
    missing = str(tmp_path / "nowhere.pem")
    r = jupyter.api(
        "POST",
        "servers/add",
        json={"url": tls_connect.url, "name": "x", "api_key": "good", "tls": "ca_bundle", "ca_cert": missing},
    )
    assert r.status_code == 400
    assert r.json()["message"] == (
        "The CA certificate file %s does not exist; check the path: give the path of the CA certificate on "
        "the Jupyter server, or paste its PEM text." % missing
    )


def test_new_content_with_an_app_id_gets_the_same_refusal_from_the_dialog_and_the_cli(
    jupyter, no_saved_servers, tmp_path
):
    notebook = write_notebook(jupyter.root, "rules/report.ipynb")
    dialog = jupyter.api(
        "POST",
        "publish",
        json={"server": "any", "notebook_path": notebook, "mode": "static", "new": True, "app_id": "42"},
    )
    assert dialog.status_code == 400, dialog.text
    (tmp_path / "report.html").write_text("<p>report</p>")
    command_line = cli(
        ["deploy", "html", "-s", "http://127.0.0.1:9/", "-k", "k", "--new", "-a", "42", str(tmp_path / "report.html")],
        tmp_path / "config",
    )
    assert command_line.returncode == 1
    problem = "New content and an update of content 42 were both asked for"
    assert command_line.stderr.strip() == "Error: %s: pass --new or --app-id, not both." % problem
    assert dialog.json()["message"] == (
        '%s: choose either "Publish to a new location" or the content to update.' % problem
    )


@pytest.mark.parametrize(
    "route, body",
    [
        ("publish", {"server": "any", "notebook_path": "rules/report.ipynb", "mode": "static", "owner": "me"}),
        ("servers/add", {"url": "http://127.0.0.1:9/", "api_key": "k", "default": True}),
        ("content/versions", {"server": "any", "guid": "g", "page": 2}),
    ],
)
def test_a_field_the_handlers_do_not_read_is_refused(jupyter, no_saved_servers, route, body):
    write_notebook(jupyter.root, "rules/report.ipynb")
    r = jupyter.api("POST", route, json=body)
    unknown = sorted(set(body) - {"server", "notebook_path", "mode", "url", "api_key", "guid"})[0]
    assert r.status_code == 400, r.text
    assert r.json()["message"] == "The field %r is not one this server reads: leave it out." % unknown
