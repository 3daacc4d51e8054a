"""The Jupyter server extension behind the nbextension: registers the handlers.

`load_handlers(app)` is called by both entry points in the package's __init__: with notebook 6's
NotebookApp, or with jupyter_server 2's ServerApp (nbclassic, Notebook 7). The handler base class
comes from the app that loads us, not from what imports: a notebook 6 environment has
jupyter_server installed too, and mixing the two breaks auth.
"""

from __future__ import annotations

from typing import Any


def _is_jupyter_server(app: Any) -> bool:
    return any(cls.__module__.startswith("jupyter_server.") for cls in type(app).__mro__)


def api_handler_base(app: Any) -> type:
    if _is_jupyter_server(app):
        from jupyter_server.base.handlers import APIHandler

        return APIHandler
    from notebook.base.handlers import APIHandler as NotebookAPIHandler

    return NotebookAPIHandler


def page_handler_base(app: Any) -> type:
    """The base of a handler that answers a page (the sign-in callback), from the same app."""
    if _is_jupyter_server(app):
        from jupyter_server.base.handlers import JupyterHandler

        return JupyterHandler
    from notebook.base.handlers import IPythonHandler

    return IPythonHandler


def url_path_join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/")).join(("/", ""))


def load_handlers(app: Any) -> None:
    from .download_handler import DOWNLOAD_ROUTES
    from .handlers import ROUTES
    from .rules_handler import RULES_ROUTES
    from .schedule_handlers import SCHEDULE_ROUTES
    from .signin_handlers import PAGE_ROUTES, SIGNIN_ROUTES

    base = api_handler_base(app)
    web_app = app.web_app
    base_url = web_app.settings.get("base_url", "/")
    rules = []
    for route, mixin in ROUTES + RULES_ROUTES + SCHEDULE_ROUTES + DOWNLOAD_ROUTES + SIGNIN_ROUTES:
        handler = type(mixin.__name__, (mixin, base), {})
        rules.append((url_path_join(base_url, "rsconnect_jupyter", route), handler))
    for route, page in PAGE_ROUTES:
        handler = type(page.__name__, (page, page_handler_base(app)), {})
        rules.append((url_path_join(base_url, "rsconnect_jupyter", route), handler))
    web_app.add_handlers(".*$", rules)
    app.log.info("rsconnect_jupyter: publishing handlers at %s", url_path_join(base_url, "rsconnect_jupyter"))
    say_where_secrets_go(app.log)


def say_where_secrets_go(log: Any) -> None:
    """One line in the server's log on where the dialogs' saved keys and tokens go, as `rsconnect
    add` and `login` say it: asked in a thread, since a desktop keyring takes a while to answer."""
    import threading

    from .. import credentials

    def say() -> None:
        if credentials.available():
            log.info("rsconnect_jupyter: saved servers' keys and tokens go to the system keyring")
        else:
            log.info(
                "rsconnect_jupyter: no usable system keyring here: saved servers' keys and tokens"
                " are kept in servers.json (mode 0600)"
            )

    threading.Thread(target=say, name="rsconnect-keyring-probe", daemon=True).start()
