"""The lab extension in headless Chromium against JupyterLab 4 and Notebook 7 (the `lab`
fixture's two params) and the local Connect server: first publish (add a server, finished
document only), publish with source code, the conflict question (overwrite), and what the
notebook file remembers."""

import uuid

import pytest
import requests

from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui

pytestmark = pytest.mark.browser


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def assert_serves(url, text, key=None):
    """The content URL serves `text` to a program with the API key `key`: new content is `acl`, so
    it needs the key of someone who may see it (without one, only `all` content answers)."""
    headers = {"Authorization": "Key " + key} if key else {}
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    assert text in r.text


def test_first_publish_static(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("alice"), "publisher")
    path = write_notebook(lab.root, unique("first") + "/sales.ipynb", heading="Sales in May")
    url = ui.publish_first_time(page, lab, path, local_server.url, key, name="local")
    assert url.startswith(local_server.url)
    assert_serves(url, "Sales in May", key)

    # The notebook file remembers the target under the classic extension's keys (never the key).
    record = ui.wait_saved(lab, path, local_server.url, url)
    md = ui.saved_metadata(lab, path)
    assert record["app_mode"] == "static" and record["title"] == "sales" and record["content_url"] == url
    assert md["last_server_url"] == local_server.url.rstrip("/")
    # The record names the content the server holds (a 404 page would name the GUID too: read its fields).
    content = local_server.api("GET", "v1/content/%s" % record["content_guid"], key=key)
    assert content.status_code == 200, content.text
    content = content.json()
    assert content["guid"] == record["content_guid"] and content["content_url"] == url
    assert content["title"] == "sales" and content["bundle_id"]  # published: it has an active bundle
    assert key not in (lab.root / path).read_text()


def test_publish_with_source(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("sam"), "publisher")
    path = write_notebook(
        lab.root, unique("source") + "/model.ipynb", heading="Model run", requirements="# no packages needed\n"
    )
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    assert page.is_checked("#rsc-packages-file")  # requirements.txt is there, so it is the default
    page.click("#rsc-env-add")
    page.fill(".rsc-env-row:last-child .rsc-env-name", "REPORT_COLOR")
    page.fill(".rsc-env-row:last-child .rsc-env-value", "teal-secret-value")
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves(url, "Model run", key)

    record = ui.wait_saved(lab, path, local_server.url, url)
    md = ui.saved_metadata(lab, path)
    assert record["app_mode"] == "jupyter-static" and record["content_url"] == url
    assert md["environment_names"] == ["REPORT_COLOR"]
    assert (
        "REPORT_COLOR" in local_server.api("GET", "v1/content/%s/environment" % record["content_guid"], key=key).json()
    )
    text = (lab.root / path).read_text()
    assert "teal-secret-value" not in text and key not in text


def test_conflict_overwrite(lab, local_server, page, no_saved_servers):
    """Content titled like the notebook exists; the notebook was never published: overwrite it."""
    key = local_server.add_user(unique("carol"), "publisher")
    title = unique("Budget ")
    existing = local_server.api("POST", "v1/content", key=key, json={"name": unique("budget-"), "title": title})
    assert existing.status_code == 200, existing.text
    guid = existing.json()["guid"]
    path = write_notebook(lab.root, unique("conflict") + "/budget.ipynb", heading="Budget 2027")
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    page.fill("#rsc-title", title)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-conflict-form", state="visible")
    assert page.is_checked('input[data-guid="%s"]' % guid)
    page.click("#rsc-conflict-overwrite")
    url = ui.wait_published(page)
    assert_serves(url, "Budget 2027", key)
    record = ui.wait_saved(lab, path, local_server.url, url)
    assert record["content_guid"] == guid  # the existing content, not a new one
    assert record["title"] == title


def test_republish_from_remembered_metadata(lab, local_server, page, no_saved_servers):
    """A fresh page reads the notebook file's `rsconnect` metadata: same server, title and mode,
    no conflict question, the same content. Started from the command palette."""
    key = local_server.add_user(unique("rita"), "publisher")
    path = write_notebook(lab.root, unique("again") + "/weekly.ipynb", heading="Weekly numbers")
    url = ui.publish_first_time(page, lab, path, local_server.url, key, name="local")
    ui.wait_saved(lab, path, local_server.url, url)

    ui.open_notebook(page, lab, path)  # a new page: only the file remembers
    assert page.locator(".rsc-published").count() == 0
    ui.run_from_palette(page, "Publish to Posit Connect")
    ui.wait_publish_dialog(page)
    assert page.is_checked("#rsc-mode-static")
    assert page.input_value("#rsc-title") == "weekly"
    ui.submit_publish(page)
    assert ui.wait_published(page) == url
    assert page.locator("#rsc-conflict-form").count() == 0
    guid = ui.record_for(lab, path, local_server.url)["content_guid"]
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert len(bundles) == 2


def test_bad_key_is_refused_in_the_dialog(lab, local_server, page, no_saved_servers):
    """A wrong key: one sentence in the add-server dialog, which stays open; nothing is saved."""
    path = write_notebook(lab.root, unique("badkey") + "/notes.ipynb")
    ui.open_notebook(page, lab, path)
    ui.click_publish_button(page)
    ui.add_server(page, local_server.url, "not-a-real-key-0123456789", name="local")
    page.wait_for_selector("#rsc-add-error", state="visible")
    message = page.inner_text("#rsc-add-error").strip()
    assert message.endswith(".") and "key" in message.lower(), message
    assert "not-a-real-key" not in message
    assert page.is_visible("#rsc-server-url")
    assert lab.api("GET", "servers").json()["servers"] == []
