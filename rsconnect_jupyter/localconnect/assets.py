"""require.js, MathJax and ipywidgets' embed script for rendered notebooks, served by this server at
/__assets__/ so that no published page needs the internet (nbconvert's pages load them from a CDN by
default).

Every install has all three: MathJax 2 from jupyter_server_mathjax (a dependency, the Jupyter team's
package of MathJax for Jupyter servers), require.js from the copy in vendor/requirejs/ (MIT; no
dependency ships it: only nbclassic and notebook 6, whole UIs that are extras here), and
`embed-amd.js`, which renders a notebook's saved widget state, from vendor/widgets/: the build
(setup.py) copies it there from the npm package @jupyter-widgets/html-manager (BSD-3-Clause; no
Python package ships it), pinned by yarn.lock like the lab extension's packages. Where nbclassic or
notebook 6 is installed too, their require.js and MathJax are used instead, as before. Found by
their files, without importing the packages. A build without Node.js from a clone (no sdist) has no
widget script: its pages load it from the CDN, as nbconvert's do.
"""

from __future__ import annotations

import importlib.util
import os

PREFIX = "/__assets__/"
# MathJax 2's combined configuration that these packages ship (nbconvert's default names
# TeX-AMS_CHTML-full, which they do not); Safe keeps a notebook's math from running scripts.
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


VENDOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
VENDORED_REQUIREJS = os.path.join(VENDOR, "requirejs")
VENDORED_WIDGETS = os.path.join(VENDOR, "widgets")  # copied in by setup.py from node_modules
# The file each kind's folder must hold (its name in /__assets__/KIND/).
ENTRIES = {"requirejs": "require.js", "mathjax": "MathJax.js", "widgets": "embed-amd.js"}


def _candidates(kind: str) -> list[str]:
    if kind == "widgets":
        return [VENDORED_WIDGETS]
    found = []
    for package in ("nbclassic", "notebook"):
        base = _package_dir(package)
        if base:
            found.append(os.path.join(base, "static", "components", "requirejs" if kind == "requirejs" else "MathJax"))
    if kind == "mathjax":
        base = _package_dir("jupyter_server_mathjax")
        if base:
            found.append(os.path.join(base, "static"))
    else:
        found.append(VENDORED_REQUIREJS)
    return found


def folder(kind: str) -> str | None:
    """The folder holding `require.js` (kind "requirejs"), `MathJax.js` ("mathjax") or `embed-amd.js`
    ("widgets"), or None."""
    entry = ENTRIES.get(kind)
    if entry is None:
        return None
    for candidate in _candidates(kind):
        if os.path.isfile(os.path.join(candidate, entry)):
            return candidate
    return None


def exporter_urls() -> dict[str, str]:
    """nbconvert HTMLExporter settings that point at this server's copies (those it has)."""
    urls = {}
    if folder("requirejs"):
        urls["require_js_url"] = PREFIX + "requirejs/require.js"
    if folder("mathjax"):
        urls["mathjax_url"] = PREFIX + "mathjax/MathJax.js?config=" + MATHJAX_CONFIG
    if folder("widgets"):  # nbconvert then names no CDN for widgets (its jupyter_widgets.html.j2)
        urls["widget_renderer_url"] = PREFIX + "widgets/embed-amd.js"
    return urls
