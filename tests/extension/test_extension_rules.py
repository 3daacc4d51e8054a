"""The input rules have one source, rsconnect_jupyter/rules.py: the handler serves them as they are
(the dialogs check with what they are served: tests/ui/test_rules.py)."""

from rsconnect_jupyter import deploy, rules

# Names either side of the rule, including the ones a loose pattern lets through ($ before a newline,
# a partial match, an empty name).
NAMES = ["A", "_", "_X1", "REPORT_COLOR", "a1_b", "1BAD", "BAD NAME", "BAD-NAME", "X\n", "\nX", "", "É", "X.Y"]


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
