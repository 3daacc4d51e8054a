"""The local server's choice of interpreter under the bundle's environment.python.requires, and
of the installer (python.package_manager.allow_uv)."""

import pytest

from rsconnect_jupyter.localconnect import environments, interpreters
from rsconnect_jupyter.localconnect.interpreters import Interpreter

FOUND = [Interpreter("3.13.0", "/p/3.13"), Interpreter("3.12.1", "/p/3.12"), Interpreter("3.11.7", "/p/3.11")]


@pytest.mark.parametrize(
    "requested, requires, expected",
    [
        ("3.11.7", None, "3.11.7"),  # as before: the requested version
        ("3.11.2", None, "3.11.7"),  # the newest of its MAJOR.MINOR
        ("3.10.4", None, None),
        ("3.11.7", ">=3.10", "3.11.7"),  # the requested version when it meets the constraint
        ("3.11.7", "~=3.12.0", "3.12.1"),  # else the newest that meets it
        ("3.10.4", ">=3.9,<3.13", "3.12.1"),
        ("3.11.7", ">=3.99", None),
        ("3.11.7", "not a constraint", None),
    ],
)
def test_choose_respects_the_constraint(requested, requires, expected):
    chosen = interpreters.choose(FOUND, requested, requires)
    assert (chosen.version if chosen else None) == expected


def test_no_match_is_one_sentence_that_says_what_to_do():
    assert interpreters.no_match(FOUND, "3.10.4") == (
        "No Python on this server matches the requested version 3.10.4; available versions: 3.13.0, 3.12.1, 3.11.7."
    )
    assert interpreters.no_match(FOUND, "3.11.7", ">=3.99") == (
        "No Python on this server meets the bundle's constraint >=3.99 (from requires-python or .python-version); "
        "available versions: 3.13.0, 3.12.1, 3.11.7: relax the constraint, or start the server with --python PATH "
        "of a Python that meets it."
    )
    assert "is not a version constraint: write one such as >=3.10" in interpreters.no_match(FOUND, "3.11.7", "x")


def test_requires_and_installer_from_the_manifest():
    manifest = {
        "python": {"version": "3.11.7", "package_manager": {"name": "pip", "allow_uv": False}},
        "environment": {"python": {"requires": " >=3.10 "}},
    }
    assert interpreters.requires_of(manifest) == ">=3.10"
    assert environments.installer_of(manifest) == "pip"
    assert environments.installer_of({"python": {"package_manager": {"name": "uv", "allow_uv": True}}}) == "uv"
    assert environments.installer_of({"python": {"package_manager": {"name": "pip"}}}) is None  # the server's choice
    assert interpreters.requires_of({"python": {"version": "3.11.7"}}) is None


def test_an_environment_pip_builds_has_a_key_of_its_own():
    uv_key = environments.env_key("3.11.7", b"six==1.16.0\n")
    assert environments.env_key("3.11.7", b"six==1.16.0\n", installer="uv") == uv_key  # uv's keep their names
    assert environments.env_key("3.11.7", b"six==1.16.0\n", installer="pip") == uv_key + "-pip"
