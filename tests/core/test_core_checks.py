"""The checks before upload (rsconnect_jupyter/checks.py), on real notebooks in a folder, with this
test environment's Python as the content's Python (its installed distributions are the truth)."""

import json
import sys

import nbformat

from rsconnect_jupyter import checks
from rsconnect_jupyter.jupyter.wording import for_dialog


def notebook(folder, *cells, outputs=None, name="report.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    if outputs:
        nb.cells[-1].outputs = outputs
    path = folder / name
    nbformat.write(nb, str(path))
    return path


def findings(path, requirements, bundled=()):
    return checks.source_findings(path, requirements, sys.executable, bundled)


def test_an_import_no_requirement_provides_is_named_with_its_distribution(tmp_path):
    # yaml comes from the distribution PyYAML: the import name alone would not tell.
    path = notebook(tmp_path, "import json, os.path\nimport requests\nimport yaml\nfrom idna import encode")
    found = findings(path, "idna==3.10\nrequests>=2\n")
    assert [(f.kind, f.subject) for f in found] == [("missing-package", "yaml")]
    assert found[0].message == (
        "The notebook imports yaml, which no package in requirements.txt provides: add PyYAML to requirements.txt."
    )


def test_a_listed_distribution_under_another_name_satisfies_the_import(tmp_path):
    path = notebook(tmp_path, "import yaml")
    assert findings(path, "# pinned\npyyaml==6.0.2  # for config\n") == []
    assert findings(path, "PyYAML\n") == []


def test_an_import_that_is_not_installed_at_all_says_so(tmp_path):
    path = notebook(tmp_path, "import surely_not_a_module_here")
    found = findings(path, "")
    assert [f.subject for f in found] == ["surely_not_a_module_here"]
    assert "is not installed for %s" % sys.executable in found[0].message


def test_magics_shell_lines_and_broken_cells_do_not_count(tmp_path):
    path = notebook(tmp_path, "%matplotlib inline\n!pip install nothing\nimport json", "%%bash\nimport nope", "def (:")
    assert findings(path, "") == []


def test_files_the_code_reads_must_be_in_the_bundle(tmp_path):
    (tmp_path / "sales.csv").write_text("a,b\n1,2\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "regions.json").write_text("{}")
    (tmp_path / "helpers.py").write_text("X = 1\n")
    path = notebook(
        tmp_path,
        "import pandas as pd\nimport helpers\n"
        "df = pd.read_csv('sales.csv')\nregions = open(file='data/regions.json').read()\n"
        "missing = open('not-there.csv')\ntitle = 'sales.csv'  # not a call: not a read",
    )
    found = findings(path, "pandas\n")
    assert [(f.kind, f.subject) for f in found] == [
        ("left-out-file", "data/regions.json"),
        ("left-out-file", "helpers.py"),
        ("left-out-file", "sales.csv"),
    ]
    assert found[2].message == (
        "The notebook uses sales.csv, which would not be published with it: add it to the files to publish."
    )
    # helpers is a module of the folder, never a package to list.
    assert not [f for f in found if f.kind == "missing-package"]
    assert findings(path, "pandas\n", bundled=["sales.csv", "helpers.py", "data/regions.json"]) == []


def test_widgets_in_a_finished_document_suggest_voila(tmp_path):
    widget = nbformat.v4.new_output(
        "display_data",
        data={"text/plain": "IntSlider(value=3)", checks.WIDGET_MIME: {"model_id": "abc", "version_major": 2}},
    )
    path = notebook(tmp_path, "import ipywidgets\nipywidgets.IntSlider(3)", outputs=[widget])
    found = checks.static_findings(path)
    assert [f.kind for f in found] == ["widgets"] and "Voila" in found[0].message
    plain = notebook(tmp_path, "print(1)", name="plain.ipynb")
    assert checks.static_findings(plain) == []


def test_strict_refuses_and_says_how_to_publish_anyway(tmp_path):
    lines = []
    found = [checks.Finding("missing-package", "yaml", "The notebook imports yaml, ...")]
    checks.enforce(found, lines.append, checks.CheckOptions(strict=False))
    assert lines == ["Warning: The notebook imports yaml, ..."]
    try:
        checks.enforce(found, lines.append, checks.CheckOptions(strict=True))
    except checks.ChecksFailed as e:
        assert str(e) == (
            "The checks before upload found 1 problem: fix what the warnings above name, or leave out "
            "--strict to publish anyway."
        )
        # The dialogs name their own control: the same error, their words.
        assert for_dialog(e) == (
            'The checks before upload found 1 problem: fix what the warnings name, or click "Publish anyway".'
        )
    else:
        raise AssertionError("--strict did not refuse")
    checks.enforce([], lines.append, checks.CheckOptions(strict=True))  # nothing found: no refusal
    assert json.dumps(lines).count("Warning") == 2
