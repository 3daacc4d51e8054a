"""manifest.json for each app mode (see docs/connect-api.md, "Bundle and manifest.json").

A manifest says what the bundle is (`metadata.appmode`), where it starts (`entrypoint` or
`primary_html`), which Python and packages it needs, and the MD5 of every file. The checksums
are filled in by bundle/ (writer.py), which reads each file once.
"""

from __future__ import annotations

from typing import TypedDict

from .environment import python_major_minor
from .snapshot import PackageManager, Snapshot

# Connect's app modes, with the ordinal older APIs use.
APP_MODES = {
    "static": 4,
    "jupyter-static": 7,
    "python-api": 8,
    "python-dash": 9,
    "python-streamlit": 10,
    "python-bokeh": 11,
    "python-fastapi": 12,
    "quarto-shiny": 13,
    "quarto-static": 14,
    "python-shiny": 15,
    "jupyter-voila": 16,
    "python-gradio": 17,
    "python-panel": 18,
}

# What the user calls each mode in messages.
APP_MODE_NAMES = {
    "static": "an HTML snapshot (static)",
    "jupyter-static": "a notebook with source (jupyter-static)",
    "python-api": "a WSGI API (python-api)",
    "python-dash": "a Dash app",
    "python-streamlit": "a Streamlit app",
    "python-bokeh": "a Bokeh app",
    "python-fastapi": "an ASGI API (python-fastapi)",
    "quarto-static": "Quarto source (quarto-static)",
    "quarto-shiny": "Quarto source with Shiny (quarto-shiny)",
    "python-shiny": "a Python Shiny app",
    "jupyter-voila": "a Voila dashboard",
    "python-gradio": "a Gradio app",
    "python-panel": "a Panel app",
    "unknown": "content never deployed",
}

REQUIREMENTS_FILE = "requirements.txt"


class Metadata(TypedDict, total=False):
    appmode: str  # one of APP_MODES
    entrypoint: str  # the notebook's file name, `module:object`, or a script's file name
    primary_html: str  # static content: the page Connect serves
    content_category: str  # "site" for a multi-page site (Quarto's publisher, rsconnect-python)


class PackageManagerSection(TypedDict, total=False):
    name: str  # "pip" or "uv"
    version: str
    package_file: str  # REQUIREMENTS_FILE
    allow_uv: bool  # --package-installer: True for uv, False for pip (absent: the server decides)


class PythonSection(TypedDict):
    version: str  # the exact version, "3.11.7"
    package_manager: PackageManagerSection


class PythonRequirement(TypedDict):
    requires: str  # "~=3.11.0"


class EnvironmentSection(TypedDict):
    python: PythonRequirement


class JupyterOptions(TypedDict, total=False):
    hide_all_input: bool
    hide_tagged_input: bool


class QuartoSection(TypedDict):
    version: str  # the Quarto the source was inspected with
    engines: list[str]  # "markdown", "jupyter" (and "knitr")


class FileEntry(TypedDict):
    checksum: str  # MD5, hex


class _ManifestKeys(TypedDict):
    version: int  # 1
    metadata: Metadata


class Manifest(_ManifestKeys, total=False):
    """manifest.json (`environment` and `jupyter` only when they apply)."""

    files: dict[str, FileEntry]  # by name in the bundle; bundle/writer.py fills in the checksums
    locale: str
    python: PythonSection
    environment: EnvironmentSection
    jupyter: JupyterOptions
    quarto: QuartoSection


def describe_mode(app_mode: str) -> str:
    return APP_MODE_NAMES.get(app_mode, app_mode)


def python_section(snapshot: Snapshot) -> PythonSection:
    """`python` of the manifest: exact version and the package manager that reads requirements.txt.

    With --package-installer (the snapshot's `package_installer`), its name and `allow_uv`, as
    rsconnect-python records them."""
    manager: PackageManager = snapshot.get("package_manager") or {}
    # Connect installs with its own tools; "none" (no pip in the environment) still means pip there.
    given, version = manager.get("name"), manager.get("version")
    chosen = snapshot.get("package_installer")
    name = chosen or (given if given == "pip" or given == "uv" else "pip")
    package_manager: PackageManagerSection = {"name": name}
    if version and name == given:
        package_manager["version"] = version
    package_manager["package_file"] = REQUIREMENTS_FILE
    if chosen:
        package_manager["allow_uv"] = chosen == "uv"
    return {"version": snapshot["python"], "package_manager": package_manager}


def python_requires(snapshot: Snapshot) -> str:
    """`environment.python.requires`: the project's constraint (.python-version, requires-python),
    else this Python's MAJOR.MINOR ("~=3.11.0")."""
    return snapshot.get("python_requires") or "~=%s.0" % python_major_minor(snapshot["python"])


def static_manifest(primary_html: str, site: bool = False) -> Manifest:
    """An HTML document (a notebook's snapshot or any .html file) with the files it needs; a site
    (several pages, as Quarto's publisher sends a rendered website) says `content_category: site`."""
    manifest: Manifest = {
        "version": 1,
        "metadata": {"appmode": "static", "primary_html": primary_html, "entrypoint": primary_html},
        "files": {},
    }
    if site:
        manifest["metadata"]["content_category"] = "site"
    return manifest


def python_manifest(
    app_mode: str,
    entrypoint: str,
    snapshot: Snapshot,
    hide_all_input: bool = False,
    hide_tagged_input: bool = False,
    requires_python: bool = True,
) -> Manifest:
    """Content that Connect runs with Python: a notebook with source, or (later) an API or app.

    `entrypoint` is the notebook's file name for jupyter-static, `module[:object]` for APIs and apps.
    """
    if app_mode not in APP_MODES or app_mode == "static":
        raise ValueError("not a Python app mode: %r" % app_mode)
    manifest: Manifest = {
        "version": 1,
        "locale": snapshot.get("locale") or "en_US.UTF-8",
        "metadata": {"appmode": app_mode, "entrypoint": entrypoint},
        "python": python_section(snapshot),
    }
    if requires_python:
        manifest["environment"] = {"python": {"requires": python_requires(snapshot)}}
    jupyter: JupyterOptions = {}
    if hide_all_input:
        jupyter["hide_all_input"] = True
    if hide_tagged_input:
        jupyter["hide_tagged_input"] = True
    if jupyter:
        manifest["jupyter"] = jupyter
    manifest["files"] = {}
    return manifest


def notebook_manifest(
    notebook_name: str, snapshot: Snapshot, hide_all_input: bool = False, hide_tagged_input: bool = False
) -> Manifest:
    return python_manifest("jupyter-static", notebook_name, snapshot, hide_all_input, hide_tagged_input)


def quarto_manifest(
    app_mode: str, version: str, engines: list[str], site: bool, snapshot: Snapshot | None = None
) -> Manifest:
    """Quarto source (quarto-static or quarto-shiny), as rsconnect-python 1.32 writes it: no entrypoint
    (Connect renders the bundle's document or project), `content_category: site` for more than one
    input, and the Python sections only when the jupyter engine runs code."""
    manifest: Manifest = {"version": 1, "metadata": {"appmode": app_mode}}
    if site:
        manifest["metadata"]["content_category"] = "site"
    manifest["quarto"] = {"version": version, "engines": list(engines)}
    if snapshot is not None:
        manifest["locale"] = snapshot.get("locale") or "en_US.UTF-8"
        manifest["python"] = python_section(snapshot)
        manifest["environment"] = {"python": {"requires": python_requires(snapshot)}}
    manifest["files"] = {}
    return manifest
