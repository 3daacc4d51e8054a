"""The Voila mode and the checks before upload in the classic dialog: the first Publish stops before any request to
Connect and lists the warnings; "Publish anyway" then publishes."""

import uuid

import pytest

from tests.checks_notebooks import (
    REFUSAL,
    WIDGET_WARNING,
    assert_serves_dashboard,
    write_dashboard_notebook,
    write_widget_notebook,
)
from tests.extension import extension_ui as ui
from tests.lab.test_lab_browser import assert_serves

pytestmark = pytest.mark.browser


def test_warnings_before_upload_then_publish_anyway(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user("walt" + uuid.uuid4().hex[:6], "publisher")
    path = write_widget_notebook(jupyter.root, "checks%s/sliders.ipynb" % uuid.uuid4().hex[:6], "Sliders")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    assert ui.dialog_error(page) == REFUSAL
    assert page.inner_text("#rsc-warnings li") == WIDGET_WARNING
    assert page.inner_text("#rsc-publish-submit").strip() == "Publish anyway"
    assert local_server.api("GET", "v1/content", key=key).json() == []  # nothing reached Connect
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves(url, "Sliders", key)
    assert [c["content_url"] for c in local_server.api("GET", "v1/content", key=key).json()] == [url]


def test_publish_an_interactive_dashboard_with_voila(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user("viktor" + uuid.uuid4().hex[:6], "publisher")
    path = write_dashboard_notebook(jupyter.root, "voila%s/board.ipynb" % uuid.uuid4().hex[:6], "Team board")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
    page.check("#rsc-mode-voila")
    assert page.is_visible("#rsc-source-options") and not page.is_visible("#rsc-hide-options")
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves_dashboard(url, "Team board", key)
    assert ui.rsconnect_metadata(page)["servers"][local_server.url.rstrip("/")]["app_mode"] == "jupyter-voila"
    [item] = local_server.api("GET", "v1/content", key=key).json()
    assert item["app_mode"] == "jupyter-voila" and item["content_url"] == url
