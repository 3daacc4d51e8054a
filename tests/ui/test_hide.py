""" "Hide (publishing goes on)" in notebook 6.5 and JupyterLab 4 (tests/ui/conftest.py): the publish
dialog's way out while it works. The dialog closes, the publish finishes behind it, the toolbar's
link then opens the published document, and the Publish button opens the dialog again on that
content (its Versions list the live one)."""

import re

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import assert_serves, unique, wait_saved

pytestmark = pytest.mark.browser

JOBS = re.compile(r"/rsconnect_jupyter/jobs/")  # the dialog's polls of the publish's job


def test_hide_while_publishing_then_the_link_and_the_dialog_show_the_result(
    front, local_server, page, no_saved_servers
):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("hedy"), "publisher")
    path = write_notebook(server.root, unique("hide") + "/weekly.ipynb", heading="Published while hidden")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    assert page.locator("#rsc-publish-hide").count() == 0  # offered only while publishing

    # The job's answers wait until the dialog is hidden: the publish is surely still going on then.
    held = []

    def hold(route):
        if held is not None:
            held.append(route)
        else:
            route.continue_()

    page.route(JOBS, hold)
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-publish-hide", state="visible")
    assert page.inner_text("#rsc-publish-hide").strip() == "Hide (publishing goes on)"
    assert page.is_disabled("#rsc-publish-submit")
    page.click("#rsc-publish-hide")
    page.wait_for_selector("#rsc-publish-form", state="detached")
    assert page.locator(ui.LINK).count() == 0  # not published yet
    waiting, held = held, None
    for route in waiting:
        route.continue_()

    url = ui.wait_link(page)
    assert url.startswith(local_server.url)
    assert_serves(url, "Published while hidden", key)
    record = wait_saved(server, path, local_server.url, url)
    assert record["app_mode"] == "static"
    assert page.locator(".rsc-modal").count() == 0  # nothing reopened by itself (no error either)

    # Reopening: the dialog is ready for the next publish of that content.
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.locator("#rsc-publish-hide").count() == 0 and page.is_enabled("#rsc-publish-submit")
    assert page.input_value("#rsc-title") == "weekly" and page.is_checked("#rsc-mode-static")
    page.click("#rsc-versions")
    page.wait_for_selector("#rsc-versions-view[data-loaded] .rsc-version", state="visible")
    live = local_server.api("GET", "v1/content/%s" % record["content_guid"], key=key).json()["bundle_id"]
    listed = page.eval_on_selector_all(
        "#rsc-versions-view .rsc-version",
        "rows => rows.map(r => [r.getAttribute('data-bundle'), r.classList.contains('rsc-version-is-live')])",
    )
    assert listed == [[str(live), True]]
