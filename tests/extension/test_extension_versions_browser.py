"""Sharing, drafts and source versions in the classic publish dialog, in headless Chromium against a real
Jupyter server (notebook 6.5 and nbclassic) and the local Connect server; and the dialog's layout at 1280x800."""

import re
import uuid

import pytest

from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook

pytestmark = pytest.mark.browser


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def served(local_server, url, key):
    """What a program with `key` gets at a content URL (content is `acl` by default)."""
    r = local_server.get(url, key=key, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    return r.text


def opened_document(page):
    """Click the toolbar notification; returns the page it opened, loaded."""
    with page.context.expect_page() as opened:
        page.click("#notification_rsconnect")
    document = opened.value
    document.wait_for_load_state()
    return document


def dismiss_notification(page, url, text):
    """Click the toolbar notification away: it opens `url` in a new tab, which shows `text` (the
    publisher is signed in to the server in this browser); close that."""
    document = opened_document(page)
    assert document.url.rstrip("/") == url.rstrip("/"), (document.url, url)
    assert text in document.content()
    document.close()
    page.wait_for_function("!$('#notification_rsconnect.rsc-published').is(':visible')")


def set_heading(page, heading):
    """Edit the notebook in the page (the publish saves what the page holds)."""
    page.evaluate(
        "h => { var c = Jupyter.notebook.get_cell(0); c.set_text('# ' + h); c.render(); }",
        heading,
    )


def open_sharing(page):
    page.click("#rsc-sharing > summary")
    assert page.get_attribute("#rsc-sharing", "open") is not None


def wait_versions(page):
    page.wait_for_selector("#rsc-versions-view[data-loaded] .rsc-version", state="visible")
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")


def version_rows(page):
    return page.evaluate(
        "$('.rsc-version').map(function () {"
        " return [[$(this).attr('data-bundle'), $(this).hasClass('rsc-version-live')]]; }).get()"
    )


def test_sharing_draft_activate_and_remove(jupyter, local_server, page, no_saved_servers):
    hana, password = unique("hana"), unique("pw-")
    key = local_server.add_user(hana, "publisher", password=password)
    local_server.sign_in(page.context, hana, password)  # as hana signed in to the server once
    viewer = unique("vito")
    local_server.add_user(viewer, "viewer")
    colleague = unique("cole")
    local_server.add_user(colleague, "publisher")
    tag = local_server.api("POST", "v1/tags", json={"name": unique("quarterly")}).json()  # made by an admin
    vanity = "/%s/" % unique("q4")
    path = write_notebook(jupyter.root, unique("versions") + "/report.ipynb", heading="First cut")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=False)

    # The section is folded away until the user opens it.
    assert page.get_attribute("#rsc-sharing", "open") is None
    assert not page.is_visible("#rsc-access")
    assert not page.is_visible("#rsc-versions")  # never published to this server
    open_sharing(page)
    page.select_option("#rsc-access", "acl")
    page.fill("#rsc-viewers", " %s , " % viewer)
    page.fill("#rsc-collaborators", colleague)
    page.fill("#rsc-vanity", vanity)
    page.fill("#rsc-tags", tag["name"])
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert "First cut" in served(local_server, url, key)
    record = ui.rsconnect_metadata(page)["servers"][local_server.url.rstrip("/")]
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
    assert "First cut" in served(local_server, local_server.url.rstrip("/") + vanity, key)
    first_bundle = item["bundle_id"]

    # A draft: the notification opens the preview, the content's URL keeps the live version.
    dismiss_notification(page, url, "First cut")
    set_heading(page, "Second cut")
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.get_attribute("#rsc-sharing", "open") is None  # folded again
    open_sharing(page)
    page.check("#rsc-draft")
    ui.submit_publish(page)
    preview = ui.wait_published(page)
    assert "Draft" in page.inner_text("#notification_rsconnect")
    match = re.match(re.escape(url) + r"_bundle(\d+)/$", preview)
    assert match, preview
    draft_bundle = match.group(1)
    assert "Second cut" in served(local_server, preview, key)
    assert "First cut" in served(local_server, url, key)
    # The record still names the content and its live URL.
    record = ui.rsconnect_metadata(page)["servers"][local_server.url.rstrip("/")]
    assert record["content_guid"] == guid and record["content_url"] == url

    # Versions: the draft is listed, not live; Activate streams its log and makes it live.
    dismiss_notification(page, preview, "Second cut")
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-versions")
    wait_versions(page)
    assert version_rows(page) == [[draft_bundle, False], [str(first_bundle), True]]
    assert page.locator('.rsc-version[data-bundle="%s"] .rsc-version-activate' % first_bundle).count() == 0
    page.click('.rsc-version[data-bundle="%s"] .rsc-version-activate' % draft_bundle)
    page.wait_for_function(
        "$('.rsc-version[data-bundle=\"%s\"]').hasClass('rsc-version-live') || $('#rsc-versions-error').is(':visible')"
        % draft_bundle,
        timeout=ui.PUBLISH_TIMEOUT_MS,
    )
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")
    assert page.inner_text("#rsc-versions-log").strip()
    assert version_rows(page) == [[draft_bundle, True], [str(first_bundle), False]]
    assert "Second cut" in served(local_server, url, key)

    # Remove the older version: a second click confirms.
    remove = '.rsc-version[data-bundle="%s"] .rsc-version-remove' % first_bundle
    page.click(remove)
    assert page.inner_text(remove) == "Delete for good"
    assert len(version_rows(page)) == 2
    page.click(remove)
    page.wait_for_function(
        "$('.rsc-version').length === 1 || $('#rsc-versions-error').is(':visible')",
    )
    assert not page.is_visible("#rsc-versions-error"), page.inner_text("#rsc-versions-error")
    assert version_rows(page) == [[draft_bundle, True]]
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    assert [str(b["id"]) for b in bundles] == [draft_bundle]

    # Closing the view leaves the publish dialog usable.
    page.click("#rsc-versions-close")
    page.wait_for_selector("#rsc-versions-view", state="detached")
    assert page.is_visible("#rsc-publish-submit")
    assert page.evaluate("$('body').hasClass('modal-open')")


