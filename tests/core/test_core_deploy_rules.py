"""The small rules of the publish flow: titles, content names, -E values."""

import pytest

from rsconnect_jupyter.deploy import default_title, environment_values, name_from_title, validate_title
from rsconnect_jupyter.exceptions import InvalidInput
from tests.project_copies import copy_example


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


def test_packages_left_out_are_named_in_the_log(fixture_server, tmp_path):
    from rsconnect_jupyter.deploy import publish_notebook
    from rsconnect_jupyter.options import EnvironmentOptions, Feedback, NotebookOptions, Target
    from rsconnect_jupyter.store import Server

    folder = tmp_path / "nb"
    copy_example(folder)
    snapshot = {
        "python": "3.11.6",
        "package_manager": {"name": "pip", "version": "24.0"},
        "locale": "C.UTF-8",
        "requirements": "click==8.1.7\n# mylib==0.1: left out, installed from an editable install\n",
        "source": "generated",
    }
    lines = []
    deployment = publish_notebook(
        Target(Server("fx", fixture_server.url, "good")),
        folder / "hello.ipynb",
        NotebookOptions(static=False),
        env=EnvironmentOptions(snapshot=snapshot),
        feedback=Feedback(log=lines.append),
    )
    assert deployment.app_mode == "jupyter-static" and deployment.content_id == "42"
    assert any(line.startswith("Warning:") and "mylib==0.1" in line for line in lines)
    assert "    Application successfully deployed" in lines  # the task log, streamed
