"""Every notebook UI's dialog checks the input rules it is served (rsconnect_jupyter/rules.py through
GET rsconnect_jupyter/rules), in the same sentences, and holds no copy of its own."""

import json
import re
import uuid

import pytest

from rsconnect_jupyter import rules
from tests.extension.extension_notebooks import write_notebook
from tests.extension.test_extension_rules import NAMES

pytestmark = pytest.mark.browser
BAD_NAME = '"1BAD" is not a valid environment variable name; use letters, digits and _.'


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def refusal(ui, page, title, env_name):
    """Fill the title and one environment variable, press Publish: the dialog's sentence."""
    ui.choose_mode(page, source=True)
    page.fill("#rsc-title", title)
    if not page.query_selector(".rsc-env-row"):
        page.click("#rsc-env-add")
    page.fill(".rsc-env-row:last-child .rsc-env-name", env_name)
    ui.submit_publish(page)
    # The check runs on the click, before any request: the sentence is there at once or never.
    page.wait_for_selector("#rsc-error", state="visible", timeout=10000)
    return page.inner_text("#rsc-error").strip()


def test_the_dialog_checks_with_the_served_rules(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("rita"), "publisher")
    path = write_notebook(server.root, unique("rules") + "/report.ipynb")
    ui.open_publish_dialog(page, server, path, local_server.url, key)

    # The served pattern, anchored as the dialog anchors it, agrees with Python's on every name.
    in_browser = page.evaluate(
        "([p, names]) => names.map(n => new RegExp('^(?:' + p + ')$').test(n))", [rules.ENV_NAME_PATTERN, NAMES]
    )
    assert in_browser == [rules.is_env_name(n) for n in NAMES]

    # The sentences as before.
    assert refusal(ui, page, "Quarterly report", "1BAD") == BAD_NAME
    assert refusal(ui, page, "ab", "GOOD_NAME") == "Enter a title of 3 to 1024 characters."
    assert refusal(ui, page, "x" * 1025, "GOOD_NAME") == "Enter a title of 3 to 1024 characters."

    # Other rules served: the dialog follows them, so it holds no copy of its own.
    served = {"env_name_pattern": "[A-Z]+", "title_min_length": 5, "title_max_length": 8}
    asked = []

    def serve(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(served))

    # A new page (a reload would stop at the unsaved-changes question), the saved server already there.
    other = page.context.new_page()
    other.console_errors = []
    other.route(re.compile(r"/rsconnect_jupyter/rules(\?|$)"), serve)
    ui.open_notebook(other, server, path)
    ui.click_publish_button(other)
    ui.wait_publish_dialog(other)
    assert len(asked) == 1, asked
    assert refusal(ui, other, "abcd", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(ui, other, "abcdefghi", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(ui, other, "abcde", "GOOD_1") == (
        '"GOOD_1" is not a valid environment variable name; use letters, digits and _.'
    )
