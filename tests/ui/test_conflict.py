"""The question when content with the notebook's title exists and the notebook was never published
there, in notebook 6.5 and JupyterLab 4 (tests/ui/conftest.py): update the chosen content, or
publish a new copy beside it."""

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import assert_serves, unique, wait_saved

pytestmark = pytest.mark.browser


def asked(front, local_server, page):
    """Content titled like the notebook exists: publish, and the question is asked. Returns the
    publisher's key, the title and the existing content's GUID."""
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("carol"), "publisher")
    title = unique("Budget ")
    existing = local_server.api("POST", "v1/content", key=key, json={"name": unique("budget-"), "title": title})
    assert existing.status_code == 200, existing.text
    guid = existing.json()["guid"]
    path = write_notebook(server.root, unique("conflict") + "/budget.ipynb", heading="Budget 2027")
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    page.fill("#rsc-title", title)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    ui.wait_conflict_dialog(page)
    assert title in page.inner_text("#rsc-conflict-form")
    assert page.is_checked('input[data-guid="%s"]' % guid)
    return key, title, guid, path


def test_update_the_chosen_content(front, local_server, page, no_saved_servers):
    key, title, guid, path = asked(front, local_server, page)
    page.click("#rsc-conflict-overwrite")
    url = front.ui.wait_published(page)
    assert guid in url
    assert_serves(url, "Budget 2027", key)
    record = wait_saved(front.server, path, local_server.url, url)
    assert record["content_guid"] == guid and record["title"] == title  # the existing content, not a new one


def test_publish_a_new_copy(front, local_server, page, no_saved_servers):
    key, title, guid, path = asked(front, local_server, page)
    page.click("#rsc-conflict-new")
    url = front.ui.wait_published(page)
    assert_serves(url, "Budget 2027", key)
    new_guid = wait_saved(front.server, path, local_server.url, url)["content_guid"]
    assert new_guid != guid and new_guid in url
    titled = [c["guid"] for c in local_server.api("GET", "v1/content", key=key).json() if c["title"] == title]
    assert sorted(titled) == sorted([guid, new_guid])
    assert local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json() == []  # untouched
