"""The dialogs' "Sign in with Connect" by the authorization code flow, answered at this Jupyter
server's own callback URL (under its base_url: /user/NAME/ behind JupyterHub), which the browser
reaches wherever it reaches Jupyter. The device flow's route is `servers/signin` (handlers.py).

The browser gets the authorization URL and a job to poll, nothing more: the PKCE verifier and the
state stay in this process (`SIGN_INS`, by state), the callback hands the code to the job, and the
job exchanges it and saves the server. No token is ever in an answer or a page.
"""

from __future__ import annotations

import asyncio
import html
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tornado import web

from .. import signin
from ..exceptions import InvalidField, InvalidInput
from . import actions
from .fields import Fields
from .handlers import JSONHandlerMixin, guarded
from .jobs import JOBS, REQUESTS

if TYPE_CHECKING:
    _Handler = web.RequestHandler  # Jupyter's page handler, mixed in at run time (__init__)
else:
    _Handler = object

CALLBACK_ROUTE = "oauth/callback"  # under {base_url}rsconnect_jupyter/
ANSWER_FIELDS = ("code", "state", "error", "error_description")
CALLBACK_WAIT = 120.0  # seconds the callback page waits for the exchange before it answers anyway


@dataclass
class Waiting:
    """A sign-in whose answer has not come back yet."""

    pending: signin.Pending
    started: signin.BrowserSignIn
    arrived: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    answer: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class SignIns:
    """The authorization requests under way in this Jupyter server, by their state."""

    def __init__(self) -> None:
        self._by_state: dict[str, Waiting] = {}
        self._lock = threading.Lock()

    def add(self, waiting: Waiting) -> None:
        with self._lock:
            self._by_state[waiting.started.state] = waiting

    def take(self, state: str) -> Waiting | None:
        """The sign-in this answer belongs to, once: a second answer with the same state finds none."""
        with self._lock:
            return self._by_state.pop(state, None) if state else None


SIGN_INS = SignIns()


def server_fields(f: Fields) -> tuple[str, str, bool, str | None]:
    """The dialog's url, name and TLS choice, as the add-server and device routes read them."""
    url = f.string("url")
    tls = f.string("tls", required=False, default="system", choices={"system", "ca_bundle", "insecure"})
    ca_cert = f.string("ca_cert", required=False, default="", max_length=256 * 1024) if tls == "ca_bundle" else ""
    if tls == "ca_bundle" and not ca_cert:
        raise InvalidField("Give the CA certificate (its path on the Jupyter server, or its PEM text).")
    return url, f.string("name", required=False, default="") or "", tls == "insecure", ca_cert or None


def wait_for_answer(waiting: Waiting) -> dict[str, Any]:
    """The job's work: wait for the callback, then exchange the code and save the server."""
    try:
        if not waiting.arrived.wait(signin.BROWSER_WAIT):
            SIGN_INS.take(waiting.started.state)
            raise InvalidInput("Nobody signed in within %d minutes: sign in again." % (signin.BROWSER_WAIT // 60))
        return actions.finish_browser_sign_in(waiting.pending, waiting.started, waiting.answer)
    except BaseException as exc:
        waiting.error = actions.describe_error(exc)
        raise
    finally:
        waiting.done.set()


class SignInMethodsHandler(JSONHandlerMixin):
    """Which sign-ins the server offers (`{"browser": bool, "device": bool}`), for the dialog's buttons."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        url, _, insecure, ca_cert = server_fields(self.fields("url", "name", "tls", "ca_cert"))
        await self.respond(actions.sign_in_methods, url, insecure=insecure, ca_cert=ca_cert)


class BrowserSignInHandler(JSONHandlerMixin):
    """Start the authorization code flow: answers the URL for the dialog to open and the job it polls."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        url, name, insecure, ca_cert = server_fields(self.fields("url", "name", "tls", "ca_cert"))
        # This server's address as the browser sees it, under its base_url (/user/NAME/ in a hub).
        parts = (self.settings.get("base_url", "/"), "rsconnect_jupyter", CALLBACK_ROUTE)
        path = "/" + "/".join(p.strip("/") for p in parts if p.strip("/"))
        callback = "%s://%s%s" % (self.request.protocol, self.request.host, path)
        pending, started = await self.run(
            actions.start_browser_sign_in, name, url, callback, insecure=insecure, ca_cert=ca_cert
        )
        waiting = Waiting(pending, started)
        SIGN_INS.add(waiting)
        job = JOBS.start(lambda log_line: wait_for_answer(waiting), actions.describe_error)
        self.answer({"job_id": job.id, "authorize_url": started.url}, status=202)


class CallbackHandler(_Handler):
    """The redirect URI: Connect sends the person's browser here with the code (or an error). The
    page says whether the sign-in worked; the dialog hears it from its job."""

    @web.authenticated
    async def get(self) -> None:
        answer = {k: v for k in ANSWER_FIELDS if (v := self.get_query_argument(k, "") or "")}
        waiting = SIGN_INS.take(answer.get("state", ""))
        if waiting is None:
            self.page(
                400,
                "Not signed in",
                "This sign-in is not under way here (it finished or expired): start it again from the dialog.",
            )
            return
        waiting.answer = answer
        waiting.arrived.set()
        await asyncio.get_running_loop().run_in_executor(REQUESTS, waiting.done.wait, CALLBACK_WAIT)
        if waiting.error:
            self.page(400, "Not signed in", waiting.error)
        elif waiting.done.is_set():
            self.page(200, "Signed in", "Signed in to %s. You may close this tab." % waiting.pending.name)
        else:
            self.page(202, "Signing in", "The Jupyter server is still saving the sign-in: see the dialog.")

    def page(self, status: int, title: str, sentence: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")  # the address holds the (used) code
        self.finish(
            "<!doctype html><meta charset=utf-8><title>%s</title><h1>%s</h1><p id=rsc-signin-result>%s</p>"
            % (html.escape(title), html.escape(title), html.escape(sentence))
        )


SIGNIN_ROUTES: list[tuple[str, type[JSONHandlerMixin]]] = [
    ("servers/signin/methods", SignInMethodsHandler),
    ("servers/signin/browser", BrowserSignInHandler),
]
PAGE_ROUTES: list[tuple[str, type]] = [(CALLBACK_ROUTE, CallbackHandler)]
