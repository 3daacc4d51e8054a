"""require.js and MathJax for rendered notebooks, served by this server at /__assets__/ so that no
published page needs the internet (nbconvert's pages load them from a CDN by default).

Every install has both: MathJax 2 from jupyter_server_mathjax (a dependency, the Jupyter team's
package of MathJax for Jupyter servers), require.js from the copy in vendor/requirejs/ (MIT; no
dependency ships it: only nbclassic and notebook 6, whole UIs that are extras here). Where nbclassic
or notebook 6 is installed too, their copies are used instead, as before. Found by their files,
without importing the packages.

Not served: ipywidgets' embed-amd.js (@jupyter-widgets/html-manager), which nbconvert's pages load
for saved widget state. No Python package we depend on ships it (it is an npm package only), so a
rendered notebook with widget state still loads it from a CDN.
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


VENDORED_REQUIREJS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor", "requirejs")


def _candidates(kind: str) -> list[str]:
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
    """The folder holding `require.js` (kind "requirejs") or `MathJax.js` (kind "mathjax"), or None."""
    entry = "require.js" if kind == "requirejs" else "MathJax.js"
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
    return urls
