"""The command palette, which only JupyterLab 4 and Notebook 7 have: *Publish to Posit Connect*
there opens the publish dialog on what the notebook file remembers, and republishes to the same
content (tests/ui/test_publish.py republishes from the toolbar button in every UI)."""

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui
from tests.ui.adapter import unique

pytestmark = pytest.mark.browser


def test_publish_from_the_command_palette(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("rita"), "publisher")
    path = write_notebook(lab.root, unique("again") + "/weekly.ipynb", heading="Weekly numbers")
    url = ui.publish_first_time(page, lab, path, local_server.url, key, name="local")
    ui.wait_saved(lab, path, local_server.url, url)

    ui.open_notebook(page, lab, path)  # a new page: only the file remembers
    ui.run_from_palette(page, "Publish to Posit Connect")
    ui.wait_publish_dialog(page)
    assert page.is_checked("#rsc-mode-static")
    assert page.input_value("#rsc-title") == "weekly"
    ui.submit_publish(page)
    assert ui.wait_published(page) == url
    assert page.locator("#rsc-conflict-form").count() == 0
    guid = ui.record_for(lab, path, local_server.url)["content_guid"]
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()) == 2
