"""Sharing, drafts and source versions in the publish dialog of notebook 6.5 and JupyterLab 4
(tests/ui/conftest.py), against the local Connect server: publish with the folded "Sharing and draft"
section filled in (the server's access type, permissions, tags and vanity path hold what was asked;
the path serves it), publish a draft (the toolbar link is its preview, the content URL still serves
the live version), then the Versions step: make the draft live, download the older version's source,
delete it (a second click confirms). An unknown viewer is one sentence, and the publish stays."""

import re
import uuid

import nbformat
import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import unique, wait_saved

pytestmark = pytest.mark.browser


def served(local_server, url, key):
    """What a program with `key` (the publisher's) gets at a content URL (content is `acl` by default)."""
    r = local_server.get(url, key=key, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    return r.text


def set_heading(server, path, heading):
    """Change the notebook's first cell on disk, keeping its metadata (the publishing record)."""
    nb = nbformat.read(str(server.root / path), as_version=4)
    nb.cells[0].source = "# %s" % heading
    nbformat.write(nb, str(server.root / path))


def open_sharing(page):
    page.click("#rsc-sharing > summary")
    page.wait_for_selector("#rsc-access", state="visible")
    assert page.get_attribute("#rsc-sharing", "open") is not None


def rows(page):
    """The Versions step's rows, newest first: (bundle id, live)."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('#rsc-versions-view .rsc-version')).map("
        "r => [r.getAttribute('data-bundle'), r.classList.contains('rsc-version-is-live')])"
    )


def test_sharing_draft_and_versions(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("vera"), "publisher")
    viewer = unique("vic")
    local_server.add_user(viewer, "viewer")
    colleague = unique("col")
    local_server.add_user(colleague, "publisher")
    tag = local_server.api("POST", "v1/tags", json={"name": unique("quarterly")}).json()  # made by an admin
    vanity = "/%s/" % unique("q4")
    path = write_notebook(server.root, unique("versions") + "/report.ipynb", heading="First edition")

    # 1. The first publish, shared with one viewer and one collaborator, tagged, at a vanity path.
    ui.open_publish_dialog(page, server, path, local_server.url, key)
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
    assert page.inner_text(ui.LINK).strip().startswith("Published")
    assert "First edition" in served(local_server, url, key)
    guid = wait_saved(server, path, local_server.url, url)["content_guid"]
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
    first_id = str(item["bundle_id"])

    # 2. A draft of a second edition: the link previews it; the content URL keeps the first.
    context = page.context
    page.close()  # the notebook changes on disk: a new page reads it
    set_heading(server, path, "Second edition")
    page = context.new_page()
    ui.open_notebook(page, server, path)
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.is_visible("#rsc-versions")
    assert page.get_attribute("#rsc-sharing", "open") is None  # folded again
    open_sharing(page)
    page.check("#rsc-draft")
    ui.submit_publish(page)
    preview = ui.wait_published(page)
    match = re.match(re.escape(url) + r"_bundle(\d+)/$", preview)
    assert match, preview
    draft_id = match.group(1)
    assert page.inner_text(ui.LINK).strip().startswith("Draft")
    assert "Second edition" in served(local_server, preview, key)
    assert "First edition" in served(local_server, url, key)
    record = wait_saved(server, path, local_server.url, url)  # the record keeps the content and its URL
    assert record["content_guid"] == guid
    # Nothing else asked: the sharing set by the first publish stays.
    assert local_server.api("GET", "v1/content/%s" % guid, key=key).json()["access_type"] == "acl"

    # 3. The Versions step: the draft is newest and not live; making it live streams its log.
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-versions")
    page.wait_for_selector("#rsc-versions-view[data-loaded] .rsc-version", state="visible")
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")
    assert rows(page) == [[draft_id, False], [first_id, True]]
    assert "Live" in page.inner_text('.rsc-version[data-bundle="%s"]' % first_id)
    assert page.locator('.rsc-version[data-bundle="%s"] .rsc-version-activate' % first_id).count() == 0
    page.click('.rsc-version[data-bundle="%s"] .rsc-version-activate' % draft_id)
    page.wait_for_function(
        """id => { const row = document.querySelector('.rsc-version[data-bundle="' + id + '"]');
                   const error = document.querySelector('#rsc-versions-error');
                   return (row && row.classList.contains('rsc-version-is-live')) || error.offsetParent !== null; }""",
        arg=draft_id,
        timeout=ui.PUBLISH_TIMEOUT_MS,
    )
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")
    assert page.inner_text("#rsc-versions-log").strip(), "the activation's log did not show"
    assert rows(page) == [[draft_id, True], [first_id, False]]
    assert "Second edition" in served(local_server, url, key)
    # The toolbar's draft link now opens the content itself.
    assert ui.link_url(page) == url
    assert page.inner_text(ui.LINK).strip().startswith("Published")

    # "Download source": the older version's bundle, as Connect keeps it, saved by the browser.
    with page.expect_download(timeout=ui.PUBLISH_TIMEOUT_MS) as saving:
        page.click('.rsc-version[data-bundle="%s"] .rsc-version-download' % first_id)
    download = saving.value
    kept = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, first_id), key=key).content
    assert download.suggested_filename.endswith("-version-%s.tar.gz" % first_id)
    assert open(download.path(), "rb").read() == kept
    page.wait_for_function("document.querySelector('#rsc-versions-status').textContent.indexOf('Saved') === 0")
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")

    # Delete the older version: two clicks (it cannot be undone).
    remove = '.rsc-version[data-bundle="%s"] .rsc-version-remove' % first_id
    page.click(remove)
    assert page.inner_text(remove).strip() == "Delete for good"
    assert len(rows(page)) == 2
    page.click(remove)
    page.wait_for_function(
        "document.querySelectorAll('#rsc-versions-view .rsc-version').length === 1"
        " || document.querySelector('#rsc-versions-error').offsetParent !== null"
    )
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")
    assert rows(page) == [[draft_id, True]]
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert [str(b["id"]) for b in bundles] == [draft_id]

    # The Versions step's way back leads to a usable publish dialog; Cancel closes it.
    page.click("#rsc-versions-close")
    page.wait_for_selector("#rsc-versions-view", state="detached")
    assert page.is_visible("#rsc-publish-submit") and page.is_enabled("#rsc-publish-submit")
    page.click("#rsc-publish-cancel")
    page.wait_for_selector("#rsc-publish-form", state="detached")


def test_an_unknown_viewer_is_one_sentence_and_the_publish_stays(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("uma"), "publisher")
    title = unique("Shared report ")
    nobody = "nobody-%s" % uuid.uuid4().hex[:6]
    path = write_notebook(server.root, unique("sharing-error") + "/report.ipynb", heading="Kept anyway")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    page.fill("#rsc-title", title)
    open_sharing(page)
    page.fill("#rsc-viewers", nobody)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert nobody in message and "sharing was not set" in message, message
    assert message.endswith(".") and "\n" not in message, message
    assert page.is_visible("#rsc-publish-form")  # the dialog stays open to fix the sharing
    found = [c for c in local_server.api("GET", "v1/content", key=key).json() if c["title"] == title]
    assert len(found) == 1 and found[0]["bundle_id"], found
    assert "Kept anyway" in served(local_server, found[0]["content_url"], key)
