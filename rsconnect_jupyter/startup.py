"""What this package's own processes (the `rsconnect` command, the local server, its render
workers) do before they import anything heavy. Never done on import of the package: a user's
Jupyter server or kernel that imports it keeps its imports as they are."""

from __future__ import annotations

import sys

SLOW_UNUSED_MODULES = (
    # jsonschema's `iri` and `iri-reference` format checks. jsonschema (which nbformat imports)
    # imports it whenever it is installed, as jupyter_events' `format-nongpl` extra makes sure, and
    # it builds 35 Earley parsers on import: about a CPU-second per process, half of what a
    # `rsconnect deploy notebook --static` took. Neither nbformat's schemas nor Connect's use those
    # formats; jsonschema goes without them when the import fails.
    "rfc3987_syntax",
)


def skip_slow_unused_imports() -> None:
    """Make the imports in SLOW_UNUSED_MODULES fail (a None in sys.modules), unless already done."""
    for name in SLOW_UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "import fails"
