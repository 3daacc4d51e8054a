"""Quarto source content: what a document or project is, as `quarto inspect` says it, or as its files say.

    rsconnect deploy quarto FILE_OR_DIRECTORY     (quarto-static, or quarto-shiny for `server: shiny`)

Connect renders Quarto source itself. The manifest's `quarto` section (version, engines) comes from
`quarto inspect` when a Quarto is found (`--quarto PATH`, else on PATH), as rsconnect-python 1.32 does;
without one, from the files, as Posit Publisher reads them: the engine from the extension (.ipynb is
jupyter, .Rmd knitr) and, for .qmd and .md, from the front matter (`engine:`, `jupyter:`, `knitr:`) or the
code chunks (```{python} is jupyter, ```{r} knitr; none is markdown). Without a local Quarto the version
asked for is rsconnect-python's placeholder for "unknown", 99.9.9, so Connect takes its newest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from . import apps
from .exceptions import InvalidInput, RSConnectError

QUARTO_MODES = ("quarto-static", "quarto-shiny")
PROJECT_FILES = ("_quarto.yml", "_quarto.yaml")
SOURCE_SUFFIXES = (".qmd", ".ipynb", ".rmd", ".md")  # lower case; what Quarto renders
UNKNOWN_VERSION = "99.9.9"  # rsconnect-python's version when the inspection has none
# Where rsconnect-python looks after PATH.
WELL_KNOWN = ("/usr/local/bin/quarto", "/opt/quarto/bin/quarto")
SUPPORTED_ENGINES = ("markdown", "jupyter")  # as rsconnect-python: knitr content needs R's tools
_CHUNK = re.compile(r"^\s*```+\s*\{\s*([A-Za-z0-9_-]+)", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class CannotRenderQuarto(RSConnectError):
    """The server has no Quarto to render source with."""


@dataclass(frozen=True)
class QuartoContent:
    """A Quarto document or project, inspected: its inputs (relative to `base_dir`, `/`-separated,
    in render order), engines, Quarto version, app mode, and the project's output folder."""

    path: Path
    base_dir: Path
    is_project: bool
    inputs: list[str]
    engines: list[str]
    version: str
    app_mode: str
    output_dir: str | None
    inspected_by: str  # "quarto inspect (PATH)" or "its files (no Quarto found)"

    @property
    def needs_python(self) -> bool:
        return "jupyter" in self.engines

    @property
    def is_site(self) -> bool:
        """More than one input renders to more than one page: Connect files it as a site."""
        return len(self.inputs) > 1


# ---------------------------------------------------------------------------------------------
# Finding and running Quarto


