"""Run a content's WSGI, ASGI, Dash or Gradio app on 127.0.0.1:PORT.

This file runs with the content environment's Python (which does not have rsconnect_jupyter), so it
uses the standard library plus the server package the runner installed there: waitress for WSGI
and Dash, uvicorn for ASGI (Shiny too); Gradio serves itself. The working folder is the bundle's.
An import error prints its traceback and exits non-zero, which the runner shows in the deploy
task's log.

    python apphost.py wsgi|asgi|dash MODULE[:OBJECT] PORT PREFIX
    python apphost.py gradio SCRIPT.py|MODULE[:OBJECT] PORT PREFIX
"""

# No `from __future__ import annotations`: this file runs with the content's Python, whichever
# version that is, so its annotations are plain names that every Python 3 evaluates.
import importlib
import os
import runpy
import sys
from typing import Any


def load(entrypoint: str) -> Any:
    module, _, obj = entrypoint.partition(":")
    sys.path.insert(0, os.getcwd())
    target: Any = importlib.import_module(module)
    for part in (obj or "app").split("."):
        target = getattr(target, part)
    return target


def gradio(entrypoint: str, port: str, prefix: str) -> None:
    """Run the script as __main__, as `python app.py` would: its launch() reads where to serve from
    GRADIO_SERVER_NAME, GRADIO_SERVER_PORT and GRADIO_ROOT_PATH. A script that only defines the app
    gets it launched here: OBJECT, else `demo` or `app`."""
    os.environ.update(
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=port,
        GRADIO_ROOT_PATH=prefix.rstrip("/"),
        GRADIO_ANALYTICS_ENABLED="False",
    )
    module, _, obj = entrypoint.partition(":")
    script = module if module.endswith(".py") else module.replace(".", "/") + ".py"
    print("Running %s (gradio) on 127.0.0.1:%s under %s" % (script, port, prefix), flush=True)
    sys.path.insert(0, os.getcwd())
    sys.argv = [script]
    namespace = runpy.run_path(script, run_name="__main__")
    for name in [obj] if obj else ["demo", "app"]:
        if hasattr(namespace.get(name), "launch"):
            namespace[name].launch()
            return
    sys.exit("%s neither launched a Gradio app nor defines %s." % (script, obj or "demo or app"))


def main(kind: str, entrypoint: str, port: str, prefix: str) -> None:
    if kind == "gradio":
        gradio(entrypoint, port, prefix)
        return
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
