"""The lab dialog checks the input rules it is served (rsconnect_jupyter/rules.py through GET
rsconnect_jupyter/rules), in the same sentences as before, and holds no copy of its own."""

import json
import re
import uuid

import pytest

from rsconnect_jupyter import rules
from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui

pytestmark = pytest.mark.browser

NAMES = ["A", "_", "_X1", "a1_b", "1BAD", "BAD NAME", "BAD-NAME", "X\n", "", "É"]


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def refusal(page, title, env_name):
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


def test_the_dialog_checks_with_the_served_rules(lab, local_server, page, no_saved_servers):
    assert lab.api("GET", "rules").json() == rules.dialog_rules()
    key = local_server.add_user(unique("rita"), "publisher")
    path = write_notebook(lab.root, unique("rules") + "/report.ipynb")
    ui.open_publish_dialog(page, lab, path, local_server.url, key)

    in_browser = page.evaluate(
        "([p, names]) => names.map(n => new RegExp('^(?:' + p + ')$').test(n))", [rules.ENV_NAME_PATTERN, NAMES]
    )
    assert in_browser == [rules.is_env_name(n) for n in NAMES]

    assert refusal(page, "Quarterly report", "1BAD") == (
        '"1BAD" is not a valid environment variable name; use letters, digits and _.'
    )
    assert refusal(page, "ab", "GOOD_NAME") == "Enter a title of 3 to 1024 characters."
    assert refusal(page, "x" * 1025, "GOOD_NAME") == "Enter a title of 3 to 1024 characters."

    # Other rules served (in a new page, the saved server already there): the dialog follows them.
    served = {"env_name_pattern": "[A-Z]+", "title_min_length": 5, "title_max_length": 8}
    asked = []

    def serve(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(served))

    other = page.context.new_page()
    other.route(re.compile(r"/rsconnect_jupyter/rules(\?|$)"), serve)
    ui.open_notebook(other, lab, path)
    ui.click_publish_button(other)
    ui.wait_publish_dialog(other)
    assert len(asked) == 1, asked
    assert refusal(other, "abcd", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(other, "abcdefghi", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(other, "abcde", "GOOD_1") == (
        '"GOOD_1" is not a valid environment variable name; use letters, digits and _.'
    )
