"""The small rules of choosing the target (target.py): titles, content names, -E values."""

import pytest

from rsconnect_jupyter.deploy import default_title, environment_values, name_from_title, validate_title
from rsconnect_jupyter.exceptions import InvalidInput


def test_titles(tmp_path):
    nb = tmp_path / "Quarterly report.ipynb"
    nb.write_text("{}")
    assert default_title(nb) == "Quarterly report"
    short = tmp_path / "a.ipynb"
    short.write_text("{}")
    assert len(default_title(short)) == 3
    assert validate_title("  My title ") == "My title"
    for bad in ("ab", "x" * 1025, "   "):
        with pytest.raises(InvalidInput, match="3 to 1024 characters"):
            validate_title(bad)


@pytest.mark.parametrize(
    "title, name",
    [
        ("Quarterly report", "Quarterly-report"),
        ("Résumé & notes (v2)", "R-sum-notes-v2"),
        ("hello_world-1", "hello_world-1"),
        ("a", "a_content"),
        ("!!!", "content"),
        ("x" * 100, "x" * 64),
    ],
)
def test_names_from_titles(title, name):
    assert name_from_title(title) == name


def test_environment_values():
    env = {"SECRET": "s3cret"}
    assert environment_values(["A=1", "B=x=y", "EMPTY=", "SECRET"], env) == {
        "A": "1",
        "B": "x=y",
        "EMPTY": "",
        "SECRET": "s3cret",
    }
    with pytest.raises(InvalidInput, match="is not set here"):
        environment_values(["MISSING"], env)
    with pytest.raises(InvalidInput, match="not an environment variable name"):
        environment_values(["1BAD=x"], env)
