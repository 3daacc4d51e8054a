"""manifest.json for each app mode (see ../shared/connect-api/README.md, "Bundle and manifest.json").

A manifest says what the bundle is (`metadata.appmode`), where it starts (`entrypoint` or
`primary_html`), which Python and packages it needs, and the MD5 of every file. The checksums
are filled in by bundle.py, which reads each file once.
"""
from .environment import python_major_minor

# Connect's app modes, with the ordinal older APIs use.
APP_MODES = {
    "static": 4,
    "jupyter-static": 7,
    "python-api": 8,
    "python-dash": 9,
    "python-streamlit": 10,
    "python-bokeh": 11,
    "python-fastapi": 12,
    "jupyter-voila": 16,
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
    "jupyter-voila": "a Voila dashboard",
    "unknown": "content never deployed",
}

REQUIREMENTS_FILE = "requirements.txt"


def describe_mode(app_mode):
    return APP_MODE_NAMES.get(app_mode, app_mode)


def python_section(snapshot):
    """`python` of the manifest: exact version and the package manager that reads requirements.txt."""
    manager = dict(snapshot.get("package_manager") or {})
    # Connect installs with its own tools; "none" (no pip in the environment) still means pip there.
    name = manager.get("name") if manager.get("name") in ("pip", "uv") else "pip"
    package_manager = {"name": name}
    if manager.get("version") and name == manager.get("name"):
        package_manager["version"] = manager["version"]
    package_manager["package_file"] = REQUIREMENTS_FILE
    return {"version": snapshot["python"], "package_manager": package_manager}


def static_manifest(primary_html):
    """An HTML document (a notebook's snapshot or any .html file) with the files it needs."""
    return {"version": 1, "metadata": {"appmode": "static", "primary_html": primary_html,
                                       "entrypoint": primary_html}, "files": {}}


def python_manifest(app_mode, entrypoint, snapshot, hide_all_input=False, hide_tagged_input=False,
                    requires_python=True):
    """Content that Connect runs with Python: a notebook with source, or (later) an API or app.

    `entrypoint` is the notebook's file name for jupyter-static, `module[:object]` for APIs and apps.
    """
    if app_mode not in APP_MODES or app_mode == "static":
        raise ValueError("not a Python app mode: %r" % app_mode)
    manifest = {
        "version": 1,
        "locale": snapshot.get("locale") or "en_US.UTF-8",
        "metadata": {"appmode": app_mode, "entrypoint": entrypoint},
        "python": python_section(snapshot),
    }
    if requires_python:
        manifest["environment"] = {"python": {"requires": "~=%s.0" % python_major_minor(snapshot["python"])}}
    jupyter = {}
    if hide_all_input:
        jupyter["hide_all_input"] = True
    if hide_tagged_input:
        jupyter["hide_tagged_input"] = True
    if jupyter:
        manifest["jupyter"] = jupyter
    manifest["files"] = {}
    return manifest


def notebook_manifest(notebook_name, snapshot, hide_all_input=False, hide_tagged_input=False):
    return python_manifest("jupyter-static", notebook_name, snapshot, hide_all_input, hide_tagged_input)
