"""`python -m build` from a copy of the repository makes an sdist that carries the built lab
extension and a wheel that lays out everything as data; both install where Node.js is absent, and
the wheel's Publish button shows in JupyterLab 4 and Notebook 7 (Debian's Chromium).

The copy holds the lab extension scripts/test built (its `pip wheel .` builds it with jlpm from the
sources, as from a fresh clone): the install tests build none of their own."""

import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.extension.jupyter_servers import stop_jupyter
from tests.install.install_helpers import (
    LAB_EXTENSION,
    copy_with_build,
    fresh_venv,
    open_with_publish_button,
    plain,
    run,
    start_ui,
    user_env,
    uv_install,
)
from tests.lab import lab_servers

pytestmark = pytest.mark.slow

# A PATH with no Node.js: the venv's scripts only (tools the tests need are called by full path).
NO_NODE_PATH = ""


@pytest.fixture(scope="module")
def dists(tmp_path_factory, built_checkout):
    """The sdist and the wheel, as `python -m build` makes them from a copy with the lab build."""
    base = tmp_path_factory.mktemp("build")
    checkout = copy_with_build(base / "rsconnect-jupyter", built_checkout)
    # uv fills build's isolated environments (setuptools, hatch-jupyter-builder) where pip costs
    # about 10 CPU-seconds each; the build itself is the same.
    run([sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(base / "dist"), str(checkout)], cwd=base)
    assert not (checkout / "node_modules").exists(), "python -m build rebuilt the lab extension"
    (sdist,) = (base / "dist").glob("*.tar.gz")
    (wheel,) = (base / "dist").glob("*.whl")
    return sdist, wheel


def test_the_sdist_carries_the_sources_and_the_built_lab_extension(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for name in (
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "setup.py",
        "package.json",
        "yarn.lock",
        "nbextension/main.js",
        "labextension/src/index.ts",
        "jupyter-config/nbconfig/notebook.d/rsconnect_jupyter.json",
        "rsconnect_jupyter/labextension/package.json",
        "rsconnect_jupyter/localconnect/vendor/widgets/embed-amd.js",  # copied from node_modules by the build
        "rsconnect_jupyter/localconnect/vendor/widgets/THIRD-PARTY-NOTICES.txt",
    ):
        assert name in names, name
    assert not [n for n in names if "node_modules" in n or "rsconnect-python" in n or "__pycache__" in n]


def test_the_wheel_lays_out_every_front_end_as_data(dists):
    _, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/", 1)[0] for n in names if ".data/" in n)
    for name in (
        "etc/jupyter/jupyter_server_config.d/rsconnect_jupyter.json",
        "etc/jupyter/jupyter_notebook_config.d/rsconnect_jupyter.json",
        "etc/jupyter/nbconfig/notebook.d/rsconnect_jupyter.json",
        "share/jupyter/nbextensions/rsconnect_jupyter/main.js",
        "share/jupyter/labextensions/%s/package.json" % LAB_EXTENSION,
    ):
        assert "%s/data/%s" % (data, name) in names, name
    assert any(
        re.match(
            r"share/jupyter/labextensions/%s/static/remoteEntry\.\w+\.js$" % LAB_EXTENSION, n.split("/data/", 1)[-1]
        )
        for n in names
    )
    # `jupyter nbextension install --py rsconnect_jupyter` copies from inside the package.
    assert "rsconnect_jupyter/nbextension/main.js" in names
    # ipywidgets' embed script, which the local server serves to rendered notebooks (localconnect/assets.py)
    widgets = ("embed-amd.js", "LICENSE", "THIRD-PARTY-NOTICES.txt")
    assert {"rsconnect_jupyter/localconnect/vendor/widgets/" + n for n in widgets} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_sdist_installs_without_nodejs(dists, tmp_path):
    sdist, _ = dists
    venv = fresh_venv(tmp_path / "venv", with_pip=False)
    env = user_env(venv, tmp_path / "home", path=NO_NODE_PATH)
    assert shutil.which("node", path=env["PATH"]) is None
    # Built here, never taken from uv's cache of an earlier run's sdist.
    uv_install(venv, "--refresh-package", "rsconnect_jupyter", str(sdist), env=env, cwd=tmp_path)
    built = venv / "share" / "jupyter" / "labextensions" / LAB_EXTENSION / "package.json"
    assert built.is_file(), "the sdist's built lab extension was not installed"
    servers = plain(run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], env=env))
    assert re.search(r"rsconnect_jupyter \S+ OK", servers), servers


@pytest.fixture(scope="module")
def wheel_venv(dists, tmp_path_factory):
    """A fresh environment with JupyterLab 4, Notebook 7 and the wheel, and no Node.js on PATH."""
    _, wheel = dists
    base = tmp_path_factory.mktemp("wheel-venv")
    venv = fresh_venv(base / "venv", with_pip=False)
    env = user_env(venv, base / "home", path=NO_NODE_PATH)
    uv_install(venv, str(wheel), "jupyterlab>=4,<5", "notebook>=7,<8", env=env, cwd=base)
    labs = plain(run([str(venv / "bin" / "jupyter"), "labextension", "list"], env=env))
    assert re.search(r"%s v\S+ enabled OK" % LAB_EXTENSION, labs), labs
    return venv


@pytest.mark.browser
@pytest.mark.parametrize("kind", sorted(lab_servers.KINDS))
def test_the_wheel_shows_the_publish_button_without_nodejs(kind, wheel_venv, page, tmp_path):
    server = start_ui(kind, wheel_venv, tmp_path, path=NO_NODE_PATH)
    try:
        environ = dict(
            item.split(b"=", 1)
            for item in Path("/proc/%d/environ" % server.process.pid).read_bytes().split(b"\0")
            if b"=" in item
        )
        assert shutil.which("node", path=environ[b"PATH"].decode()) is None
        button = open_with_publish_button(page, server, "from-wheel.ipynb")
        assert "Publish" in button.inner_text()
    finally:
        stop_jupyter(server)
