"""More of the lab extension's paths, in headless Chromium against the local Connect server: the
add-server dialog's TLS choices (a missing CA bundle, a CA bundle, no check) and hiding the input and
adding an extra file in a publish with source, in JupyterLab 4 (Notebook 7 runs the same lab
extension's dialogs: tests/ui/conftest.py), and the dialogs and toolbar link under JupyterLab's dark
theme in both (the host's CSS). Each test checks what the user sees and the state behind it."""

import io
import json
import tarfile
import uuid

import certifi
import nbformat
import pytest
import requests

from tests.extension.extension_notebooks import PYTHON_KERNEL, write_notebook
from tests.lab import lab_ui as ui
from tests.ui.adapter import assert_serves
from tests.ui.looks import CONTRAST, shoot

pytestmark = pytest.mark.browser

# The dialogs' own paths run in one lab UI; the `lab` fixture would give both.
IN_JUPYTERLAB = pytest.mark.parametrize("lab", ["jupyterlab4"], indirect=True, scope="session")


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def saved_servers_file(isolated_config):
    """servers.json as the handlers wrote it (XDG_CONFIG_HOME is the session's isolated folder)."""
    return json.loads((isolated_config / "rsconnect-python" / "servers.json").read_text())


def open_add_server(page, lab, path):
    ui.open_notebook(page, lab, path)
    ui.click_publish_button(page)
    page.wait_for_selector("#rsc-server-url", state="visible")


def fill_add_server(page, url, key, name, tls="system", ca_path=""):
    """Fill the add-server dialog, choose a TLS option, submit."""
    page.fill("#rsc-server-url", url)
    page.fill("#rsc-nickname", name)
    page.fill("#rsc-api-key", key)
    page.check({"system": "#rsc-tls-system", "ca_bundle": "#rsc-tls-ca", "insecure": "#rsc-tls-insecure"}[tls])
    if ca_path:
        page.fill("#rsc-ca-path", ca_path)
    page.click(".jp-Dialog button.rsc-add-submit")


def assert_one_sentence(message):
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message, message


@IN_JUPYTERLAB
def test_missing_ca_bundle_is_refused_with_what_to_do(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("tess"), "publisher")
    path = write_notebook(lab.root, unique("tls") + "/notes.ipynb")
    open_add_server(page, lab, path)
    assert page.is_disabled("#rsc-ca-path")  # only the CA choice takes a path
    missing = "/nonexistent/%s/my-ca.pem" % unique("ca")
    fill_add_server(page, local_server.url, key, "ca-connect", tls="ca_bundle", ca_path=missing)
    message = ui.dialog_error(page, "#rsc-add-error")
    assert message == (
        "The CA certificate file %s does not exist; check the path: give the path of the CA certificate on "
        "the Jupyter server, or paste its PEM text." % missing
    )
    assert lab.api("GET", "servers").json() == {"servers": []}

    # No path at all: the same place says to give one or choose another option.
    page.fill("#rsc-ca-path", "")
    page.click(".jp-Dialog button.rsc-add-submit")
    page.wait_for_function(
        "document.querySelector('#rsc-add-error').textContent.indexOf('Give the CA certificate') === 0"
    )
    assert_one_sentence(page.inner_text("#rsc-add-error").strip())
    assert "its PEM text" in page.inner_text("#rsc-add-error")
    assert lab.api("GET", "servers").json() == {"servers": []}


@IN_JUPYTERLAB
def test_existing_ca_bundle_is_saved_as_its_text(lab, local_server, page, no_saved_servers, isolated_config):
    """A CA bundle that exists is saved as its text, as `rsconnect add` and rsconnect-python save it
    (servers.add_server: one rule for the CLI and the dialogs)."""
    key = local_server.add_user(unique("carl"), "publisher")
    path = write_notebook(lab.root, unique("tlsca") + "/notes.ipynb")
    open_add_server(page, lab, path)
    bundle = certifi.where()
    fill_add_server(page, local_server.url, key, "ca-connect", tls="ca_bundle", ca_path=bundle)
    ui.wait_publish_dialog(page)
    [server] = lab.api("GET", "servers").json()["servers"]
    assert server["name"] == "ca-connect" and server["ca_cert"] == "(certificate text)" and server["insecure"] is False
    saved = saved_servers_file(isolated_config)["ca-connect"]
    with open(bundle, encoding="utf-8") as f:
        assert saved["ca_cert"] == f.read() and not saved["insecure"]


