"""From the notebook to the local server's dashboard: a notebook published twice from the classic
toolbar shows up at /connect/ with both versions and their deploy logs, and Activate on the first
version makes the content URL serve it again. All in one Chromium, signed in as the publisher."""

from __future__ import annotations

import re

import pytest

from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import signed_in_publisher, unique, wait_saved

pytestmark = pytest.mark.browser


def republish_with_heading(page, heading):
    """Change the notebook's heading in the page, save it, and publish again (no conflict question)."""
    page.evaluate(
        "h => { const c = Jupyter.notebook.get_cell(0); c.set_text('# ' + h); c.render();"
        " return Jupyter.notebook.save_notebook(); }",
        heading,
    )
    page.wait_for_function("!Jupyter.notebook.dirty")
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    ui.submit_publish(page)
    return ui.wait_published(page)


def test_a_notebook_published_twice_shows_in_the_dashboard_and_activate_rolls_back(
    jupyter, local_server, page, no_saved_servers
):
    key = signed_in_publisher(local_server, page, "dana")
    first_heading, second_heading = unique("Forecast one "), unique("Forecast two ")
    path = write_notebook(jupyter.root, unique("dash") + "/forecast.ipynb", heading=first_heading)
    url = ui.publish_first_time(page, jupyter, path, local_server.url, key, name="local")
    assert republish_with_heading(page, second_heading) == url
    guid = wait_saved(jupyter, path, local_server.url, url)["content_guid"]
    item = local_server.api("GET", "v1/content/" + guid, key=key).json()
    assert second_heading in local_server.get(url, key=key).text
    first, second = sorted(
        int(b["id"]) for b in local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()
    )

    dashboard = page.context.new_page()
    dashboard.set_default_timeout(60000)
    # The list: the notebook is there (its finished document is a static page), with a link to its page.
    dashboard.goto(local_server.url + "connect/")
    row = dashboard.locator("tr", has_text="forecast")
    assert "Finished document" in row.first.inner_text()
    # The item's dashboard_url (what Connect's clients print) opens its page.
    dashboard.goto(item["dashboard_url"])
    dashboard.wait_for_url(re.compile(r".*/connect/apps/%s$" % guid))
    versions = dashboard.locator("tr.version")
    assert versions.count() == 2
    assert dashboard.locator('tr.version[data-bundle="%s"] td.state' % second).inner_text().startswith("live")
    logs = dashboard.locator("#deploy-logs details.task")
    assert logs.count() == 2  # one deploy log per publish

    dashboard.locator('tr.version[data-bundle="%s"] button.activate' % first).click()
    dashboard.wait_for_url(re.compile(r".*/connect/apps/%s/tasks/[A-Za-z0-9_-]+$" % guid))
    dashboard.wait_for_selector('.task-status[data-status="done"]', timeout=300000)
    # The content URL serves the first version again, in this browser and to the publisher's key.
    dashboard.goto(url)
    assert first_heading in dashboard.content() and second_heading not in dashboard.content()
    assert first_heading in local_server.get(url, key=key).text
    assert local_server.api("GET", "v1/content/" + guid, key=key).json()["bundle_id"] == str(first)
    dashboard.close()
