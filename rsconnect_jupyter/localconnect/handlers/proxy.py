"""/content/{guid}/...: a deployed item's files, or a proxy to its app's process (HTTP and WebSocket).

Every request is checked against the item's access type (access.py, pages.require_view) before a
file is read or an app started; requests reach an app without this server's session cookie or an
API key.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import urllib.parse
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Callable, cast

import tornado.httpclient
import tornado.httputil
import tornado.iostream
import tornado.web
import tornado.websocket

from .. import apps, bundles, errors
from .base import BaseHandler, send_file
from .pages import require_view

if TYPE_CHECKING:
    from ..apps import AppProcess
    from ..rows import BundleRow, ContentRow, UserRow

APP_BODY_LIMIT = 2**40  # streamed to the app, never held here
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-connection",
}
WS_HEADERS = {
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "sec-websocket-accept",
    "host",
    "origin",
    "content-length",
}
_client: tornado.httpclient.AsyncHTTPClient | None = None


def proxy_client() -> tornado.httpclient.AsyncHTTPClient:
    """One HTTP client for all proxied requests (created on the IOLoop's thread)."""
    global _client
    if _client is None:
        _client = tornado.httpclient.AsyncHTTPClient(
            force_instance=True, max_clients=200, defaults={"max_body_size": 2**40}
        )
    return _client


class BodyPipe:
    """The request body as it arrives, handed to the HTTP client's body_producer."""

    def __init__(self) -> None:
        self.chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.done = False

    def put(self, chunk: bytes) -> None:
        self.chunks.put_nowait(chunk)

    def end(self) -> None:
        self.chunks.put_nowait(None)

    async def produce(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        while True:
            chunk = await self.chunks.get()
            if chunk is None:
                return
            await write(chunk)


@tornado.web.stream_request_body
class ContentFilesHandler(tornado.websocket.WebSocketHandler, BaseHandler):
    """/content/{guid}/ and any path under it, for those the item's access type lets in: the live
    bundle's files, or, for APIs and apps, a proxy to the app's process: HTTP (any method; bodies
    streamed both ways) and WebSocket."""

    app: AppProcess | None = None
    upstream: tornado.websocket.WebSocketClientConnection | None = None
    content: ContentRow
    prefix: str  # "/content/GUID" or a vanity path ("/q4"): what the app's own paths follow
    rest: str
    _body: BodyPipe
    _fetch: asyncio.Future[None]
    _started: bool
    _status: tuple[int, str | None] | None
    _headers_in: tornado.httputil.HTTPHeaders
    _released: bool
    viewer: UserRow | None = None
    shiny_session: int | None = None  # a python-shiny app's session (its WebSocket), for shiny/usage

    def where(self) -> tuple[str, str, str]:
        """(the content's GUID, the part of the path that names it, the file path after it)."""
        guid = self.path_kwargs["guid"]
        uri = self.request.uri or ""
        return guid, uri[: len("/content/") + len(guid)], self.path_kwargs["path"]

    async def prepare(self) -> None:
        guid, self.prefix, self.rest = self.where()
        content = self.db.content(guid)
        if content is None or not content["bundle_id"]:
            raise tornado.web.HTTPError(404, "This content has nothing deployed yet.")
        self.content = content
        # A refusal (login redirect, 401, 403) ends the request before its body is read, so Tornado
        # closes the connection after it: say so, or a client reusing it (one following the redirect
        # to the sign-in page) gets a reset.
        self.set_header("Connection", "close")
        self.viewer = require_view(self, content)
        self.clear_header("Connection")
        self.state.visits.record(content, self.viewer, self.rest, self.request.query, self.request.headers)
        if content["app_mode"] in apps.APP_MODES:
            self.app = self.state.runner.apps.get(guid)
            if self.app is None:  # not started since the server started: start it now
                try:
                    self.app = await asyncio.get_running_loop().run_in_executor(
                        None, self.state.runner.start_live_app, guid
                    )
                except Exception:
                    raise tornado.web.HTTPError(502, "The app could not start; deploy it again to see why.") from None
                if self.app is None:
                    raise tornado.web.HTTPError(404, "This content has nothing deployed yet.")
            self.app.inflight += 1
            self.http1_connection().set_max_body_size(APP_BODY_LIMIT)
            if self.request.method != "GET" or not self.is_websocket():
                self._body = BodyPipe()
                self._fetch = asyncio.ensure_future(self.proxy_http())
        elif self.request.method not in ("GET", "HEAD"):
            raise tornado.web.HTTPError(405)

    def own_cookies(self) -> set[str]:
        """This server's cookies (session, sign-in form, known browser): an app neither reads nor sets them."""
        return {self.state.cookie_name, self.state.browser_cookie, self.state.known_cookie}

    def is_websocket(self) -> bool:
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    def data_received(self, chunk: bytes) -> None:
        if self.app is not None:
            self._body.put(chunk)

    def live_app(self) -> AppProcess:
        """The app this request goes to (only called once prepare() found or started it)."""
        assert self.app is not None
        return self.app

    def upstream_uri(self, scheme: str = "http") -> str:
        app = self.live_app()
        tail = (self.request.uri or "")[len(self.prefix) :] or "/"  # a vanity path's app gets its own path
        uri = tail if app.strip_prefix else "/content/%s%s" % (app.guid, tail)
        return "%s://127.0.0.1:%d%s" % (scheme, app.port, uri)

    def upstream_headers(self, drop: set[str]) -> tornado.httputil.HTTPHeaders:
        app = self.live_app()
        headers = tornado.httputil.HTTPHeaders()
        for name, value in self.request.headers.get_all():
            if name.lower() not in drop:
                headers.add(name, value)
        # The viewer's credentials for this server stay here: an app never sees a session or a key.
        if headers.get("Authorization", "")[:4].lower() == "key ":
            del headers["Authorization"]
        if "Cookie" in headers:
            kept = [c for c in headers.get_list("Cookie") for c in c.split(";") if c.strip()]
            ours = self.own_cookies()
            kept = [c.strip() for c in kept if c.strip().split("=", 1)[0] not in ours]
            del headers["Cookie"]
            if kept:
                headers["Cookie"] = "; ".join(kept)
        for token in self.request.headers.get("Connection", "").split(","):
            headers.pop(token.strip(), None)
        remote = self.request.remote_ip or ""
        headers["X-Forwarded-For"] = ", ".join(filter(None, [self.request.headers.get("X-Forwarded-For"), remote]))
        headers["X-Forwarded-Host"] = self.request.host
        headers["X-Forwarded-Proto"] = self.request.protocol
        headers["X-Forwarded-Prefix"] = "/content/%s" % app.guid
        headers["RStudio-Connect-App-Base-URL"] = "%s://%s/content/%s" % (
            self.request.protocol,
            self.request.host,
            app.guid,
        )
        if app.mode in apps.OWN_HOST_MODES:
            headers["Host"] = "127.0.0.1:%d" % app.port  # they check origins against their own address
            origin = self.request.headers.get("Origin", "")
            if origin.split("://", 1)[-1] == self.request.host:  # the app's own page: same origin for it too
                headers["Origin"] = "http://127.0.0.1:%d" % app.port
        return headers

    # -- HTTP ----------------------------------------------------------------------------------
    async def get(self, *args: str, **kwargs: str) -> None:
        if self.app is None:
            return await self.send_static()
        if self.is_websocket():
            return await self.open_websocket()
        self._body.end()
        await self._fetch

    async def head(self, *args: str, **kwargs: str) -> None:
        if self.app is None:
            return await self.send_static()
        self._body.end()
        await self._fetch

    async def post(self, *args: str, **kwargs: str) -> None:
        self._body.end()
        await self._fetch

    put = patch = delete = options = post

    async def proxy_http(self) -> None:
        self._started = False
        self._status = None

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                self._status = (int(parts[1]), parts[2].strip() if len(parts) > 2 else None)
                self._headers_in = tornado.httputil.HTTPHeaders()
            elif line.strip():
                self._headers_in.parse_line(line)
            elif self._status and self._status[0] != 100:
                self._start_response()

        def on_chunk(chunk: bytes) -> None:
            if self._finished or self.http1_connection().stream.closed():
                raise tornado.iostream.StreamClosedError()  # the client left: stop reading the app
            if not self._started:
                self._start_response()
            self.write(chunk)
            self.flush()

        method = self.request.method
        body_expected = (
            method in ("POST", "PUT", "PATCH")
            or "Content-Length" in self.request.headers
            or "Transfer-Encoding" in self.request.headers
        )
        # The producer is a coroutine function: the client awaits what it returns.
        produce = cast(Any, self._body.produce) if body_expected else None
        request = tornado.httpclient.HTTPRequest(
            self.upstream_uri(),
            method=method,
            headers=self.upstream_headers(HOP_BY_HOP | {"host"}),
            body_producer=produce,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            connect_timeout=20,
            request_timeout=3600,
            header_callback=on_header,
            streaming_callback=on_chunk,
        )
        if self.live_app().mode not in apps.OWN_HOST_MODES:
            request.headers["Host"] = self.request.host
        response = await proxy_client().fetch(request, raise_error=False)
        if self._finished or self.http1_connection().stream.closed():
            return
        if response.code == 599 and not self._started:
            self.set_status(502)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("The app did not answer: %s" % (response.error,))
            return
        if not self._started:
            self._start_response()
        self.finish()

    def _start_response(self) -> None:
        if self._started:
            return
        self._started = True
        code, reason = self._status or (502, None)
        self.clear()
        for name in ("Content-Type", "Server", "Date"):
            self.clear_header(name)
        self.set_status(code, reason)
        for name, value in self._headers_in.get_all():
            lower = name.lower()
            # An app's answer stays within the app: no service worker for the whole server (it
            # would see the dashboard and the sign-in form), and no setting of this server's
            # cookies (it would sign the viewer out, or in as someone else, or plant the sign-in
            # form's browser id).
            if lower in HOP_BY_HOP or lower == "service-worker-allowed":
                continue
            if lower == "set-cookie" and value.split("=", 1)[0].strip() in self.own_cookies():
                continue
            self.add_header(name, value)

    def on_finish(self) -> None:
        self._release()

    def on_connection_close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        super().on_connection_close()
        self._release()

    def _release(self) -> None:
        if self.app is not None and not getattr(self, "_released", False):
            self._released = True
            self.app.inflight -= 1

    # -- WebSocket -------------------------------------------------------------------------------
    def websocket_refusal(self) -> tuple[int, str] | None:
        """Why tornado would refuse this upgrade (a Connection without `upgrade`, or an Origin
        check_origin refuses), found before the app's WebSocket is opened: the app must never
        accept a connection that the client is then refused."""
        headers = self.request.headers
        if "upgrade" not in [v.strip().lower() for v in headers.get("Connection", "").split(",")]:
            return 400, '"Connection" must be "Upgrade".'
        origin = headers.get("Origin", headers.get("Sec-Websocket-Origin"))
        if origin is not None and not self.check_origin(origin):
            return 403, "Cross origin websockets not allowed"
        return None

    async def open_websocket(self) -> None:
        refused = self.websocket_refusal()  # who may see the content was checked in prepare()
        if refused is not None:
            self._release()
            self.set_status(refused[0])
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(refused[1])
            return
        protocols = [p.strip() for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        headers = self.upstream_headers(HOP_BY_HOP | WS_HEADERS)
        headers["Origin"] = "http://127.0.0.1:%d" % self.live_app().port
        request = tornado.httpclient.HTTPRequest(
            self.upstream_uri("ws"), headers=headers, connect_timeout=20, request_timeout=3600
        )
        try:
            self.upstream = await tornado.websocket.websocket_connect(
                request, subprotocols=protocols or None, max_message_size=2**30
            )
        except Exception as e:
            self._release()
            self.set_status(502)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("The app refused the WebSocket: %s" % e)
            return
        await tornado.websocket.WebSocketHandler.get(self)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        return self.upstream.selected_subprotocol if self.upstream is not None else None

    def check_origin(self, origin: str) -> bool:
        # Browsers send the session cookie with a WebSocket opened by a page of any port of this
        # host (the same site), WebSockets have no CORS, and the app sees its own address as the
        # Origin (open_websocket): so for content not open to all, only this server's own pages
        # (the app's) may open one, or another site's page would use the viewer's session.
        if self.content["access_type"] == "all":
            return True
        return urllib.parse.urlsplit(origin).netloc.lower() == (self.request.host or "").lower()

    def get_compression_options(self) -> dict[str, Any] | None:
        return None

    async def open(self, *args: str, **kwargs: str) -> None:
        if self.content["app_mode"] == "python-shiny":  # Shiny runs one session per WebSocket
            self.shiny_session = self.db.start_shiny_session(
                self.content["guid"], self.viewer["guid"] if self.viewer else None
            )
        asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        upstream = self.upstream
        while upstream is not None:
            msg = await upstream.read_message()
            if msg is None:
                self.close(upstream.close_code, upstream.close_reason)
                return
            try:
                await self.write_message(msg, binary=isinstance(msg, bytes))
            except tornado.websocket.WebSocketClosedError:
                upstream.close()
                return

    async def on_message(self, message: str | bytes) -> None:
        if self.upstream is not None:
            await self.upstream.write_message(message, binary=isinstance(message, bytes))

    def on_close(self) -> None:
        if self.shiny_session is not None:
            self.db.end_shiny_session(self.shiny_session)
            self.shiny_session = None
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        self._release()

    # -- static ----------------------------------------------------------------------------------
    async def send_static(self) -> None:
        content = self.content
        guid, path = content["guid"], self.rest
        bundle_id = cast(str, content["bundle_id"])  # prepare() answered 404 without one
        bundle = cast("BundleRow", self.db.bundle(guid, bundle_id))
        folder = self.state.layout.bundle_dir(guid, bundle_id)
        target = bundles.safe_join(folder, path or bundle["primary_file"] or "")
        if target and os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not target or not os.path.isfile(target):
            raise tornado.web.HTTPError(404, "No such file in this content.")
        ctype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self.set_header("Content-Type", ctype)
        if self.request.method == "HEAD":
            self.set_header("Content-Length", os.path.getsize(target))
            self.finish()
            return
        await send_file(self, target)

    def compute_etag(self) -> str | None:
        return None if self.app is not None else super().compute_etag()

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        if self.ws_connection is not None or getattr(self, "_started", False):  # mid-answer: cut it
            if self.request.connection and self.http1_connection().stream:
                self.http1_connection().stream.close()
            return
        tornado.web.RequestHandler.send_error(self, status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        # An error in prepare() leaves the body unread and Tornado closes the connection: say so.
        self.set_header("Connection", "close")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, errors.ConnectError):  # a wrong API key (pages.content_viewer): 401, not 500
            self.set_status(exc.status)
            self.finish(exc.message)
            return
        self.finish(getattr(exc, "log_message", None) or self._reason)


class ContentRedirectHandler(BaseHandler):
    def get(self, guid: str) -> None:
        self.redirect("/content/%s/" % guid, permanent=False)
