"""The extension in headless Chromium against a real Jupyter server and the local Connect server.

Every flow runs under notebook 6.5 and under nbclassic (the `jupyter` fixture's two params).
"""

import json
import uuid

import pytest

from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import ECHO_KERNEL, write_notebook

pytestmark = pytest.mark.browser


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def saved_notebook(jupyter, path):
    return json.loads((jupyter.root / path).read_text())


def record_for(metadata, server_url):
    return metadata["servers"][server_url.rstrip("/")]


def assert_serves(local_server, url, text, key):
    """The content URL serves `text` to a program with `key` (content is `acl` by default: a key or a
    signed-in browser of someone who may see it)."""
    r = local_server.get(url, key=key, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    assert text in r.text


def signed_in_publisher(local_server, page, prefix):
    """A new publisher with a password, signed in to the local server in the page's browser (as a
    person who signed in there once); returns the API key."""
    name, password = unique(prefix), unique("pw-")
    key = local_server.add_user(name, "publisher", password=password)
    local_server.sign_in(page.context, name, password)
    return key


def test_first_publish_static(jupyter, local_server, page, no_saved_servers):
    key = signed_in_publisher(local_server, page, "alice")
    path = write_notebook(jupyter.root, unique("first") + "/sales.ipynb", heading="Sales in May")
    url = ui.publish_first_time(page, jupyter, path, local_server.url, key, name="local")
    assert_serves(local_server, url, "Sales in May", key)
    # The toolbar button says "Publish" (the docs' blue button); the success notification is an
    # underlined link (main.css loaded next to main.js).
    assert page.inner_text("#rsc-publish-button").strip() == "Publish"
    assert "btn-primary" in page.get_attribute("#rsc-publish-button", "class")
    link = page.evaluate("getComputedStyle(document.querySelector('#notification_rsconnect')).textDecorationLine")
    assert link == "underline"

    # The notebook remembers the target (never the key), and the file on disk has it too.
    record = record_for(ui.rsconnect_metadata(page), local_server.url)
    assert record["app_mode"] == "static" and record["title"] == "sales" and url.startswith(local_server.url)
    page.wait_for_function("!Jupyter.notebook.dirty")
    on_disk = saved_notebook(jupyter, path)
    assert (
        on_disk["metadata"]["rsconnect"]["servers"][local_server.url.rstrip("/")]["content_guid"]
        == record["content_guid"]
    )
    assert key not in (jupyter.root / path).read_text()

    # The toolbar notification opens the published document (alice signed in to the server before).
    with page.context.expect_page() as opened:
        page.click("#notification_rsconnect")
    document = opened.value
    document.wait_for_load_state()
    assert document.url.rstrip("/") == url.rstrip("/")
    assert "Sales in May" in document.content()


def test_republish_with_source(jupyter, local_server, page, no_saved_servers):
    key = signed_in_publisher(local_server, page, "sam")
    path = write_notebook(
        jupyter.root, unique("source") + "/model.ipynb", heading="Model run", requirements="# no packages needed\n"
    )
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    assert page.is_checked("#rsc-packages-file")  # requirements.txt is there, so it is the default
    page.click("#rsc-env-add")
    page.fill(".rsc-env-row:last-child .rsc-env-name", "REPORT_COLOR")
    page.fill(".rsc-env-row:last-child .rsc-env-value", "teal-secret-value")
    ui.submit_publish(page)
    first_url = ui.wait_published(page)
    guid = record_for(ui.rsconnect_metadata(page), local_server.url)["content_guid"]
    assert_serves(local_server, first_url, "Model run", key)
    assert "REPORT_COLOR" in local_server.api("GET", "v1/content/%s/environment" % guid, key=key).json()

    # Republish: the dialog opens on the remembered server, title and mode; no conflict question.
    page.click("#notification_rsconnect")  # dismiss (it also opens the document in a new tab)
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.is_checked("#rsc-mode-source")
    assert page.input_value("#rsc-title") == "model"
    assert page.input_value(".rsc-env-row .rsc-env-name") == "REPORT_COLOR"
    assert page.input_value(".rsc-env-row .rsc-env-value") == ""  # values are never remembered
    ui.submit_publish(page)
    second_url = ui.wait_published(page)
    assert second_url == first_url
    assert page.locator("#rsc-conflict-form").count() == 0
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert len(bundles) == 2
    text = (jupyter.root / path).read_text()
    assert "teal-secret-value" not in text and key not in text


def conflict_setup(jupyter, local_server, page):
    """Content titled like the notebook already exists; the notebook itself has never been published."""
    key = local_server.add_user(unique("carol"), "publisher")
    title = unique("Budget ")
    existing = local_server.api("POST", "v1/content", key=key, json={"name": unique("budget-"), "title": title})
    assert existing.status_code == 200, existing.text
    path = write_notebook(jupyter.root, unique("conflict") + "/budget.ipynb", heading="Budget 2027")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    page.fill("#rsc-title", title)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    ui.wait_conflict_dialog(page)
    assert title in page.inner_text("#rsc-conflict-form")
    return key, title, existing.json()["guid"]


def test_conflict_overwrite(jupyter, local_server, page, no_saved_servers):
    key, title, guid = conflict_setup(jupyter, local_server, page)
    page.click("#rsc-conflict-overwrite")
    url = ui.wait_published(page)
    assert guid in url
    assert record_for(ui.rsconnect_metadata(page), local_server.url)["content_guid"] == guid
    assert_serves(local_server, url, "Budget 2027", key)


def test_conflict_new_location(jupyter, local_server, page, no_saved_servers):
    key, title, guid = conflict_setup(jupyter, local_server, page)
    page.click("#rsc-conflict-new")
    url = ui.wait_published(page)
    new_guid = record_for(ui.rsconnect_metadata(page), local_server.url)["content_guid"]
    assert new_guid != guid and new_guid in url
    titles = [c["title"] for c in local_server.api("GET", "v1/content", key=key).json()]
    assert titles.count(title) == 2
    assert_serves(local_server, url, "Budget 2027", key)


def test_bad_key_is_one_sentence(jupyter, local_server, page, no_saved_servers):
    path = write_notebook(jupyter.root, unique("badkey") + "/notes.ipynb")
    ui.open_notebook(page, jupyter, path)
    ui.click_publish_button(page)
    ui.add_server(page, local_server.url, "0123456789abcdef0123456789abcdef", name="local")
    message = ui.dialog_error(page, "#rsc-add-error")
    assert "API key" in message and message.endswith(".") and "\n" not in message
    assert "0123456789abcdef" not in message
    assert jupyter.api("GET", "servers").json() == {"servers": []}  # nothing saved
    assert page.is_visible("#rsc-add-server-form")  # the user can correct the key in place


def test_viewer_is_refused(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("victor"), "viewer")
    path = write_notebook(jupyter.root, unique("viewer") + "/notes.ipynb")
    ui.open_notebook(page, jupyter, path)
    ui.click_publish_button(page)
    ui.add_server(page, local_server.url, key, name="local")
    message = ui.dialog_error(page, "#rsc-add-error")
    assert "viewer" in message and "cannot publish" in message and "\n" not in message
    assert jupyter.api("GET", "servers").json() == {"servers": []}


def test_collaborator_republishes_with_own_key(jupyter, local_server, page, browser, no_saved_servers):
    owner = unique("olga")
    owner_key = local_server.add_user(owner, "publisher")
    path = write_notebook(jupyter.root, unique("collab") + "/forecast.ipynb", heading="Forecast")
    url = ui.publish_first_time(page, jupyter, path, local_server.url, owner_key, name="olga-connect")
    guid = record_for(ui.rsconnect_metadata(page), local_server.url)["content_guid"]
    page.wait_for_function("!Jupyter.notebook.dirty")

    collaborator = unique("bruno")
    collaborator_key = local_server.add_user(collaborator, "publisher")
    bruno = local_server.api("GET", "v1/user", key=collaborator_key).json()
    r = local_server.api(
        "POST",
        "v1/content/%s/permissions" % guid,
        key=owner_key,
        json={"principal_guid": bruno["guid"], "principal_type": "user", "role": "owner"},
    )
    assert r.status_code in (200, 201), r.text

    # The collaborator opens the shared notebook with their own saved server for the same URL.
    jupyter.api("POST", "servers/remove", json={"server": "olga-connect"})
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, jupyter, path, local_server.url, collaborator_key, name="bruno-connect")
        assert other.input_value("#rsc-title") == "forecast"
        ui.submit_publish(other)
        assert ui.wait_published(other) == url
        assert other.locator("#rsc-conflict-form").count() == 0
    finally:
        context.close()
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=owner_key).json()
    assert len(bundles) == 2