def test_an_unknown_viewer_is_one_sentence(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("ivo"), "publisher")
    path = write_notebook(jupyter.root, unique("unknown-viewer") + "/notes.ipynb")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    open_sharing(page)
    page.fill("#rsc-viewers", "nobody-%s" % uuid.uuid4().hex[:6])
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert "nobody-" in message and "\n" not in message
    # The publish itself stays.
    assert "notes" in [c["title"] for c in local_server.api("GET", "v1/content", key=key).json()]


def test_footer_buttons_stay_on_screen_at_1280x800(jupyter, local_server, browser, no_saved_servers):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30000)
    try:
        key = local_server.add_user(unique("lea"), "publisher")
        path = write_notebook(
            jupyter.root,
            unique("layout") + "/long.ipynb",
            requirements="# none\n",
            extra={"data%d.csv" % i: "x\n" for i in range(12)},
        )
        ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
        ui.choose_mode(page, source=True)
        open_sharing(page)
        page.click("#rsc-env-add")
        # The section's fields stay inside it.
        section = page.locator("#rsc-sharing").bounding_box()
        for field in ("#rsc-draft", "#rsc-access", "#rsc-viewers", "#rsc-collaborators", "#rsc-vanity", "#rsc-tags"):
            box = page.locator(field).bounding_box()
            assert section["x"] <= box["x"] and box["x"] + box["width"] <= section["x"] + section["width"], field
        # A publish streaming a long log, with warnings and an error: the state shows right above
        # the buttons, and the server, title and mode stay in view, all without scrolling.
        page.evaluate(
            "() => { var lines = ['Warning: the kernel has packages that are not in requirements.txt'];"
            " for (var i = 0; i < 400; i++) { lines.push('Building: step ' + i); }"
            " $('#rsc-status').text('Publishing to local…');"
            " $('#rsc-warnings').append($('<li/>').text(lines[0].slice(9))); $('#rsc-warnings-box').show();"
            " $('#rsc-log').text(lines.join('\\n')); $('#rsc-log-box').show();"
            " $('#rsc-error').text('Something to read.').show(); }"
        )
        assert page.evaluate("$('#rsc-log')[0].scrollHeight > $('#rsc-log')[0].clientHeight")
        in_view = ("#rsc-server", "#rsc-title", "#rsc-mode-source", "#rsc-warnings", "#rsc-error", "#rsc-log")
        for selector in in_view + ("#rsc-publish-submit", "#rsc-publish-cancel", "#rsc-write-manifest"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            assert 0 <= box["y"] and box["y"] + box["height"] <= 800, (selector, box)
            assert 0 <= box["x"] and box["x"] + box["width"] <= 1280, (selector, box)
    finally:
        context.close()
