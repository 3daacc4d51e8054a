"""The input rules have one source, rsconnect_jupyter/rules.py: the handler serves them as they are,
and the classic dialog checks with what it is served (no copy of its own), in the same sentences."""

import json
import re
import uuid

import pytest

from rsconnect_jupyter import deploy, rules
from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook

# Names either side of the rule, including the ones a loose pattern lets through ($ before a newline,
# a partial match, an empty name).
NAMES = ["A", "_", "_X1", "REPORT_COLOR", "a1_b", "1BAD", "BAD NAME", "BAD-NAME", "X\n", "\nX", "", "É", "X.Y"]
BAD_NAME = '"1BAD" is not a valid environment variable name; use letters, digits and _.'


def test_the_served_rules_are_rules_py(jupyter):
    r = jupyter.api("GET", "rules")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert (
        r.json()
        == rules.dialog_rules()
        == {
            "env_name_pattern": rules.ENV_NAME_PATTERN,
            "server_url_pattern": rules.SERVER_URL_PATTERN,
            "title_min_length": rules.TITLE_MIN_LENGTH,
            "title_max_length": rules.TITLE_MAX_LENGTH,
        }
    )


def test_the_rules_need_a_login(jupyter):
    assert jupyter.api("GET", "rules", token=False).status_code == 403
    assert jupyter.api("GET", "rules", token=False, headers={"Authorization": "token " + "0" * 48}).status_code == 403


def test_the_cli_checks_the_same_rules():
    assert deploy.ENV_NAME.pattern == rules.ENV_NAME.pattern
    assert [bool(deploy.ENV_NAME.match(n)) for n in NAMES] == [rules.is_env_name(n) for n in NAMES]
    assert [rules.is_env_name(n) for n in NAMES[:5]] == [True] * 5
    assert not any(rules.is_env_name(n) for n in NAMES[5:])


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


@pytest.mark.browser
def test_the_dialog_checks_with_the_served_rules(jupyter, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("rita"), "publisher")
    path = write_notebook(jupyter.root, unique("rules") + "/report.ipynb")
    ui.open_publish_dialog(page, jupyter, path, local_server.url, key)

    # The served pattern, anchored as the dialog anchors it, agrees with Python's on every name.
    in_browser = page.evaluate(
        "([p, names]) => names.map(n => new RegExp('^(?:' + p + ')$').test(n))", [rules.ENV_NAME_PATTERN, NAMES]
    )
    assert in_browser == [rules.is_env_name(n) for n in NAMES]

    # The sentences as before.
    assert refusal(page, "Quarterly report", "1BAD") == BAD_NAME
    assert refusal(page, "ab", "GOOD_NAME") == "Enter a title of 3 to 1024 characters."
    assert refusal(page, "x" * 1025, "GOOD_NAME") == "Enter a title of 3 to 1024 characters."

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
    ui.open_notebook(other, jupyter, path)
    ui.click_publish_button(other)
    ui.wait_publish_dialog(other)
    assert len(asked) == 1, asked
    assert refusal(other, "abcd", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(other, "abcdefghi", "GOOD") == "Enter a title of 5 to 8 characters."
    assert refusal(other, "abcde", "GOOD_1") == (
        '"GOOD_1" is not a valid environment variable name; use letters, digits and _.'
    )
