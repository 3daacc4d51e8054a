"""Checks before upload: what would break the content on the server, found on this machine first.

- Modules the notebook imports that no listed requirement provides (the import names are mapped to
  distributions in the Python that runs the content: the kernel's, or --python).
- Files of the notebook's folder that the code reads (a string literal in a call, naming an existing
  file: `open("data.csv")`, `pd.read_csv("sales.csv")`) or imports (`import helpers` with a
  helpers.py beside it) that are not among the files to publish.
- A finished-document publish of a notebook with interactive widgets, which an HTML snapshot cannot
  run.

Each finding is a warning with what to do; with --strict they refuse the publish before any request.
Users of every other tool learn these from a failed render minutes later.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .exceptions import Fix, Hint, InvalidInput
from .options import CheckOptions

Kind = Literal["missing-package", "left-out-file", "widgets"]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    subject: str  # the module, the file
    message: str  # one sentence: what is wrong and how to fix it


class ChecksFailed(InvalidInput):
    """--strict and the checks found something: nothing was sent."""


# -- reading the code ------------------------------------------------------------------------
def code_cells(notebook: dict[str, Any]) -> list[str]:
    """The code cells' Python, IPython's magics and shell lines blanked (they are not Python)."""
    sources = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if text.lstrip().startswith("%%"):  # a cell magic: the whole cell is another language
            continue
        sources.append("\n".join("" if line.lstrip()[:1] in ("%", "!") else line for line in text.splitlines()))
    return sources


def _trees(sources: Iterable[str]) -> list[ast.Module]:
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:  # a cell that does not parse cannot be judged; the render will say
            continue
    return trees


def imported_modules(sources: Iterable[str]) -> set[str]:
    """Top-level names of the absolute imports: `import a.b` and `from a.b import c` give "a"."""
    names: set[str] = set()
    for tree in _trees(sources):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def called_with_strings(sources: Iterable[str]) -> set[str]:
    """String literals passed to a call (positionally or by keyword): the candidates for files read."""
    found = set()
    for tree in _trees(sources):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and 0 < len(arg.value) < 260:
                        found.add(arg.value)
    return found


# -- requirements and the target Python ------------------------------------------------------
def canonical(name: str) -> str:
    """PEP 503's normal form: `Foo_Bar.baz` and `foo-bar-baz` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: str) -> set[str]:
    """The distribution names a requirements.txt text lists (comments and options ignored)."""
    names = set()
    for line in requirements.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.add(canonical(match.group(0)))
    return names


# Run in the Python of the content: which of MODULES are the standard library, and which
# distributions provide the others (importlib.metadata, with top_level.txt for Python 3.9).
MODULES_PROGRAM = r"""
import json, sys
from importlib import metadata
modules = json.loads(sys.argv[1])
stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names) | {"__future__"}
if hasattr(metadata, "packages_distributions"):
    provides = metadata.packages_distributions()
else:
    provides = {}
    for dist in metadata.distributions():
        for top in (dist.read_text("top_level.txt") or "").split():
            provides.setdefault(top, []).append(dist.metadata["Name"])
if not stdlib:  # Python 3.9: what lives in the standard library's folder
    import importlib.util, sysconfig
    std = sysconfig.get_paths()["stdlib"]
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec and (spec.origin in ("built-in", "frozen") or (spec.origin or "").startswith(std)):
            if "site-packages" not in (spec.origin or ""):
                stdlib.add(name)
print(json.dumps({m: ("stdlib" if m in stdlib else provides.get(m, [])) for m in modules}))
"""