@IN_JUPYTERLAB
def test_insecure_choice_is_saved_and_publishes(lab, local_server, page, no_saved_servers, isolated_config):
    key = local_server.add_user(unique("ines"), "publisher")
    path = write_notebook(lab.root, unique("insecure") + "/sales.ipynb", heading="Sales without TLS checks")
    open_add_server(page, lab, path)
    fill_add_server(page, local_server.url, key, "trusted-net", tls="insecure")
    ui.wait_publish_dialog(page)
    [server] = lab.api("GET", "servers").json()["servers"]
    assert server == {
        "name": "trusted-net",
        "url": local_server.url,
        "insecure": True,
        "ca_cert": None,
        "has_api_key": True,
        "signs_in_with": "API key",
    }
    saved = saved_servers_file(isolated_config)["trusted-net"]
    assert saved["insecure"] is True and not saved.get("ca_cert")

    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert url.startswith(local_server.url)
    assert_serves(url, "Sales without TLS checks", key)
    assert key not in page.content()


def bundle_members(local_server, key, guid):
    """Names and manifest of the content's live bundle, downloaded from the local server."""
    content = local_server.api("GET", "v1/content/%s" % guid, key=key).json()
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert [b["id"] for b in bundles] == [content["bundle_id"]], (bundles, content)
    r = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, content["bundle_id"]), key=key)
    assert r.status_code == 200, r.text[:300]
    with tarfile.open(fileobj=io.BytesIO(r.content), mode="r:gz") as tar:
        names = sorted(m.name for m in tar.getmembers() if m.isfile())
        manifest = json.loads(tar.extractfile("manifest.json").read())
        lookup = tar.extractfile("lookup.csv").read().decode() if "lookup.csv" in names else None
    return names, manifest, lookup


@IN_JUPYTERLAB
def test_hide_input_and_extra_file_in_a_publish_with_source(lab, local_server, page, no_saved_servers):
    """The server re-runs the notebook: the code reads the extra file, the document shows only output."""
    key = local_server.add_user(unique("hana"), "publisher")
    folder = unique("hidden")
    extra = {"lookup.csv": "lookup-value-5150\n", "unused.csv": "not sent\n"}
    path = write_notebook(
        lab.root,
        folder + "/report.ipynb",
        heading="Hidden code report",
        requirements="# no packages needed\n",
        extra=extra,
        code="secret_source_marker = open('lookup.csv').read().strip()\nprint('read:', secret_source_marker)",
    )
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    page.check("#rsc-files input[data-file='lookup.csv']")
    page.check("#rsc-hide-all-input")
    ui.submit_publish(page)
    url = ui.wait_published(page)

    html = local_server.get(url, key=key, timeout=30).text
    assert "Hidden code report" in html
    assert "read: lookup-value-5150" in html  # re-run on the server, with the extra file beside it
    assert "secret_source_marker" not in html  # no code input

    record = ui.wait_saved(lab, path, local_server.url, url)
    assert record["content_url"] == url
    names, manifest, lookup = bundle_members(local_server, key, record["content_guid"])
    assert "lookup.csv" in names and "unused.csv" not in names and "report.ipynb" in names, names
    assert lookup == "lookup-value-5150\n"
    assert manifest["jupyter"]["hide_all_input"] is True
    assert "lookup.csv" in manifest["files"]


