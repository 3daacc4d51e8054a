"""The classic extension beside JupyterLab 4 and Notebook 7: with nbclassic installed in the same
environment, a notebook opened at /nbclassic/notebooks/... has the classic Publish button, and it
publishes through the same handlers as every other front end (what README.md promises)."""

import uuid

import pytest

from tests.extension import extension_ui as classic  # tests/extension: the classic dialogs, by their element ids
from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui
from tests.ui.adapter import assert_serves

pytestmark = pytest.mark.browser


def test_classic_extension_publishes_from_nbclassic(lab, local_server, page, no_saved_servers):
    key = local_server.add_user("cleo" + uuid.uuid4().hex[:6], "publisher")
    path = write_notebook(lab.root, "classic%s/old school.ipynb" % uuid.uuid4().hex[:6], heading="Old school")
    page.goto("%snbclassic/notebooks/%s?token=%s" % (lab.url, path, lab.token))
    classic.wait_notebook_ready(page)
    classic.click_publish_button(page)
    classic.add_server(page, local_server.url, key, name="classic-beside-lab")
    classic.wait_publish_dialog(page)
    classic.choose_mode(page, source=False)
    classic.submit_publish(page)
    url = classic.wait_published(page)
    assert_serves(url, "Old school", key)
    record = lab_ui.wait_saved(lab, path, local_server.url, url)
    assert record["content_url"] == url and record["app_mode"] == "static"
