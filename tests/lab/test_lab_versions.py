"""Drafts, sharing and source versions in the lab extension's publish dialog, in headless Chromium
against JupyterLab 4 and Notebook 7 (the `lab` fixture's two params) and the local Connect server:
publish with the folded "Sharing and draft" section filled in (the server's access type, permissions
and vanity path hold what was asked), publish a draft (the toolbar link is its preview, the content
URL still serves the live version), then the Versions view: activate the draft, remove the older one."""

import uuid

import nbformat
import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui

pytestmark = pytest.mark.browser


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def set_heading(lab, path, heading):
    """Change the notebook's first cell on disk, keeping its metadata (the publishing record)."""
    nb = nbformat.read(str(lab.root / path), as_version=4)
    nb.cells[0].source = "# %s" % heading
    nbformat.write(nb, str(lab.root / path))


def served(local_server, url, key):
    """What a program with `key` (the publisher's) gets at a content URL (content is `acl` by default)."""
    r = local_server.get(url, key=key, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    return r.text


def open_sharing(page):
    page.click("#rsc-sharing > summary")
    page.wait_for_selector("#rsc-access", state="visible")


def rows(page):
    """The Versions view's rows, newest first: (bundle id, live)."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('#rsc-versions-view .rsc-version')).map("
        "r => [r.getAttribute('data-bundle'), r.querySelector('.rsc-version-activate') === null])"
    )


def test_sharing_draft_and_versions_in_the_dialog(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("vera"), "publisher")
    viewer = unique("vic")
    local_server.add_user(viewer, "viewer")
    colleague = unique("col")
    local_server.add_user(colleague, "publisher")
    tag = local_server.api("POST", "v1/tags", json={"name": unique("quarterly")}).json()  # made by an admin
    vanity = "/%s/" % unique("q4")
    path = write_notebook(lab.root, unique("versions") + "/report.ipynb", heading="First edition")

    # 1. The first publish, shared with one viewer only, at a vanity path.
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    assert not page.is_visible("#rsc-versions")  # nothing published from this notebook yet
    assert page.get_attribute("#rsc-sharing", "open") is None  # folded by default
    assert not page.is_visible("#rsc-access")
    ui.choose_mode(page, source=False)
    open_sharing(page)
    page.select_option("#rsc-access", "acl")
    page.fill("#rsc-viewers", " %s , " % viewer)
    page.fill("#rsc-collaborators", colleague)
    page.fill("#rsc-vanity", vanity)
    page.fill("#rsc-tags", tag["name"])
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert page.inner_text(".rsc-published").startswith("Published")
    record = ui.wait_saved(lab, path, local_server.url, url)
    guid = record["content_guid"]
    item = local_server.api("GET", "v1/content/%s" % guid, key=key).json()
    assert item["access_type"] == "acl"
    people = {
        name: local_server.api("GET", "v1/users", params={"prefix": name}).json()["results"][0]["guid"]
        for name in (viewer, colleague)
    }
    permissions = local_server.api("GET", "v1/content/%s/permissions" % guid, key=key).json()
    assert sorted((p["principal_guid"], p["role"]) for p in permissions) == sorted(
        [(people[viewer], "viewer"), (people[colleague], "owner")]
    )
    assert [t["id"] for t in local_server.api("GET", "v1/content/%s/tags" % guid, key=key).json()] == [tag["id"]]
    assert local_server.api("GET", "v1/content/%s/vanity" % guid, key=key).json()["path"] == vanity
    assert "First edition" in served(local_server, local_server.url.rstrip("/") + vanity, key)

    # 2. A draft of a second edition: the link previews it; the content URL keeps the first.
    set_heading(lab, path, "Second edition")
    ui.open_notebook(page, lab, path)  # reload the changed file
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.is_visible("#rsc-versions")
    open_sharing(page)
    page.check("#rsc-draft")
    ui.submit_publish(page)
    preview = ui.wait_published(page)
    assert preview != url and preview.startswith(url), preview
    assert page.inner_text(".rsc-published").startswith("Draft")
    assert page.get_attribute(".rsc-published", "title").startswith("Draft")
    assert "Second edition" in served(local_server, preview, key)
    assert "First edition" in served(local_server, url, key)
    assert ui.wait_saved(lab, path, local_server.url, url)["content_guid"] == guid  # the record keeps the URL
    # Nothing else asked: the sharing set by the first publish stays.
    assert local_server.api("GET", "v1/content/%s" % guid, key=key).json()["access_type"] == "acl"

    # 3. The Versions view: the draft is newest and not live.
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-versions")
    page.wait_for_selector("#rsc-versions-view .rsc-version", state="visible")
    listed = rows(page)
    draft_id = preview.rstrip("/").rsplit("_bundle", 1)[1]
    assert [b for b, _ in listed][0] == draft_id and len(listed) == 2, listed
    first_id = listed[1][0]
    assert listed == [[draft_id, False], [first_id, True]]
    text = page.inner_text('.rsc-version[data-bundle="%s"]' % first_id)
    assert "Live" in text, text

    # Activate the draft: its log streams into the view, then it is the live one.
    page.click('.rsc-version[data-bundle="%s"] .rsc-version-activate' % draft_id)
    page.wait_for_function(
        "document.querySelector('.rsc-version[data-bundle=\"%s\"] .rsc-version-live') !== null" % draft_id,
        timeout=ui.PUBLISH_TIMEOUT_MS,
    )
    assert page.inner_text("#rsc-versions-log").strip(), "the activation's log did not show"
    assert not page.is_visible("#rsc-versions-error")
    assert rows(page) == [[draft_id, True], [first_id, False]]
    assert "Second edition" in served(local_server, url, key)
    # The toolbar's draft link now opens the content itself.
    assert page.get_attribute(".rsc-published", "href") == url
    assert page.inner_text(".rsc-published").startswith("Published")

    # Remove the older version: two clicks (it cannot be undone).
    remove = '.rsc-version[data-bundle="%s"] .rsc-version-remove' % first_id
    page.click(remove)
    assert page.inner_text(remove).strip() == "Delete for good"
    assert len(rows(page)) == 2
    page.click(remove)
    page.wait_for_function("document.querySelectorAll('#rsc-versions-view .rsc-version').length === 1")
    assert rows(page) == [[draft_id, True]]
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert [b["id"] for b in bundles] == [draft_id]
    page.click(".jp-Dialog button.rsc-versions-close")  # the Versions step's way back to the form
    page.click(".jp-Dialog button.rsc-publish-cancel")
    page.wait_for_selector("#rsc-publish-form", state="detached")


def test_an_unknown_viewer_is_one_sentence_and_the_publish_stays(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("uma"), "publisher")
    title = unique("Shared report ")
    path = write_notebook(lab.root, unique("sharing-error") + "/report.ipynb", heading="Kept anyway")
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    page.fill("#rsc-title", title)
    open_sharing(page)
    page.fill("#rsc-viewers", "nobody-by-this-name")
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert "nobody-by-this-name" in message and "sharing was not set" in message, message
    assert message.endswith(".") and "\n" not in message, message
    assert page.is_visible("#rsc-publish-form")  # the dialog stays open to fix the sharing
    found = [c for c in local_server.api("GET", "v1/content", key=key).json() if c["title"] == title]
    assert len(found) == 1 and found[0]["bundle_id"], found
    assert "Kept anyway" in served(local_server, found[0]["content_url"], key)