def find_quarto(given: str | None = None) -> str | None:
    """The Quarto to inspect with: `--quarto PATH` (which must run), else one on PATH or where
    rsconnect-python looks, else None (the files are read instead)."""
    if given:
        found = shutil.which(given)
        if not found:
            raise InvalidInput(
                'The Quarto "%s" does not exist or cannot be run: give the path of the quarto binary.' % given
            )
        return found
    for candidate in ("quarto", *WELL_KNOWN):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def run_inspect(quarto: str, target: Path) -> dict[str, Any]:
    """`quarto inspect TARGET`, parsed."""
    try:
        out = subprocess.run([quarto, "inspect", str(target)], capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InvalidInput(
            "%s could not inspect %s (%s): check that it is a working Quarto." % (quarto, target, e)
        ) from None
    if out.returncode != 0:
        last = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InvalidInput(
            "quarto inspect %s failed (%s): fix what it says, or check with `quarto render` first." % (target, last[0])
        )
    try:
        found = json.loads(out.stdout)
    except ValueError:
        raise InvalidInput("%s inspect printed no JSON: check that it is Quarto." % quarto) from None
    if not isinstance(found, dict):
        raise InvalidInput("%s inspect printed no JSON object: check that it is Quarto." % quarto)
    return found


# ---------------------------------------------------------------------------------------------
# Reading the files


def front_matter(text: str) -> dict[str, Any]:
    """A document's YAML front matter, or {} (none, or not YAML)."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}
    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def notebook_front_matter(path: Path) -> dict[str, Any]:
    """A notebook's front matter: its first cell's, when that is a raw or markdown cell."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return {}
    if not cells or cells[0].get("cell_type") not in ("raw", "markdown"):
        return {}
    source = cells[0].get("source") or ""
    return front_matter("".join(source) if isinstance(source, list) else str(source))


def document_engines(path: Path) -> list[str]:
    """The engines a document needs, from its extension, front matter and code chunks."""
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return ["jupyter"]
    if suffix == ".rmd":
        return ["knitr"]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ["markdown"]
    meta = front_matter(text)
    engine = meta.get("engine")
    if isinstance(engine, str) and engine in ("jupyter", "knitr", "markdown"):
        return [engine]
    if "jupyter" in meta:
        return ["jupyter"]
    if "knitr" in meta:
        return ["knitr"]
    found = set()
    for language in _CHUNK.findall(text):
        language = language.lower()
        if language == "r":
            found.add("knitr")
        elif language in ("python", "julia"):
            found.add("jupyter")
    return sorted(found) or ["markdown"]


def is_shiny(meta: dict[str, Any]) -> bool:
    """`server: shiny`, `server: {type: shiny}` or `runtime: shiny`, as Publisher reads them."""
    server = meta.get("server")
    return (
        meta.get("runtime") == "shiny"
        or server == "shiny"
        or (isinstance(server, dict) and server.get("type") == "shiny")
    )


def document_meta(path: Path) -> dict[str, Any]:
    if path.suffix.lower() == ".ipynb":
        return notebook_front_matter(path)
    try:
        return front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}


def project_config(directory: Path) -> dict[str, Any] | None:
    """_quarto.yml (or .yaml), or None when the folder is not a Quarto project."""
    for name in PROJECT_FILES:
        path = directory / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
                raise InvalidInput(
                    "%s cannot be read as YAML (%s): fix it as `quarto render` would ask." % (path, e)
                ) from None
            return data if isinstance(data, dict) else {}
    return None


def project_output_dir(config: dict[str, Any]) -> str | None:
    """The project's output folder: its `output-dir`, else _site for a website, _book for a book."""
    project = config.get("project") if isinstance(config.get("project"), dict) else {}
    project = cast("dict[str, Any]", project)
    given = project.get("output-dir")
    if isinstance(given, str) and given.strip():
        return given.strip().strip("/")
    return {"website": "_site", "book": "_book", "manuscript": "_manuscript"}.get(str(project.get("type")))


def project_inputs(directory: Path, config: dict[str, Any]) -> list[str]:
    """What Quarto renders in a project: `project.render` when given, else every .qmd, .ipynb, .Rmd
    and .md below it, minus files and folders whose names start with _ or ., README.md and the
    output folder, and what never goes into a bundle (virtual environments, caches)."""
    output_dir = project_output_dir(config)
    project = config.get("project") if isinstance(config.get("project"), dict) else {}
    listed = cast("dict[str, Any]", project).get("render")
    rules = apps.Excludes(directory, [output_dir] if output_dir else [])
    files = apps.list_files(directory, rules)
    if isinstance(listed, list) and listed:
        patterns = [apps.glob_to_regex(str(p)) for p in listed if not str(p).startswith("!")]
        left_out = [apps.glob_to_regex(str(p)[1:]) for p in listed if str(p).startswith("!")]
        chosen = [f for f in files if any(r.match(f) for r in patterns) and not any(r.match(f) for r in left_out)]
        return [f for f in chosen if f.lower().endswith(SOURCE_SUFFIXES)]
    inputs = []
    for rel in files:
        parts = rel.split("/")
        if any(part.startswith(("_", ".")) for part in parts):
            continue
        if parts[-1].lower() in ("readme.md", "readme.qmd") or not rel.lower().endswith(SOURCE_SUFFIXES):
            continue
        inputs.append(rel)
    return inputs


