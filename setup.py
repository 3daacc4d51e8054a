"""The one build step a declaration cannot do; everything else is in pyproject.toml.

Before the package is built (`pip install .`, `pip install -e .`, `python -m build`), this:
- builds, with jlpm, the publishing core (labextension/src/core) and the JupyterLab 4 /
  Notebook 7 extension over it when either is missing or older than its sources (as
  jupyter-packaging did), so a plain `pip install .` from a clone ships them. The same build
  compiles the core a second time as AMD modules (labextension/amd/) for the classic Notebook.
  An sdist carries both builds, so a wheel built from it needs no Node.js;
- copies the classic front end (the top-level nbextension/ and the core's AMD build in core/)
  into the package, where `jupyter nbextension install --py rsconnect_jupyter` finds it;
- copies ipywidgets' embed script (`embed-amd.js` of @jupyter-widgets/html-manager, a devDependency
  in package.json, so yarn.lock pins it) with its bundle's notices into the package, where the local
  server serves it to rendered notebooks with widget state (localconnect/assets.py). An sdist
  carries it;
- lays out the Jupyter config files, the nbextension and the lab extension as data files, so the
  install alone enables the extension in every notebook UI.

`HATCH_JUPYTER_BUILDER_SKIP_NPM=1` (hatch-jupyter-builder's switch) skips the build, as
scripts/demo does: the CLI needs neither UI and a cold jlpm install costs a minute or more. Both
notebook UIs then need a build made before (an sdist carries one); without it they are left out,
and the build says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from glob import glob

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))

NBEXTENSION_SOURCES = "nbextension"
NBEXTENSION_IN_PACKAGE = "rsconnect_jupyter/nbextension"
LABEXTENSION_BUILT = "rsconnect_jupyter/labextension"  # package.json "jupyterlab.outputDir"
CORE_AMD_BUILT = "labextension/amd"  # labextension/tsconfig.classic.json "outDir"
CORE_ENTRY = "index.js"  # what nbextension/main.js loads: define(['./core/index', ...])
# ipywidgets' embed script, from the package jlpm installs (package.json's devDependencies), copied
# into the package as built output (never committed: 3.6 MB of minified JavaScript), with the
# notices of the libraries its build bundles. The package has no licence file: ipywidgets' own
# (BSD-3-Clause) is committed beside the copy, as vendor/widgets/LICENSE.
WIDGETS_PACKAGE = "node_modules/@jupyter-widgets/html-manager"
WIDGETS_IN_PACKAGE = "rsconnect_jupyter/localconnect/vendor/widgets"
WIDGETS_FILES = {"dist/embed-amd.js": "embed-amd.js", "dist/embed.js.LICENSE.txt": "THIRD-PARTY-NOTICES.txt"}
LABEXTENSION_NAME = "rsconnect-jupyter"  # labextension/package.json "name"
# What the lab build reads: a change to any of them makes the built extension stale.
LABEXTENSION_SOURCES = [
    "package.json",
    "yarn.lock",
    "labextension/package.json",
    "labextension/tsconfig.json",
    "labextension/tsconfig.classic.json",
    "labextension/src",
    "labextension/style",
    "labextension/schema",
]
# Where JupyterLab keeps jlpm (its pinned yarn): jupyter_builder since 4.6, jupyterlab before.
JLPM_MODULES = ("jupyter_builder.jlpm", "jupyterlab.jlpmapp")


def log(message: str) -> None:
    print("rsconnect_jupyter: " + message, file=sys.stderr)


def files(pattern: str) -> list[str]:
    return sorted(p for p in glob(pattern, recursive=True) if os.path.isfile(p))


def lab_build_skipped() -> bool:
    return os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1"


def lab_built() -> bool:
    return os.path.isfile(os.path.join(LABEXTENSION_BUILT, "package.json"))


def core_built() -> bool:
    return os.path.isfile(os.path.join(CORE_AMD_BUILT, CORE_ENTRY))


def widgets_copied() -> bool:
    return all(os.path.isfile(os.path.join(WIDGETS_IN_PACKAGE, name)) for name in WIDGETS_FILES.values())


def lab_build_stale() -> bool:
    from hatch_jupyter_builder.utils import is_stale

    if not lab_built() or not core_built() or not widgets_copied():
        return True
    return any(
        is_stale(built, source)
        for built in (LABEXTENSION_BUILT, CORE_AMD_BUILT, os.path.join(WIDGETS_IN_PACKAGE, "embed-amd.js"))
        for source in LABEXTENSION_SOURCES
    )


def lab_build_possible() -> bool:
    """A build needs the sources (an sdist without them carries the build) and Node.js."""
    return os.path.isfile("labextension/package.json") and shutil.which("node") is not None


def lab_build_wanted() -> bool:
    return not lab_build_skipped() and lab_build_possible() and lab_build_stale()


def jlpm_command() -> list[str] | None:
    """jlpm from the build environment's JupyterLab, run with this Python; None when absent."""
    from importlib.util import find_spec

    for module in JLPM_MODULES:
        try:
            found = find_spec(module) is not None
        except ImportError:  # the parent package is missing
            found = False
        if found:
            return [sys.executable, "-c", "import sys; from %s import main; sys.exit(main())" % module]
    return None


