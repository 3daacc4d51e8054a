"""manifest.json's sections per app mode (manifest.py), from an environment snapshot."""

import pytest

from rsconnect_jupyter import manifest
from tests.core.snapshots import snapshot

SNAPSHOT = snapshot("click==8.1.7\n")


def test_no_pip_in_the_environment_still_means_pip_on_the_server():
    section = manifest.python_section(dict(SNAPSHOT, package_manager={"name": "none", "version": None}))
    assert section["package_manager"] == {"name": "pip", "package_file": "requirements.txt"}
    section = manifest.python_section(dict(SNAPSHOT, package_manager={"name": "uv", "version": "0.4.1"}))
    assert section["package_manager"] == {"name": "uv", "version": "0.4.1", "package_file": "requirements.txt"}


def test_app_modes_slot_in_for_apps():
    m = manifest.python_manifest("python-fastapi", "app:app", SNAPSHOT)
    assert m["metadata"] == {"appmode": "python-fastapi", "entrypoint": "app:app"} and "jupyter" not in m
    with pytest.raises(ValueError):
        manifest.python_manifest("static", "x", SNAPSHOT)