@IN_JUPYTERLAB
def test_hide_tagged_input_in_a_finished_document(lab, local_server, page, no_saved_servers):
    """The HTML snapshot is made on the Jupyter server: only the tagged cell loses its code."""
    key = local_server.add_user(unique("tom"), "publisher")
    path = unique("tagged") + "/summary.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": PYTHON_KERNEL})
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tagged summary"),
        nbformat.v4.new_code_cell(
            "hidden_source_var = 'out-a'\nprint(hidden_source_var)",
            execution_count=1,
            metadata={"tags": ["hide_input"]},
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="out-a\n")],
        ),
        nbformat.v4.new_code_cell(
            "shown_source_var = 'out-b'\nprint(shown_source_var)",
            execution_count=2,
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="out-b\n")],
        ),
    ]
    (lab.root / path).parent.mkdir(parents=True)
    nbformat.write(nb, str(lab.root / path))
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    page.check("#rsc-hide-tagged-input")
    ui.submit_publish(page)
    html = local_server.get(ui.wait_published(page), key=key, timeout=30).text
    assert "Tagged summary" in html and "out-a" in html and "out-b" in html
    assert "hidden_source_var" not in html and "shown_source_var" in html


# -- the dark theme ------------------------------------------------------------------------------

THEMES = "lab/api/settings/@jupyterlab/apputils-extension:themes"


def set_theme(lab, raw):
    r = requests.put(lab.url + THEMES, headers={"Authorization": "token " + lab.token}, json={"raw": raw}, timeout=30)
    assert r.status_code == 204, (r.status_code, r.text[:300])


@pytest.fixture
def dark_theme(lab):
    """JupyterLab Dark for this test only: the user setting is put back to the default afterwards."""
    set_theme(lab, json.dumps({"theme": "JupyterLab Dark"}))
    yield
    set_theme(lab, "{}")
    r = requests.get(lab.url + THEMES, headers={"Authorization": "token " + lab.token}, timeout=30)
    assert json.loads(r.json()["raw"]) == {}  # later tests see the default light theme


def assert_readable(page, selectors):
    ratios = {s: round(page.evaluate(CONTRAST, s), 2) for s in selectors}
    low = {s: r for s, r in ratios.items() if r < 4.5}
    assert not low, "text contrast under 4.5:1: %s" % low


def test_dark_theme_keeps_dialogs_and_link_readable(lab, local_server, page, no_saved_servers, dark_theme):
    key = local_server.add_user(unique("dora"), "publisher")
    path = write_notebook(lab.root, unique("dark") + "/night.ipynb", heading="Night shift", extra={"data.csv": "a\n"})
    open_add_server(page, lab, path)
    theme = page.evaluate("[document.body.dataset.jpThemeName, document.body.dataset.jpThemeLight]")
    assert theme == ["JupyterLab Dark", "false"], theme
    page.click(".jp-Dialog button.rsc-add-submit")  # empty form: the error sentence shows
    page.wait_for_selector("#rsc-add-error", state="visible")
    page.fill("#rsc-server-url", "https://connect.example.com/")
    shoot(page, lab.kind, "dark-add-server")
    assert_readable(
        page,
        [
            "#rsc-add-server-form p",
            "label[for=rsc-server-url]",
            "#rsc-server-url",
            "#rsc-add-server-form .rsc-help a",
            "label[for=rsc-tls-system]",
            "#rsc-add-error",
        ],
    )

    page.fill("#rsc-server-url", "")
    ui.add_server(page, local_server.url, key, name="local")
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    page.click("#rsc-env-add")
    shoot(page, lab.kind, "dark-publish")
    title = page.input_value("#rsc-title")
    page.fill("#rsc-title", "")
    ui.submit_publish(page)  # too short a title: the error sentence shows
    assert ui.dialog_error(page).startswith("Enter a title")
    assert_readable(
        page,
        [
            "label[for=rsc-title]",
            "#rsc-title",
            "label[for=rsc-mode-static]",
            ".rsc-help",
            "#rsc-files label",
            "label[for=rsc-hide-all-input]",
            ".rsc-env-name",
            "#rsc-error",
        ],
    )
    page.fill("#rsc-title", title)

    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    shoot(page, lab.kind, "dark-published")
    assert_readable(page, [".rsc-published"])
    assert_serves(url, "Night shift", key)