def build_labextension() -> None:
    """`jlpm install --immutable` (the lock file is never rewritten) and `jlpm run build`."""
    env = dict(os.environ)
    # `jupyter labextension build` runs from PATH: the build environment's scripts come first.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    if not env.get("YARN_NPM_REGISTRY_SERVER") and shutil.which("npm"):
        # jlpm (yarn 3) ignores npm's config: hand it the machine's registry, never written down.
        registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
        if registry:
            env["YARN_NPM_REGISTRY_SERVER"] = registry
    jlpm = jlpm_command()
    if jlpm is None:
        raise SystemExit(
            "rsconnect_jupyter: building the JupyterLab extension needs JupyterLab 4 in the build "
            "environment: install it, or set HATCH_JUPYTER_BUILDER_SKIP_NPM=1 to go without."
        )
    log("building the JupyterLab extension with jlpm (a first build downloads its packages) ...")
    for step in (["install", "--immutable"], ["run", "build"]):
        done = subprocess.run(jlpm + step, cwd=HERE, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-6000:] + done.stderr[-6000:])
            raise SystemExit(
                "rsconnect_jupyter: `jlpm %s` failed (output above). Fix it, or set "
                "HATCH_JUPYTER_BUILDER_SKIP_NPM=1 to install without the JupyterLab extension." % " ".join(step)
            )
    copy_widgets()


def copy_widgets() -> None:
    """embed-amd.js and the notices from node_modules into the package (new file times: fresh output)."""
    os.makedirs(WIDGETS_IN_PACKAGE, exist_ok=True)
    for name, copy in WIDGETS_FILES.items():
        source = os.path.join(WIDGETS_PACKAGE, name)
        if not os.path.isfile(source):
            raise SystemExit(
                "rsconnect_jupyter: %s is missing after `jlpm install`: run `jlpm install` again." % source
            )
        shutil.copyfile(source, os.path.join(WIDGETS_IN_PACKAGE, copy))


def prepare_front_ends() -> None:
    """Build the core and the lab extension when stale; copy the classic front end into the package."""
    os.chdir(HERE)
    if lab_build_wanted():
        build_labextension()
    elif not lab_built() or not core_built() or not widgets_copied():
        why = "HATCH_JUPYTER_BUILDER_SKIP_NPM=1" if lab_build_skipped() else "Node.js is not installed"
        missing = [
            what
            for what, built in (
                ("the JupyterLab 4 / Notebook 7 extension (%s)" % LABEXTENSION_BUILT, lab_built()),
                ("the classic Notebook's publishing core (%s)" % CORE_AMD_BUILT, core_built()),
                ("ipywidgets' embed script (%s)" % WIDGETS_IN_PACKAGE, widgets_copied()),
            )
            if not built
        ]
        if not lab_built() or not core_built():
            lost = "the Publish button is missing from %s" % ("both notebook UIs" if not core_built() else "JupyterLab")
        else:
            lost = "notebooks the local server renders load ipywidgets' script from a CDN"
        log(
            "%s: not built, and the build is skipped (%s). The CLI installs as usual; %s. Install "
            "Node.js, or unset the variable, and install again." % (" and ".join(missing), why, lost)
        )
    elif lab_build_stale() and not lab_build_skipped():
        log(
            "warning: the notebook extensions are older than their sources and Node.js is not "
            "installed to rebuild them: the existing build is installed."
        )
    shutil.rmtree(NBEXTENSION_IN_PACKAGE, ignore_errors=True)
    if core_built():
        shutil.copytree(NBEXTENSION_SOURCES, NBEXTENSION_IN_PACKAGE)
        shutil.copytree(CORE_AMD_BUILT, os.path.join(NBEXTENSION_IN_PACKAGE, "core"))


def data_files() -> list[tuple[str, list[str]]]:
    """Jupyter config files, the nbextension (with the core) and the built lab extension, as wheel data."""
    layout = [
        ("etc/jupyter/jupyter_notebook_config.d", files("jupyter-config/jupyter_notebook_config.d/*.json")),
        ("etc/jupyter/jupyter_server_config.d", files("jupyter-config/jupyter_server_config.d/*.json")),
        ("etc/jupyter/nbconfig/notebook.d", files("jupyter-config/nbconfig/notebook.d/*.json")),
    ]
    by_folder: dict[str, list[str]] = {}
    for built, target in (
        (NBEXTENSION_IN_PACKAGE, "share/jupyter/nbextensions/rsconnect_jupyter"),
        (LABEXTENSION_BUILT, "share/jupyter/labextensions/" + LABEXTENSION_NAME),
    ):
        for path in files(built + "/**/*"):
            folder = os.path.dirname(os.path.relpath(path, built))
            by_folder.setdefault(os.path.join(target, folder).rstrip("/"), []).append(path)
    return layout + sorted(by_folder.items())


class BuildPy(build_py):
    """Runs first in every wheel and editable build, before install_data reads data_files."""

    def run(self) -> None:
        prepare_front_ends()
        self.distribution.data_files = data_files()
        super().run()


class Sdist(sdist):
    """An sdist carries the built lab extension (MANIFEST.in), so it installs without Node.js."""

    def run(self) -> None:
        prepare_front_ends()
        self.distribution.data_files = data_files()
        super().run()


os.chdir(HERE)
setup(
    cmdclass={"build_py": BuildPy, "sdist": Sdist},
    data_files=data_files(),
    # Asked for only when the lab extension must be built here: jlpm comes with JupyterLab.
    setup_requires=["jupyterlab>=4,<5"] if lab_build_wanted() and jlpm_command() is None else [],
)
