"""Python APIs and apps: their types, entrypoint detection, and which files of the directory go.

    rsconnect deploy api|flask|fastapi|dash|streamlit|bokeh|shiny|gradio|panel DIRECTORY

The directory is bundled whole, minus what never belongs in a bundle (version control, caches,
virtual environments, our own records and config) and what the user excludes with `-x GLOB`.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from .exceptions import InvalidInput

# A directory or file as the callers give it: a str or a Path.
StrPath = Union[str, os.PathLike[str]]

# The command's type -> Connect's app mode.
APP_TYPES = {
    "api": "python-api",
    "flask": "python-api",
    "fastapi": "python-fastapi",
    "dash": "python-dash",
    "streamlit": "python-streamlit",
    "bokeh": "python-bokeh",
    "shiny": "python-shiny",
    "gradio": "python-gradio",
    "panel": "python-panel",
}

# What `deploy TYPE --help` says the type is.
APP_TYPE_HELP = {
    "api": "a WSGI API (Flask or any WSGI application)",
    "flask": "a Flask API (WSGI)",
    "fastapi": "an ASGI API (FastAPI, Quart, Starlette...)",
    "dash": "a Dash app",
    "streamlit": "a Streamlit app",
    "bokeh": "a Bokeh app",
    "shiny": "a Python Shiny app (Shiny Express too)",
    "gradio": "a Gradio app",
    "panel": "a Panel app (Connect 2025.10 and later)",
}

# Modes whose entrypoint is a script file rather than `module:object`.
SCRIPT_MODES = {"python-streamlit", "python-bokeh", "python-gradio", "python-panel"}

# Shiny Express apps have no app object: Connect runs them as an attribute of this module, named
# after the file (escaped), as rsconnect-python and Shiny itself write it.
SHINY_EXPRESS_MODULE = "shiny.express.app"

# rsconnect-python's order: the first of these modules that exists is the entrypoint.
DEFAULT_MODULES = ("app", "application", "main", "api")
DEFAULT_OBJECT = "app"

# Folders that never go into a directory bundle, by name, at any depth.
EXCLUDED_DIR_NAMES = {
    ".git",
    ".svn",
    ".hg",
    "__pycache__",
    ".ipynb_checkpoints",
    "rsconnect-python",
    "rsconnect",
    ".rsconnect-python",
    "venv",
    ".venv",
    "env",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    ".nox",
    ".ruff_cache",
    ".env",
}
EXCLUDED_FILE_NAMES = {"manifest.json", ".DS_Store"}  # manifest.json is written fresh
SECRETS_FILE = ".env"

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_MODULE_RE = re.compile(r"^%s(\.%s)*\Z" % (_IDENTIFIER, _IDENTIFIER))
_OBJECT_RE = re.compile(r"^%s(\.%s)*\Z" % (_IDENTIFIER, _IDENTIFIER))


def app_mode_of(app_type: str) -> str:
    try:
        return APP_TYPES[app_type]
    except KeyError:
        raise InvalidInput('"%s" is not a type of app: use one of %s.' % (app_type, ", ".join(APP_TYPES))) from None


# ---------------------------------------------------------------------------------------------
# Entrypoint


def default_module(directory: StrPath) -> str:
    """The module to start: app, application, main or api (the first that exists), else the only .py."""
    directory = Path(directory)
    for name in DEFAULT_MODULES:
        if (directory / (name + ".py")).is_file():
            return name
    sources = sorted(p.stem for p in directory.glob("*.py") if p.is_file())
    if len(sources) == 1:
        return sources[0]
    if not sources:
        raise InvalidInput(
            "%s has no .py file to start: put the app in app.py, or give the module with "
            "-e/--entrypoint MODULE[:OBJECT]." % directory
        )
    raise InvalidInput(
        "%s has several .py files and none is called %s: say which one starts the app with "
        "-e/--entrypoint MODULE[:OBJECT] (for example -e %s:app)."
        % (directory, ", ".join(n + ".py" for n in DEFAULT_MODULES), sources[0])
    )


def module_file(directory: StrPath, module: str) -> Path | None:
    """The file of `module` in `directory` (pkg.mod -> pkg/mod.py or pkg/mod/__init__.py), or None."""
    base = Path(directory).joinpath(*module.split("."))
    for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def resolve_entrypoint(directory: StrPath, entrypoint: str | None = None, app_mode: str | None = None) -> str:
    """The manifest's `metadata.entrypoint` from `-e` (module, module:object, or a file name) or the default.

    APIs and Dash apps get `module:object`, the object defaulting to `app`. Streamlit, Bokeh and Gradio run
    a script, so they get its file name (`app.py`), as Posit Connect's own publishing tools write
    it. The module must exist in the directory.
    """
    directory = Path(directory)
    given = (entrypoint or "").strip()
    if not given:
        module, obj = default_module(directory), DEFAULT_OBJECT
    else:
        module, sep, obj = given.partition(":")
        module, obj = module.strip(), obj.strip()
        if module.endswith(".py"):  # -e app.py: the file's module
            module = module[:-3].replace("/", ".")
        if sep and not obj:
            raise InvalidInput(
                'The entrypoint "%s" names no object after ":": use MODULE:OBJECT, for example app:app.' % given
            )
        obj = obj or DEFAULT_OBJECT
        if not _MODULE_RE.match(module) or not _OBJECT_RE.match(obj):
            raise InvalidInput('"%s" is not an entrypoint: use MODULE[:OBJECT], for example app or app:server.' % given)
    path = module_file(directory, module)
    if path is None:
        raise InvalidInput(
            'The entrypoint module "%s" is not in %s: there is no %s.py. Give the module that '
            "starts the app with -e/--entrypoint." % (module, directory, module.replace(".", "/"))
        )
    if app_mode in SCRIPT_MODES:
        return path.relative_to(directory).as_posix()
    if app_mode == "python-shiny" and is_shiny_express(path):
        return "%s:%s" % (SHINY_EXPRESS_MODULE, escape_to_var_name(path.relative_to(directory).as_posix()))
    return "%s:%s" % (module, obj)


def is_shiny_express(path: StrPath) -> bool:
    """A Shiny Express app: a `# shiny_mode: express` comment near the top, or a top-level import of
    shiny.express (`# shiny_mode: core` says it is not), as Shiny decides it."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    forced = re.search(r"^#[ \t]*shiny_mode:[ \t]*(\S*)[ \t]*$", source[:1000], re.MULTILINE)
    if forced and forced.group(1) in ("express", "core"):
        return forced.group(1) == "express"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.Import) and any(alias.name == "shiny.express" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (
            node.module == "shiny.express"
            or (node.module == "shiny" and any(alias.name == "express" for alias in node.names))
        ):
            return True
    return False


def escape_to_var_name(name: str) -> str:
    """A file name as a Python name, Shiny's way: letters and digits kept (a leading digit escaped),
    every other character as `_<hex>_` (`app.py` -> `app_2e_py`)."""
    out = []
    for i, char in enumerate(name):
        keep = char.isascii() and char.isalnum() and not (i == 0 and char.isdigit())
        out.append(char if keep else "_%x_" % ord(char))
    return "".join(out)


def unescape_var_name(name: str) -> str:
    return re.sub(r"_([0-9a-fA-F]+?)_", lambda m: chr(int(m.group(1), 16)), name)


def entrypoint_file(directory: StrPath, entrypoint: str | None) -> Path | None:
    """The file an entrypoint (`module:object` or `script.py`) starts, or None."""
    entrypoint = entrypoint or ""
    module, _, obj = entrypoint.partition(":")
    if module == SHINY_EXPRESS_MODULE and obj:  # the file is named in the object
        entrypoint = unescape_var_name(obj)
    if entrypoint.endswith(".py"):
        path = Path(directory) / entrypoint
        return path if path.is_file() else None
    return module_file(directory, entrypoint.partition(":")[0])


# ---------------------------------------------------------------------------------------------
# Excludes


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression for a glob relative to the directory, where `**` spans folders.

    `*` and `?` stay within one folder, `[...]` is a character class, `**/` is any number of
    folders (none included), and a trailing `/**` everything below. A pattern matches a path,
    or any folder above it (so `data` and `data/` exclude everything in data/).
    """
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.lstrip("/").rstrip("/")
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            j = i + 2
            while j < n and pattern[j] == "*":
                j += 1
            at_start = i == 0 or pattern[i - 1] == "/"
            if at_start and j < n and pattern[j] == "/":
                out.append("(?:.*/)?")  # **/ : zero or more folders
                i = j + 1
            elif at_start and j == n:
                out.append(".*")  # a trailing ** : everything below
                i = j
            else:
                out.append(".*")
                i = j
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : j]
                if body[:1] in "!^":
                    body = "^" + body[1:]
                out.append("[%s]" % body.replace("\\", "\\\\"))
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile(r"^%s\Z" % "".join(out), re.DOTALL)


class Excludes:
    """The user's `-x` globs plus the folders that never go into a bundle."""

    def __init__(
        self, directory: StrPath, patterns: Iterable[str] | None = (), config_dir: StrPath | None = None
    ) -> None:
        self.directory = Path(os.path.abspath(str(directory)))
        self.patterns = [p for p in (patterns or ()) if p and p.strip()]
        self.regexes = [glob_to_regex(p) for p in self.patterns]
        if config_dir is None:
            from .store import config_dir as _config_dir

            config_dir = _config_dir()
        self.config_dir = Path(os.path.abspath(str(config_dir)))

    def user_excluded(self, relpath: str) -> bool:
        """True when a `-x` glob matches the path or one of the folders above it."""
        parts = relpath.split("/")
        candidates = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
        return any(r.match(c) for r in self.regexes for c in candidates)

    def skip_dir(self, path: Path, relpath: str) -> bool:
        """Folders left out whole: by name, virtual environments, the config folder, `-x` globs."""
        name = path.name
        if name in EXCLUDED_DIR_NAMES or is_virtualenv(path):
            return True
        if path == self.config_dir:
            return True
        return self.user_excluded(relpath)

    def skip_file(self, relpath: str) -> bool:
        name = relpath.rsplit("/", 1)[-1]
        if name in EXCLUDED_FILE_NAMES and "/" not in relpath:
            return True
        if name == ".DS_Store":
            return True
        return self.user_excluded(relpath)


def is_virtualenv(path: StrPath) -> bool:
    """A virtual environment (venv, virtualenv, conda) however it is named."""
    path = Path(path)
    return (
        (path / "pyvenv.cfg").is_file()
        or (path / "conda-meta").is_dir()
        or (path / "bin" / "activate").is_file()
        or ((path / "bin" / "python").exists() and (path / "lib").is_dir())
        or (path / "Scripts" / "python.exe").exists()
    )


def list_files(directory: StrPath, excludes: Excludes | Iterable[str] = ()) -> list[str]:
    """Paths (relative, with `/`) of the files of `directory` that go into its bundle, sorted.

    Symbolic links to files are followed; links to folders are not walked (they could loop or
    leave the directory).
    """
    directory = Path(os.path.abspath(str(directory)))
    rules = excludes if isinstance(excludes, Excludes) else Excludes(directory, excludes)
    found: list[str] = []
    for root, dirs, names in os.walk(directory):
        root_path = Path(root)
        rel_root = root_path.relative_to(directory).as_posix()
        prefix = "" if rel_root == "." else rel_root + "/"
        keep = []
        for d in sorted(dirs):
            if not rules.skip_dir(root_path / d, prefix + d):
                keep.append(d)
        dirs[:] = keep
        for name in sorted(names):
            relpath = prefix + name
            if rules.skip_file(relpath):
                continue
            if (root_path / name).is_file():
                found.append(relpath)
    return sorted(found)


def secret_files(relpaths: Iterable[str]) -> list[str]:
    """The `.env` files among the bundle's files (they often hold secrets)."""
    return [p for p in relpaths if p.rsplit("/", 1)[-1] == SECRETS_FILE]