def test_create_manifest_from_the_kernel_snapshot(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("mia"), "publisher")
    folder = unique("manifest")
    path = write_notebook(jupyter.root, folder + "/etl.ipynb", extra={"lookup.csv": "a,b\n"})
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    page.check("#rsc-files input[data-file='lookup.csv']")
    page.click("#rsc-write-manifest")
    page.wait_for_function("document.getElementById('rsc-status').innerText.indexOf('Wrote') >= 0")
    manifest = json.loads((jupyter.root / folder / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "etl.ipynb"}
    assert sorted(manifest["files"]) == ["etl.ipynb", "lookup.csv", "requirements.txt"]
    # The snapshot came from the kernel's Python (the same interpreter as the Jupyter server here).
    import sys

    assert manifest["python"]["version"] == "%d.%d.%d" % sys.version_info[:3]
    assert "rsconnect" not in (jupyter.root / folder / "requirements.txt").read_text().lower()

    # A second click asks before replacing the file.
    page.click("#rsc-write-manifest")
    assert "already exists" in ui.dialog_error(page)
    assert page.inner_text("#rsc-write-manifest") == "Replace manifest.json"
    page.click("#rsc-write-manifest")
    page.wait_for_function("document.getElementById('rsc-status').innerText.indexOf('Wrote') >= 0")
    assert not page.is_visible("#rsc-error")


def test_non_python_kernel_publishes_the_document_only(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("nora"), "publisher")
    path = write_notebook(
        jupyter.root, unique("echo") + "/summary.ipynb", heading="Echo summary", kernelspec=ECHO_KERNEL
    )
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert message == (
        "Publishing with source code needs a Python kernel, and this notebook runs echo; choose "
        '"Publish finished document only" or switch to a Python kernel.'
    )
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    assert_serves(local_server, ui.wait_published(page), "Echo summary", key)


def test_failed_render_shows_the_log_and_one_sentence(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("fred"), "publisher")
    path = write_notebook(
        jupyter.root,
        unique("broken") + "/broken.ipynb",
        heading="Broken",
        requirements="# no packages needed\n",
        code="raise RuntimeError('the data file is missing')",
    )
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert "\n" not in message and message.endswith(".")
    log = page.inner_text("#rsc-log")  # the server's task output streamed into the dialog
    assert "the data file is missing" in log
    assert page.is_enabled("#rsc-publish-submit")  # the user can fix the notebook and try again
    assert ui.rsconnect_metadata(page) is None  # nothing remembered for a failed publish


def test_non_collaborator_is_told_and_can_publish_a_copy(jupyter, local_server, page, browser, no_saved_servers):
    owner_key = local_server.add_user(unique("owen"), "publisher")
    path = write_notebook(jupyter.root, unique("shared") + "/kpis.ipynb", heading="KPIs")
    url = ui.publish_first_time(page, jupyter, path, local_server.url, owner_key, name="owen-connect")
    page.wait_for_function("!Jupyter.notebook.dirty")
    jupyter.api("POST", "servers/remove", json={"server": "owen-connect"})

    stranger_key = local_server.add_user(unique("sara"), "publisher")
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, jupyter, path, local_server.url, stranger_key, name="sara-connect")
        ui.submit_publish(other)
        message = ui.dialog_error(other)
        assert "collaborator" in message and '"Publish to a new location"' in message and "--" not in message
        other.check("#rsc-new-location")
        ui.submit_publish(other)
        copy_url = ui.wait_published(other)
        assert copy_url != url
        assert_serves(local_server, copy_url, "KPIs", stranger_key)
    finally:
        context.close()
