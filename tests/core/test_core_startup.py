"""startup.py: the package's own processes skip jsonschema's slow `iri` checks, and nbformat still
validates; importing the package alone changes nothing in the importer's process. Each case runs in
a fresh interpreter, as the `rsconnect` command and a user's kernel do."""

import importlib.util
import subprocess
import sys

import pytest

# A markdown cell whose source is a number: the notebook schema refuses it.
BAD_NOTEBOOK = (
    "nbformat.from_dict({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {},"
    " 'cells': [{'cell_type': 'markdown', 'id': 'a', 'metadata': {}, 'source': 5}]})"
)


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module", autouse=True)
def slow_module_installed():
    # jupyter_server's jupyter_events asks for jsonschema[format-nongpl], which brings it.
    assert importlib.util.find_spec("rfc3987_syntax"), "rfc3987-syntax is not installed: nothing here would be skipped"


def test_the_command_line_process_skips_the_slow_module_and_nbformat_still_validates():
    out = run(
        "import sys, rsconnect_jupyter.cli, nbformat\n"
        "print(sys.modules['rfc3987_syntax'] is None)\n"
        "try:\n"
        "    nbformat.validate(%s)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n" % BAD_NOTEBOOK
    )
    assert out.splitlines() == ["True", "refused"]


def test_importing_the_package_changes_nothing_for_the_importer():
    out = run("import sys, rsconnect_jupyter.bundle, jsonschema\nprint(sys.modules['rfc3987_syntax'])")
    assert out.startswith("<module 'rfc3987_syntax'"), out
