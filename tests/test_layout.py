"""The house rules of the code's shape (docs/internals.md, "Tests and tooling"): no module of the
package is over 500 lines, and a core module's unit tests are found by its name."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "rsconnect_jupyter"
MAX_LINES = 500

# tests/core files named by what they check across several modules, not by one module.
ACROSS_MODULES = {
    "properties": "property-based tests (hypothesis) of names, manifests, bundles and requirements",
    "shiny_voila": "the Shiny and Voila content types: apps.py's Shiny entrypoints and bundle/voila.py",
}


def test_no_module_is_over_500_lines():
    lengths = {p.relative_to(REPO): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert len(lengths) > 50, "the package was not read"
    too_long = {str(path): n for path, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not too_long, "split these modules by job (at most %d lines each): %s" % (MAX_LINES, too_long)


def test_each_core_test_file_is_named_after_its_module():
    # tests/core/test_core_X.py holds the unit tests of rsconnect_jupyter/X.py (or of the package X/).
    names = sorted(p.stem[len("test_core_") :] for p in (REPO / "tests" / "core").glob("test_core_*.py"))
    assert len(names) > 10, names
    orphans = [
        name
        for name in names
        if name not in ACROSS_MODULES and not (PACKAGE / (name + ".py")).is_file() and not (PACKAGE / name).is_dir()
    ]
    assert not orphans, "tests/core/test_core_X.py must name a module X of rsconnect_jupyter/: %s" % orphans