def providers(python: str, modules: Sequence[str]) -> dict[str, Any]:
    """{module: "stdlib" | [distribution names]} as the content's Python sees them."""
    out = subprocess.run(
        [python, "-I", "-c", MODULES_PROGRAM, json.dumps(sorted(modules))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        return {}  # the snapshot of this Python worked, so this does not happen; no check beats a wrong one
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def local_module(folder: Path, module: str) -> Path | None:
    """helpers.py or helpers/ in the notebook's folder: imported from there, not installed."""
    for candidate in (folder / (module + ".py"), folder / module):
        if candidate.is_file() or (candidate / "__init__.py").is_file():
            return candidate
    return None


# -- the checks ------------------------------------------------------------------------------
def missing_packages(
    modules: Iterable[str], requirements: str, python: str, source: str = "requirements.txt"
) -> list[Finding]:
    listed = requirement_names(requirements)
    ours = set(getattr(sys, "stdlib_module_names", ()))
    # A module named like a listed distribution needs no lookup (the common case: pandas, numpy).
    unknown = sorted(m for m in modules if canonical(m) not in listed and m not in ours)
    if not unknown:
        return []
    found = providers(python, unknown)
    findings = []
    for module in unknown:
        given = found.get(module)
        if given is None or given == "stdlib":
            continue
        if any(canonical(d) in listed for d in given):
            continue
        if given:
            name = given[0]
            message = "The notebook imports %s, which no package in %s provides: add %s to %s." % (
                module,
                source,
                name,
                source,
            )
        else:
            message = (
                "The notebook imports %s, which is not installed for %s, and no package in %s provides it: "
                "install it and add it to %s." % (module, python, source, source)
            )
        findings.append(Finding("missing-package", module, message))
    return findings


def left_out_files(folder: Path, sources: Sequence[str], bundled: set[str]) -> list[Finding]:
    """Files of the folder the code reads or imports, missing from the bundle (`bundled`: relative paths)."""
    findings = []
    base = folder.resolve()
    wanted: dict[str, str] = {}  # relative path -> how the code names it
    for literal in called_with_strings(sources):
        candidate = Path(literal)
        if candidate.is_absolute() or "\n" in literal:
            continue
        try:
            path = (base / candidate).resolve()
            relative = path.relative_to(base).as_posix()
        except (ValueError, OSError):
            continue
        if path.is_file():
            wanted[relative] = literal
    for module in imported_modules(sources):
        local = local_module(base, module)
        if local is not None and local.is_file():
            wanted[local.relative_to(base).as_posix()] = module
    for relative in sorted(wanted):
        if relative in bundled or any(relative.startswith(folder_ + "/") for folder_ in bundled):
            continue
        findings.append(
            Finding(
                "left-out-file",
                relative,
                "The notebook uses %s, which would not be published with it: add it to the files to publish."
                % relative,
            )
        )
    return findings


def has_widgets(notebook: dict[str, Any]) -> bool:
    return any(
        WIDGET_MIME in output.get("data", {})
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", []) or []
    )


def widget_finding(notebook: dict[str, Any]) -> list[Finding]:
    if not has_widgets(notebook):
        return []
    return [
        Finding(
            "widgets",
            "widgets",
            "The notebook shows interactive widgets, which a finished document cannot run: publish it "
            "as an interactive dashboard (Voila) to keep them working.",
        )
    ]


def read_notebook(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # check_notebook already refused a notebook that does not read
    return data


def source_findings(
    notebook_path: Path, requirements: str, python: str, bundled: Iterable[str], source: str = "requirements.txt"
) -> list[Finding]:
    """The checks for a publish with source: packages and files."""
    notebook = read_notebook(notebook_path)
    sources = code_cells(notebook)
    folder = notebook_path.parent
    modules = {m for m in imported_modules(sources) if local_module(folder, m) is None}
    bundled_set = {notebook_path.name, *bundled}
    return missing_packages(modules, requirements, python, source) + left_out_files(folder, sources, bundled_set)


def static_findings(notebook_path: Path) -> list[Finding]:
    """The checks for a finished document (an HTML snapshot): widgets."""
    return widget_finding(read_notebook(notebook_path))


def enforce(findings: Sequence[Finding], log: Any, options: CheckOptions) -> None:
    """Say each finding; with --strict, refuse (before any request) when there is one."""
    for finding in findings:
        log("Warning: " + finding.message)
    if findings and options.strict:
        count = "%d problem%s" % (len(findings), "" if len(findings) == 1 else "s")
        raise ChecksFailed("The checks before upload found %s" % count, hint=Hint(Fix.PUBLISH_ANYWAY))
