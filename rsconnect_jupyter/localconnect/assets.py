"""require.js and MathJax for rendered notebooks, served by this server at /__assets__/ so that no
published page needs the internet (nbconvert's pages load them from a CDN by default).

They come from a Jupyter package installed beside this one: nbclassic (the `classic` and `test`
extras bring it) ships both under `static/components/`, as the classic Notebook 6 did;
jupyter_server_mathjax ships MathJax. Found by their files, without importing the packages.
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
