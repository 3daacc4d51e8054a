"""Small notebooks for the tests, written with nbformat into a folder of the Jupyter root."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

PYTHON_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
ECHO_KERNEL = {"name": "echo", "display_name": "Echo", "language": "echo"}


def write_notebook(
    root,
    relative,
    heading="Quarterly report",
    requirements=None,
    extra=None,
    kernelspec=PYTHON_KERNEL,
    code="print(6 * 7)",
):
    """A notebook with a heading and one executed cell (a static snapshot renders it as saved).

    Returns the path relative to the Jupyter root, as the browser names it.
    """
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(metadata={"kernelspec": kernelspec, "language_info": {"name": kernelspec["language"]}})
    nb.cells = [
        new_markdown_cell("# %s" % heading),
        new_code_cell(code, execution_count=1, outputs=[new_output("stream", name="stdout", text="42\n")]),
    ]
    nbformat.write(nb, str(path))
    if requirements is not None:
        (path.parent / "requirements.txt").write_text(requirements)
    for name, text in (extra or {}).items():
        (path.parent / name).write_text(text)
    return relative
