"""A plain `pip install .` (no extras), in a fresh environment inside a copy of the repository that
holds the lab extension scripts/test built, as a clone where `pip install .` ran once. One install
for the module's tests: it brings the `rsconnect` command and the server extension, and, with
neither nbclassic nor notebook 6 (which ship require.js and MathJax among their own files), still
serves require.js, MathJax and ipywidgets' embed script for rendered notebooks at /__assets__/
(localconnect/assets.py): MathJax from jupyter-server-mathjax, a dependency, require.js from the
package's own copy, and embed-amd.js (with its licence) from the copy the build made of the npm
package. Checked on a local server started from that install."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from rsconnect_jupyter.localconnect import launch
from tests.install.install_helpers import copy_with_build, fresh_venv, plain, run, user_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]  # a fresh venv and a pip install

MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"


@dataclass
class Installed:
    venv: Path
    env: dict


@pytest.fixture(scope="module")
def installed(built_checkout, tmp_path_factory):
    """`pip install .`, as the README's plain line says, once for the module's tests."""
    base = tmp_path_factory.mktemp("plain-install")
    checkout = copy_with_build(base / "rsconnect-jupyter", built_checkout)
    venv = fresh_venv(base / "venv")
    env = user_env(venv, base / "home")
    run([str(venv / "bin" / "pip"), "install", "-q", "."], cwd=checkout, env=env)
    return Installed(venv, env)


def test_a_plain_pip_install_brings_the_cli_and_the_server_extension(installed):
    """`pip install .` alone: no UI, but the `rsconnect` command and the server extension."""
    venv, env = installed.venv, installed.env
    assert "rsconnect, version" in run([str(venv / "bin" / "rsconnect"), "--version"], env=env)
    servers = plain(run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], env=env))
    assert re.search(r"rsconnect_jupyter \S+ OK", servers), servers


def test_a_plain_install_serves_require_mathjax_and_widgets_itself(installed, tmp_path):
    venv, env = installed.venv, installed.env
    python = str(venv / "bin" / "python")
    for ui in ("nbclassic", "notebook"):  # the extras' packages are not there
        found = subprocess.run([python, "-c", "import %s" % ui], env=env, capture_output=True)
        assert found.returncode != 0, "%s is installed by a plain install" % ui

    process, url, _, log = launch.start_local_server(tmp_path / "data", python=python, env=env, cwd=tmp_path)
    try:
        for path, starts in [
            ("requirejs/require.js", b"/** vim: et:ts=4:sw=4:sts=4\n * @license RequireJS"),
            ("mathjax/MathJax.js", None),
            ("mathjax/config/%s.js" % MATHJAX_CONFIG, None),
            ("mathjax/config/Safe.js", None),
            ("widgets/embed-amd.js", None),
        ]:
            r = requests.get(url + "__assets__/" + path, timeout=60)
            assert r.status_code == 200, (path, r.status_code, log.read_text()[-2000:])
            assert r.headers["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript"), path
            assert len(r.content) > 500 and (starts is None or r.content.startswith(starts)), path
            if "mathjax" in path:
                assert b"MathJax" in r.content, path
            if "widgets" in path:  # the AMD modules it defines, the widget manager's among them
                assert b"@jupyter-widgets/html-manager" in r.content and b"@jupyter-widgets/controls" in r.content
        shipped = subprocess.run(
            [python, "-c", "from rsconnect_jupyter.localconnect import assets; print(assets.VENDORED_WIDGETS)"],
            env=env,
            cwd=tmp_path,  # not this checkout, which `python -c` would import from
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert shipped.startswith(str(venv)), shipped
        licence = (Path(shipped) / "LICENSE").read_text()
        assert "Redistribution and use in source and binary forms" in licence, licence[:300]  # BSD-3-Clause
        assert "jQuery" in (Path(shipped) / "THIRD-PARTY-NOTICES.txt").read_text()  # the bundled libraries'
    finally:
        launch.stop(process)
