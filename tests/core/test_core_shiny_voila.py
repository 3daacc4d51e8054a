"""Shiny entrypoints (Shiny Express detection and file-name escaping) as rsconnect-python 1.32 writes
them, and the Voila bundle's requirements check."""

import json

from rsconnect_jupyter import apps
from rsconnect_jupyter.bundle import voila
from tests.core import rsconnect_python

NAMES = ["app.py", "my-app.py", "sub/app.py", "1st_app.py", "été.py", "app_2e_py.py"]


def test_escaped_names_match_rsconnect_python(tmp_path):
    code = "import json; from rsconnect.shiny_express import escape_to_var_name as e; print(json.dumps(%s))"
    theirs = json.loads(rsconnect_python.python(tmp_path, code % ("[e(n) for n in %r]" % NAMES)))
    assert [apps.escape_to_var_name(n) for n in NAMES] == theirs
    assert [apps.unescape_var_name(n) for n in theirs] == NAMES


def test_shiny_express_detection_and_entrypoint(tmp_path):
    (tmp_path / "requirements.txt").write_text("shiny\n")
    app = tmp_path / "app.py"
    for source, express in [
        ("from shiny.express import ui\n", True),
        ("import shiny.express\n", True),
        ("from shiny import express\n", True),
        ("from shiny import App, ui\napp = App(ui.page_fluid(), None)\n", False),
        ("# shiny_mode: core\nfrom shiny.express import ui\n", False),
        ("# shiny_mode: express\nimport shiny\n", True),
        ("def f():\n    from shiny.express import ui\n", False),  # only top-level imports count
    ]:
        app.write_text(source)
        assert apps.is_shiny_express(app) is express, source
        expected = "shiny.express.app:app_2e_py" if express else "app:app"
        assert apps.resolve_entrypoint(tmp_path, None, "python-shiny") == expected
        assert apps.entrypoint_file(tmp_path, expected) == app


def test_voila_in_requirements():
    assert not voila.voila_missing("voila==0.5.13\n")
    assert not voila.voila_missing("ipywidgets\nVoila >= 0.5 ; python_version > '3.8'\n")
    assert voila.voila_missing("")
    assert voila.voila_missing("# voila\nvoila-gridstack\nipywidgets\n")
