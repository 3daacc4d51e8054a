"""Two people and one notebook, in notebook 6.5 and JupyterLab 4 (tests/ui/conftest.py): a collaborator
of the content republishes it with their own key and saved server; someone who is not is told so,
and can publish a copy."""

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import assert_serves, make_collaborator, record_for, unique, wait_saved

pytestmark = pytest.mark.browser


def published_by(front, local_server, page, prefix, server_name, heading):
    """A publisher publishes a new notebook, then their saved server is removed (the next person
    saves their own). Returns the owner's key, the notebook's path, the URL and the content's GUID."""
    ui, server = front.ui, front.server
    owner_key = local_server.add_user(unique(prefix), "publisher")
    path = write_notebook(server.root, unique(prefix) + "/%s.ipynb" % heading.lower(), heading=heading)
    url = ui.publish_first_time(page, server, path, local_server.url, owner_key, name=server_name)
    guid = wait_saved(server, path, local_server.url, url)["content_guid"]
    assert server.api("POST", "servers/remove", json={"server": server_name}).status_code == 200
    return owner_key, path, url, guid


def test_collaborator_republishes_with_own_key(front, local_server, page, browser, no_saved_servers):
    ui, server = front.ui, front.server
    owner_key, path, url, guid = published_by(front, local_server, page, "olga", "olga-connect", "Forecast")
    collaborator_key = local_server.add_user(unique("bruno"), "publisher")
    make_collaborator(local_server, guid, owner_key, collaborator_key)

    # The collaborator opens the shared notebook with their own saved server for the same URL.
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, server, path, local_server.url, collaborator_key, name="bruno-connect")
        assert other.input_value("#rsc-title") == "forecast"
        assert other.is_checked("#rsc-mode-static")
        ui.submit_publish(other)
        assert ui.wait_published(other) == url
        assert other.locator("#rsc-conflict-form").count() == 0
    finally:
        context.close()
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid, key=owner_key).json()) == 2
    assert record_for(server, path, local_server.url)["content_guid"] == guid
    assert collaborator_key not in (server.root / path).read_text()


def test_non_collaborator_is_told_and_can_publish_a_copy(front, local_server, page, browser, no_saved_servers):
    ui, server = front.ui, front.server
    owner_key, path, url, guid = published_by(front, local_server, page, "owen", "owen-connect", "KPIs")
    stranger_key = local_server.add_user(unique("sara"), "publisher")
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, server, path, local_server.url, stranger_key, name="sara-connect")
        assert other.is_visible("#rsc-new-location")  # the notebook was published to this server
        ui.submit_publish(other)
        message = ui.dialog_error(other)
        assert "collaborator" in message and '"Publish to a new location"' in message, message
        assert "--" not in message and "\n" not in message and message.endswith(".")
        assert other.is_enabled("#rsc-publish-submit")
        other.check("#rsc-new-location")
        ui.submit_publish(other)
        copy_url = ui.wait_published(other)
        assert copy_url != url
        assert_serves(copy_url, "KPIs", stranger_key)
        wait_saved(server, path, local_server.url, copy_url)
    finally:
        context.close()
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid, key=owner_key).json()) == 1
    copy = record_for(server, path, local_server.url)
    assert copy["content_guid"] != guid and copy["content_url"] == copy_url
    mine = local_server.api("GET", "v1/content/%s" % copy["content_guid"], key=stranger_key).json()
    assert mine["guid"] == copy["content_guid"]
