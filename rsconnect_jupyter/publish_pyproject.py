"""`rsconnect deploy pyproject DIRECTORY`: publish what pyproject.toml's [tool.rsconnect] table
describes, as rsconnect-python 1.32 does (`app_mode` and `entrypoint` required; `title` and
`requirements_file` optional, the packages from pyproject.toml itself by default). The content is
published by the flow of its app mode: an API or app from the directory, a notebook with its
source, or a Voila dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import apps
from .exceptions import InvalidInput
from .options import AppOptions, ContentOptions, EnvironmentOptions, Feedback, FilesOptions, NotebookOptions, Target
from .project_files import load_toml
from .publish_flow import Deployment
from .target import StrPath

SNIPPET = '[tool.rsconnect] with app_mode = "python-api" (say) and entrypoint = "app:app"'
NOTEBOOK_MODES = ("jupyter-static", "jupyter-voila")


@dataclass(frozen=True)
class PyprojectTarget:
    """[tool.rsconnect], checked: what to publish and how."""

    app_mode: str
    entrypoint: str
    requirements_file: str
    title: str | None


def read_tool_rsconnect(directory: StrPath) -> PyprojectTarget:
    """The table of DIRECTORY/pyproject.toml, or one sentence saying what to add or change."""
    path = Path(directory) / "pyproject.toml"
    if not path.is_file():
        raise InvalidInput("%s does not exist: add a pyproject.toml with %s." % (path, SNIPPET))
    tool = load_toml(path).get("tool")
    table = tool.get("rsconnect") if isinstance(tool, Mapping) else None
    if not isinstance(table, Mapping):
        raise InvalidInput("%s has no [tool.rsconnect] table: add %s." % (path, SNIPPET))
    values: dict[str, Any] = dict(table)
    for field in ("app_mode", "entrypoint"):
        if not isinstance(values.get(field), str) or not values[field].strip():
            raise InvalidInput(
                "[tool.rsconnect] in %s needs %s as a non-empty string: add %s." % (path, field, SNIPPET)
            )
    for field in ("title", "requirements_file"):
        if values.get(field) is not None and not isinstance(values[field], str):
            raise InvalidInput("[tool.rsconnect] %s in %s must be a string." % (field, path))
    mode = values["app_mode"].strip()
    known = sorted(set(apps.APP_TYPES.values()) | set(NOTEBOOK_MODES))
    if mode not in known:
        raise InvalidInput(
            'app_mode "%s" in %s is not one this command publishes: use one of %s (for a Quarto project, '
            'publish its rendered output with "rsconnect deploy html").' % (mode, path, ", ".join(known))
        )
    return PyprojectTarget(
        app_mode=mode,
        entrypoint=values["entrypoint"].strip(),
        requirements_file=values.get("requirements_file") or "pyproject.toml",
        title=values.get("title") or None,
    )


def publish_pyproject(
    target: Target,
    directory: StrPath,
    content: ContentOptions | None = None,
    env: EnvironmentOptions | None = None,
    feedback: Feedback | None = None,
) -> Deployment:
    """Publish DIRECTORY as its [tool.rsconnect] says. A title given here wins over the table's; so
    does `env.requirements_file` (-r) over its requirements_file (in DIRECTORY; default
    pyproject.toml), and `env.force_generate` (-g) lists the installed packages instead."""
    from dataclasses import replace

    from .publish_apps import publish_app
    from .publish_notebooks import publish_notebook, publish_voila

    project = read_tool_rsconnect(directory)
    content = content or ContentOptions()
    if not content.title and project.title:
        content = replace(content, title=project.title)
    env = env or EnvironmentOptions()
    if not env.requirements_file and not env.force_generate:
        env = replace(env, requirements_file=str(Path(directory) / project.requirements_file))
    if project.app_mode == "jupyter-static":
        notebook = Path(directory) / project.entrypoint
        return publish_notebook(target, notebook, NotebookOptions(), FilesOptions(), content, env, feedback)
    if project.app_mode == "jupyter-voila":
        notebook = Path(directory) / project.entrypoint
        return publish_voila(target, notebook, FilesOptions(), content, env, feedback)
    return publish_app(
        target, directory, AppOptions(project.app_mode, project.entrypoint), FilesOptions(), content, env, feedback
    )
