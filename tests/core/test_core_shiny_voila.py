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


# App sources whose mode rsconnect-python's own `is_express_app` judges.
SHINY_SOURCES = [
    "from shiny.express import ui\n",
    "import shiny.express\n",
    "from shiny import express\n",
    "import shiny.express as x, os\n",
    "from shiny import App, ui\napp = App(ui.page_fluid(), None)\n",
    "# shiny_mode: core\nfrom shiny.express import ui\n",
    "# shiny_mode: express\nimport shiny\n",
    "#shiny_mode:\texpress\t\nimport shiny\n",
    "# shiny_mode: neither\nfrom shiny.express import ui\n",
    "def f():\n    from shiny.express import ui\n",  # only top-level imports count
    "if True:\n    from shiny.express import ui\n",
    "from shiny.express import ui\nthis is not Python(\n",  # unparsable: not express
    "from shiny import ui\nimport shiny\n",
    "x = 'from shiny.express import ui'\n",
]


def test_shiny_express_detection_and_entrypoint_as_rsconnect_python_judges(tmp_path):
    (tmp_path / "requirements.txt").write_text("shiny\n")
    app = tmp_path / "app.py"
    apps_dir = tmp_path / "judged"
    for i, source in enumerate(SHINY_SOURCES):
        (apps_dir / str(i)).mkdir(parents=True)
        (apps_dir / str(i) / "app.py").write_text(source)
    code = (
        "import json, sys; from rsconnect.shiny_express import is_express_app\n"
        "print(json.dumps([is_express_app('app.py', sys.argv[1] + '/' + str(i)) for i in range(%d)]))"
        % len(SHINY_SOURCES)
    )
    theirs = json.loads(rsconnect_python.python(tmp_path, code, str(apps_dir)).splitlines()[-1])
    assert True in theirs and False in theirs  # the judge tells the two modes apart
    for source, express in zip(SHINY_SOURCES, theirs):
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
