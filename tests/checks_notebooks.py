"""A notebook the checks before upload warn about, shared by the dialogs' tests (tests/extension,
tests/lab): a saved interactive widget, which a finished document cannot run."""

import nbformat

from rsconnect_jupyter.checks import WIDGET_MIME

WIDGET_WARNING = (
    "The notebook shows interactive widgets, which a finished document cannot run: publish it as an "
    "interactive dashboard (Voila) to keep them working."
)
REFUSAL = 'The checks before upload found 1 problem: fix what the warnings name, or click "Publish anyway".'


def write_widget_notebook(root, relative, heading):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    slider = nbformat.v4.new_output(
        "display_data", data={"text/plain": "IntSlider(value=3)", WIDGET_MIME: {"model_id": "m1", "version_major": 2}}
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("# %s" % heading),
        nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(3)", execution_count=1, outputs=[slider]),
    ]
    nbformat.write(nb, str(path))
    return relative


VOILA_REQUIREMENTS = "voila==0.5.13\n"  # as tests/apps/voila: the local server's environment is reused
VOILA_OUTPUT = "computed by the kernel: 45042"


def write_dashboard_notebook(root, relative, heading):
    """A notebook whose only output is computed when Voila runs it (nothing saved), with a
    requirements.txt that installs Voila."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("# %s" % heading),
        nbformat.v4.new_code_cell(
            'answer = sum(range(1, 10)) * 1000 + 6 * 7\nprint("computed by the kernel: %d" % answer)'
        ),
    ]
    nbformat.write(nb, str(path))
    (path.parent / "requirements.txt").write_text(VOILA_REQUIREMENTS)
    return relative


def assert_serves_dashboard(url, heading, key=None):
    """Voila ran the notebook for this visit (by a program with the API key `key`): its heading,
    the kernel's output, no code."""
    import requests

    page = requests.get(url, headers={"Authorization": "Key " + key} if key else {}, timeout=300)
    assert page.status_code == 200, page.text[:1000]
    assert heading in page.text and VOILA_OUTPUT in page.text, page.text[-2000:]
    assert "sum(range(1, 10))" not in page.text  # Voila shows outputs, never the code
