"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the real local server.

It forwards every request to the local server unless a rule matches the request's method and
path; a matching rule answers instead (for its next `times` requests, or for ever):

    answer     a status and body of its own (502/503/504 pages, a 200 HTML login page, JSON), with
               any extra headers (a Retry-After)
    redirect   a 302 to another address (a single sign-on's /login)
    drop       read the request, then reset the connection without an answer
    reset      a server dying mid-upload: read `after_bytes` of the request body (never all of
               it), hand the request's head and those bytes on to the local server, call
               `while_cut()` (the server now holds half an upload: a test looks at it), then reset
               both connections
    stall      read `after_bytes` of the body (or the whole request), then hold it for `delay`
               seconds before forwarding (time for a test to press Ctrl-C)
    slow       a slow network: read the body at `rate` bytes a second, then forward it (time for a
               test to watch an upload's progress on its way)

Everything runs over real sockets; `seen` lists each request with what the proxy did and when
(`at`, time.monotonic), and `wait_for` lets a test act at the moment a request arrives.
`partial_uploads` and `wait_for_partial_upload` look at the local server's uploads in progress.
"""

import http.client
import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
}

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method='post' "
    b"action='/login'><input name='user'><input type='password' name='password'>"
    b"<button>Sign in</button></form></body></html>"
)


@dataclass
class Rule:
    action: str
    path: str  # a regular expression searched in the request's path and query
    method: str = None  # None: any method
    times: int = None  # None: every matching request
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str = None
    after_bytes: int = None
    delay: float = 0
    rate: int = None  # slow: bytes of the body read per second
    headers: dict = None  # extra headers of an answer (a callable value is called at answer time)
    while_cut: object = None  # reset: called while the server holds the partial request; kept in Seen.cut
    hits: int = field(default=0)

    def matches(self, method, path):
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.method is None or self.method == method) and re.search(self.path, path) is not None


@dataclass
class Seen:
    method: str
    path: str
    action: str  # "forward", or the rule's action
    status: int = None  # what the client got, if it got an answer
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    sent: int = None  # reset: the body bytes the server got (never all of them)
    cut: object = None  # reset: what the rule's while_cut() returned


class FaultProxy:
    def __init__(self, upstream_url):
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.rules = []
        self.seen = []
        self.framing = []  # (method, path, "chunked" or "length") of every request, as it arrived
        self._changed = threading.Condition()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- rules --------------------------------------------------------------------------------

    def add(self, action, path, **kw):
        rule = Rule(action, path, **kw)
        with self._changed:
            self.rules.append(rule)
        return rule

    def answer(self, path, status, body=b"", content_type="text/html; charset=utf-8", retry_after=None, **kw):
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body).encode(), "application/json"
        if retry_after is not None:
            value = retry_after if callable(retry_after) else str(retry_after)
            kw["headers"] = dict(kw.get("headers") or {}, **{"Retry-After": value})
        return self.add("answer", path, status=status, body=body, content_type=content_type, **kw)

    def too_many_requests(self, path, retry_after=None, **kw):
        """Connect (or a rate limiter) telling the client to slow down."""
        return self.answer(path, 429, {"code": 0, "error": "Too many requests."}, retry_after=retry_after, **kw)

    def gateway_error(self, path, status=503, **kw):
        """What nginx says when the server behind it is gone or restarting."""
        page = (
            "<html><head><title>%d</title></head><body><center><h1>%d</h1></center><hr><center>nginx"
            "</center></body></html>" % (status, status)
        ).encode()
        return self.answer(path, status, page, **kw)

    def login_page(self, path, **kw):
        return self.answer(path, 200, LOGIN_PAGE, **kw)

    def redirect_to_login(self, path, **kw):
        return self.add("redirect", path, status=302, location=self.url + "login?next=%2F", **kw)

    def clear(self):
        """No more faults: forward everything."""
        with self._changed:
            self.rules = []

    def forget_seen(self):
        with self._changed:
            self.seen = []
            self.framing = []

    def _take(self, method, path):
        with self._changed:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    return rule
        if path.startswith("/login"):  # where redirect_to_login sends clients: the login page
            return Rule("answer", "", status=200, body=LOGIN_PAGE)
        return None

    # -- what happened -----------------------------------------------------------------------

    def _note(self, seen):
        with self._changed:
            self.seen.append(seen)
            self._changed.notify_all()

    def requests(self, method=None, path=""):
        return [s for s in list(self.seen) if (method is None or s.method == method) and re.search(path, s.path)]

    def wait_for(self, method, path, action=None, timeout=120):
        """Block until a matching request has arrived (and been acted on up to its stall)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for s in self.seen:
                    if s.method == method and re.search(path, s.path) and action in (None, s.action):
                        return s
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "no %s %s reached the proxy in %s s; it saw %s"
                        % (method, path, timeout, [(s.method, s.path) for s in self.seen])
                    )
                self._changed.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner = None  # the FaultProxy

    def log_message(self, *args):  # quiet: `seen` is the log
        pass

    def _handle(self):
        try:
            self._act()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout, Ctrl-C): as intended
            self.close_connection = True

    def _act(self):
        proxy = self.owner
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        proxy.framing.append((self.command, self.path, "chunked" if chunked else "length"))
        rule = proxy._take(self.command, self.path)
        if rule is None:
            return self._forward(self._read_body())
        if rule.action == "reset":
            part, complete = self._read_part(rule.after_bytes)
            if complete:  # a short body: the server still gets only part of it
                part = part[: len(part) // 2]
            seen = Seen(self.command, self.path, "reset", sent=len(part))
            upstream = self._send_part(part)
            try:
                seen.cut = rule.while_cut() if rule.while_cut else None
            finally:
                _reset_socket(upstream)
                proxy._note(seen)
                self._reset()
            return None
        if rule.action == "drop":
            self._read_body()
            proxy._note(Seen(self.command, self.path, "drop"))
            return self._reset()
        if rule.action == "stall":
            body = self._read_body(limit=rule.after_bytes)
            proxy._note(Seen(self.command, self.path, "stall"))
            time.sleep(rule.delay)
            if rule.after_bytes is not None:
                return self._reset()  # the rest of the body was never read: nothing to forward
            return self._forward(body)
        if rule.action == "slow":
            proxy._note(Seen(self.command, self.path, "slow"))
            return self._forward(self._read_body(rate=rule.rate))
        self._read_body()
        if rule.action == "redirect":
            proxy._note(Seen(self.command, self.path, "redirect", rule.status))
            return self._reply(rule.status, b"", "text/html", {"Location": rule.location})
        proxy._note(Seen(self.command, self.path, rule.action, rule.status))
        headers = {k: v() if callable(v) else v for k, v in (rule.headers or {}).items()}
        return self._reply(rule.status, rule.body, rule.content_type, headers)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def _read_body(self, limit=None, rate=None):
        """The request body (Content-Length or chunked), or only its first `limit` bytes; with a
        `rate`, read no faster than that many bytes a second."""
        length = self.headers.get("Content-Length")
        if length is not None:
            n = int(length) if limit is None else min(int(length), limit)
            return self._read(n, rate)
        if "chunked" not in (self.headers.get("Transfer-Encoding") or "").lower():
            return b""
        body = b""
        while limit is None or len(body) < limit:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                break
            body += self._read(size, rate)
            self.rfile.readline()
        return body if limit is None else body[:limit]

    def _read(self, n, rate=None):
        if rate is None:
            return self.rfile.read(n)
        piece, data = max(1, rate // 20), b""
        while len(data) < n:
            got = self.rfile.read(min(piece, n - len(data)))
            data += got
            time.sleep(len(got) / rate)
        return data

    def _read_part(self, limit):
        """Up to `limit` bytes of the body (at least 1), and whether that is all of it."""
        length = self.headers.get("Content-Length")
        if length is not None:
            data = self.rfile.read(min(int(length), limit))
            return data, len(data) == int(length)
        if "chunked" not in (self.headers.get("Transfer-Encoding") or "").lower():
            return b"", True
        data = b""
        while len(data) < limit:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return data, True
            data += self.rfile.read(size)
            self.rfile.readline()
        return data[:limit], False

    def _send_part(self, part):
        """Send the request's head and `part` of its body on to the server, as it was framed; the
        server now waits for the rest. The open socket to the server."""
        proxy = self.owner
        chunked = self.headers.get("Content-Length") is None
        lines = ["%s %s HTTP/1.1" % (self.command, self.path)]
        lines += ["%s: %s" % (k, v) for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")]
        lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = (b"%x\r\n%s\r\n" % (len(part), part)) if chunked and part else part
        upstream = socket.create_connection(proxy.upstream, timeout=60)
        upstream.sendall(head + body)
        return upstream

    def _reset(self):
        """Close with a TCP reset, as a server process that dies does (no answer, no clean close)."""
        self.close_connection = True
        try:
            self.rfile.close()  # the last reference besides the socket: close() below really closes it
        except OSError:
            pass
        _reset_socket(self.connection)

    def _reply(self, status, body, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in dict(headers).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _forward(self, body):
        proxy = self.owner
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        headers["Host"] = self.headers.get("Host") or "%s:%d" % proxy.upstream  # as proxies do: URLs name the proxy
        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=300)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            kept = [
                (k, v.replace("http://%s:%d/" % proxy.upstream, proxy.url))
                for k, v in answer.getheaders()
                if k.lower() not in HOP_HEADERS | {"server", "date"}
            ]
        except OSError:
            proxy._note(Seen(self.command, self.path, "upstream failed"))
            return self._reset()
        finally:
            upstream.close()
        proxy._note(Seen(self.command, self.path, "forward", answer.status))
        self.send_response(answer.status)
        for name, value in kept:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.close_connection = True


def _reset_socket(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


# -- the local server's uploads in progress ------------------------------------------------------


def partial_uploads(data_dir):
    """{path: bytes written} of the uploads the local server holds in progress (DATA/content/GUID/uploads)."""
    found = {}
    for path in Path(data_dir).glob("content/*/uploads/*"):
        try:
            found[str(path)] = path.stat().st_size
        except FileNotFoundError:  # finished or discarded meanwhile
            pass
    return found


def wait_for_partial_upload(data_dir, timeout=30):
    """A `while_cut`: wait until the server holds the upload in progress (it opened the file it
    streams the body into; the first bytes may still sit in its write buffer); what it holds then."""
    deadline = time.monotonic() + timeout
    while True:
        found = partial_uploads(data_dir)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def wait_for_no_partial_upload(data_dir, timeout=30):
    """What the server still holds in progress once it dropped the broken upload (or gave up waiting)."""
    deadline = time.monotonic() + timeout
    while partial_uploads(data_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    return partial_uploads(data_dir)


# What the mid-upload tests (test_client_faults.py, test_extension_faults.py) share.
UPLOAD = r"/__api__/v1/content/[^/?]+/bundles$"


def cut_mid_upload(proxy, local_server):
    """The connection breaks once part of the bundle reached the server (it holds half an upload)."""
    return proxy.add(
        "reset",
        UPLOAD,
        method="POST",
        after_bytes=4096,
        times=1,
        while_cut=lambda: wait_for_partial_upload(local_server.data_dir),
    )


def assert_the_server_dropped_the_half_upload(proxy, local_server):
    """The server did get part of the bundle, and kept none of it."""
    (cut,) = proxy.requests("POST", UPLOAD)
    assert cut.action == "reset" and cut.sent > 0
    assert cut.cut, "the server never started the upload it was sent %d bytes of" % cut.sent
    assert wait_for_no_partial_upload(local_server.data_dir) == {}
