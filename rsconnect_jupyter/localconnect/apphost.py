"""Run a content's WSGI, ASGI or Dash app on 127.0.0.1:PORT.

This file runs with the content environment's Python (which does not have rsconnect_jupyter), so it
uses the standard library plus the server package the runner installed there: waitress for WSGI
and Dash, uvicorn for ASGI. The working folder is the bundle's. An import error prints its
traceback and exits non-zero, which the runner shows in the deploy task's log.

    python apphost.py wsgi|asgi|dash MODULE[:OBJECT] PORT PREFIX
"""

# No `from __future__ import annotations`: this file runs with the content's Python, whichever
# version that is, so its annotations are plain names that every Python 3 evaluates.
import importlib
import os
import sys
from typing import Any


def load(entrypoint: str) -> Any:
    module, _, obj = entrypoint.partition(":")
    sys.path.insert(0, os.getcwd())
    target: Any = importlib.import_module(module)
    for part in (obj or "app").split("."):
        target = getattr(target, part)
    return target


def main(kind: str, entrypoint: str, port: str, prefix: str) -> None:
    number = int(port)  # the port, given as text on the command line
    app = load(entrypoint)
    print("Serving %s (%s) on 127.0.0.1:%d under %s" % (entrypoint, kind, number, prefix), flush=True)
    if kind == "asgi":
        import uvicorn

        # The proxy strips the prefix; root_path tells the app where it is mounted.
        uvicorn.run(
            app, host="127.0.0.1", port=number, root_path=prefix.rstrip("/"), log_level="info", proxy_headers=False
        )
        return
    import waitress

    if kind == "dash":
        # Dash routes include the prefix (DASH_ROUTES_PATHNAME_PREFIX), so paths arrive whole.
        waitress.serve(getattr(app, "server", app), host="127.0.0.1", port=number, threads=8)
    else:
        # waitress moves the prefix from PATH_INFO to SCRIPT_NAME, so generated URLs are right.
        waitress.serve(app, host="127.0.0.1", port=number, url_prefix=prefix, threads=8)


if __name__ == "__main__":
    main(*sys.argv[1:5])
