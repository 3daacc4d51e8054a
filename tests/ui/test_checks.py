"""The Voila mode and the checks before upload, in notebook 6.5 and JupyterLab 4
(tests/ui/conftest.py): the first Publish stops before any request to Connect and lists the
warnings; "Publish anyway" then publishes."""

import uuid

import pytest

from tests.checks_notebooks import (
    REFUSAL,
    WIDGET_WARNING,
    assert_serves_dashboard,
    write_dashboard_notebook,
    write_widget_notebook,
)
from tests.ui.adapter import assert_serves, wait_saved

pytestmark = pytest.mark.browser


def test_warnings_before_upload_then_publish_anyway(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user("wilma" + uuid.uuid4().hex[:6], "publisher")
    path = write_widget_notebook(server.root, "checks%s/sliders.ipynb" % uuid.uuid4().hex[:6], "Sliders")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
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


def test_publish_an_interactive_dashboard_with_voila(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user("vera" + uuid.uuid4().hex[:6], "publisher")
    path = write_dashboard_notebook(server.root, "voila%s/board.ipynb" % uuid.uuid4().hex[:6], "Team board")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    page.check("#rsc-mode-voila")
    assert page.is_visible("#rsc-source-options") and not page.is_visible("#rsc-hide-options")
    assert page.is_checked("#rsc-packages-file")  # the requirements.txt beside it, with voila
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves_dashboard(url, "Team board", key)
    record = wait_saved(server, path, local_server.url, url)
    assert record["app_mode"] == "jupyter-voila"
    [item] = local_server.api("GET", "v1/content", key=key).json()
    assert item["app_mode"] == "jupyter-voila" and item["content_url"] == url
