"""A notebook the checks before upload warn about, shared by the dialogs' tests (tests/extension,
tests/lab): a saved interactive widget, which a finished document cannot run."""

import nbformat

from rsconnect_jupyter.checks import WIDGET_MIME

WIDGET_WARNING = (
    "The notebook shows interactive widgets, which a finished document cannot run: publish it as a Voila "
    "dashboard to keep them working."
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