def inspect_files(target: Path) -> dict[str, Any]:
    """What `quarto inspect` would say, read from the files: the same keys (quarto.version,
    engines, config, files.input as absolute paths, and for a document formats.html.metadata)."""
    target = Path(os.path.abspath(str(target)))
    if target.is_dir():
        config = project_config(target)
        if config is None:
            raise InvalidInput(
                "%s has no _quarto.yml: give a Quarto project folder, or the document (.qmd or .ipynb) itself." % target
            )
        inputs = project_inputs(target, config)
        engines: set[str] = set()
        for rel in inputs:
            engines.update(document_engines(target / rel))
        result: dict[str, Any] = {
            "quarto": {"version": UNKNOWN_VERSION},
            "engines": sorted(engines) or ["markdown"],
            "config": config,
            "files": {"input": [str(target / rel) for rel in inputs]},
        }
        if is_shiny(config) or any(is_shiny(document_meta(target / rel)) for rel in inputs):
            result["formats"] = {"html": {"metadata": {"server": "shiny"}}}
        return result
    return {
        "quarto": {"version": UNKNOWN_VERSION},
        "engines": document_engines(target),
        "formats": {"html": {"metadata": document_meta(target)}},
    }


# ---------------------------------------------------------------------------------------------
# The content


def inspect(file_or_directory: str | os.PathLike[str], quarto: str | None = None) -> QuartoContent:
    """Inspect a Quarto document (.qmd, .ipynb, .Rmd, .md) or project folder, with `quarto` (a
    path, else one found) or from its files. Fails in one sentence on what cannot be published."""
    path = Path(os.path.abspath(str(file_or_directory)))
    if not path.exists():
        raise InvalidInput("%s does not exist." % file_or_directory)
    if path.is_file() and not path.name.lower().endswith(SOURCE_SUFFIXES):
        raise InvalidInput(
            "%s is not a Quarto document: give a .qmd, .ipynb, .Rmd or .md file, or a folder with a _quarto.yml." % path
        )
    binary = find_quarto(quarto)
    found = run_inspect(binary, path) if binary else inspect_files(path)
    is_project = path.is_dir()
    base_dir = path if is_project else path.parent
    inputs = [Path(os.path.relpath(p, base_dir)).as_posix() for p in (found.get("files") or {}).get("input") or []]
    if not is_project:
        inputs = [path.name]
    engines = [str(e) for e in found.get("engines") or []]
    unsupported = [e for e in engines if e not in SUPPORTED_ENGINES]
    if unsupported:
        raise InvalidInput(
            "%s uses the %s engine (R), which needs R's packages recorded by R's tools: publish it with the "
            "rsconnect R package or Posit Publisher, or render it and publish the output with `rsconnect deploy html`."
            % (path, ", ".join(unsupported))
        )
    config = found.get("config") if isinstance(found.get("config"), dict) else {}
    formats = found.get("formats") if isinstance(found.get("formats"), dict) else {}
    meta = ((formats or {}).get("html") or {}).get("metadata") or {}
    shiny = is_shiny(meta) or is_shiny(config or {})
    version = str((found.get("quarto") or {}).get("version") or UNKNOWN_VERSION)
    return QuartoContent(
        path=path,
        base_dir=base_dir,
        is_project=is_project,
        inputs=inputs,
        engines=engines,
        version=version,
        app_mode="quarto-shiny" if shiny else "quarto-static",
        output_dir=project_output_dir(config or {}) if is_project else None,
        inspected_by="quarto inspect (%s)" % binary if binary else "its files (no Quarto found)",
    )


def rendered_excludes(content: QuartoContent) -> list[str]:
    """What a local render left in a project, left out of the source bundle as rsconnect-python does:
    .quarto, the output folder, and each input's .html and _files folder."""
    excludes = [".quarto"] + ([content.output_dir] if content.output_dir else [])
    for rel in content.inputs:
        stem = rel.rsplit(".", 1)[0]
        excludes += [stem + ".html", stem + "_files"]
    return excludes


def check_server_renders(quarto_versions: list[str] | None, server_url: str) -> None:
    """Refuse before anything is sent when the server says it has no Quarto (None: it does not say)."""
    if quarto_versions is not None and not quarto_versions:
        raise CannotRenderQuarto(
            "%s cannot render Quarto, which Posit Connect with Quarto can: publish "
            "the source there, or render it yourself and publish the output with `rsconnect deploy html`." % server_url
        )
