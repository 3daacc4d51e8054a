"""The checks before upload from the command line, against the local server: a warning that names
the problem and the fix, printed before anything is sent; --strict refuses and creates nothing."""

import uuid

import nbformat

from rsconnect_jupyter import checks
from tests.cli.test_cli_publish import cli, ok, one_sentence_failure
from tests.ui.adapter import assert_serves


def write(folder, *cells, outputs=None):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Checked report")] + [nbformat.v4.new_code_cell(c) for c in cells]
    if outputs:
        nb.cells[-1].outputs = outputs
    path = folder / "report.ipynb"
    nbformat.write(nb, str(path))
    return path


def owned(local_server, key):
    return local_server.api("GET", "v1/content", key=key).json()


def test_strict_refuses_a_notebook_importing_an_unlisted_package(local_server, tmp_path):
    key = local_server.add_user("stella" + uuid.uuid4().hex[:6], "publisher")
    path = write(tmp_path / "strict", "import requests\nimport yaml\nprint(yaml.safe_load('a: 1'))")
    (path.parent / "requirements.txt").write_text("requests\n")
    result = cli("deploy", "notebook", path, "-s", local_server.url, "-k", key, "--strict")
    last = one_sentence_failure(result)
    assert last == (
        "Error: The checks before upload found 1 problem: fix what the warnings above name, or leave out "
        "--strict to publish anyway."
    )
    assert (
        "Warning: The notebook imports yaml, which no package in requirements.txt provides: add PyYAML to "
        "requirements.txt." in result.stdout + result.stderr
    )
    assert owned(local_server, key) == []  # nothing was created on the server
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.ipynb", "requirements.txt"]


def test_a_warning_does_not_stop_the_publish(local_server, tmp_path):
    key = local_server.add_user("wanda" + uuid.uuid4().hex[:6], "publisher")
    widget = nbformat.v4.new_output(
        "display_data", data={"text/plain": "IntSlider(value=3)", checks.WIDGET_MIME: {"model_id": "m1"}}
    )
    path = write(tmp_path / "widgets", "import ipywidgets\nipywidgets.IntSlider(3)", outputs=[widget])
    result = ok(cli("deploy", "notebook", path, "--static", "-s", local_server.url, "-k", key))
    output = result.stdout + result.stderr
    warning = output.index("Warning: The notebook shows interactive widgets")
    assert warning < output.index("Checking %s" % local_server.url) < output.index("Uploading")
    [item] = owned(local_server, key)
    assert_serves(item["content_url"], "Checked report", key)
