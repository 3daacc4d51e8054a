"""A tiny HTTP server on 127.0.0.1 that answers with the recorded Connect responses of
tests/fixtures/connect-api/ (responses of a real Connect) (real HTTP, so the client's
parsing and error mapping are tested end to end). The route table is the contract's; the API key
picks the user fixture."""

import http.server
import json
import re
import ssl
import threading
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "connect-api"
SDK_GUID = "f2f37341-e21d-3d80-c698-a935ad614066"
PUB_GUID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

USERS = {
    "good": "publisher/user.json",
    "viewer": "publisher/user-viewer.json",
    "locked": "publisher/user-locked.json",
    "unconfirmed": "publisher/user-unconfirmed.json",
    "sdk": "posit-sdk-py/v1_user.json",
}

ROUTES = [
    ("GET", r"server_settings", "publisher/server-settings.json"),
    ("GET", r"v1/server_settings/python", "publisher/server-settings-python.json"),
    ("GET", r"v1/server_settings/r", "publisher/server-settings-r.json"),
    ("GET", r"v1/server_settings/quarto", "publisher/server-settings-quarto.json"),
    ("GET", r"v1/server_settings/nodejs", "publisher/server-settings-nodejs.json"),
    ("GET", r"server_settings/applications", "publisher/server-settings-applications.json"),
    ("GET", r"v1/content", "posit-sdk-py/v1_content.json"),
    ("POST", r"v1/content", "publisher/content-create.json"),
    ("GET", r"v1/content/%s" % SDK_GUID, "posit-sdk-py/v1_content_%s.json" % SDK_GUID),
    ("GET", r"v1/content/%s/bundles" % SDK_GUID, "posit-sdk-py/v1_content_%s_bundles.json" % SDK_GUID),
    ("GET", r"v1/content/%s/bundles/101" % SDK_GUID, "posit-sdk-py/v1_content_%s_bundles_101.json" % SDK_GUID),
    ("GET", r"v1/content/%s/repository" % SDK_GUID, "posit-sdk-py/v1_content_%s_repository.json" % SDK_GUID),
    ("PUT", r"v1/content/%s/repository" % SDK_GUID, "posit-sdk-py/v1_content_%s_repository.json" % SDK_GUID),
    ("PATCH", r"v1/content/%s/repository" % SDK_GUID, "posit-sdk-py/v1_content_%s_repository.json" % SDK_GUID),
    ("GET", r"v1/content/%s" % PUB_GUID, "publisher/content-details.json"),
    ("PATCH", r"v1/content/%s" % PUB_GUID, "publisher/content-details.json"),
    ("POST", r"v1/content/[^/]+/bundles", "publisher/bundle-upload.json"),
    ("POST", r"v1/content/[^/]+/deploy", "publisher/deploy.json"),
    ("GET", r"v1/tasks/task-abc123-def456", "publisher/task-finished.json"),
    ("GET", r"v1/tasks/task-failed", "publisher/task-failed.json"),
    ("GET", r"v1/tasks/jXhOhdm5OOSkGhJw", "posit-sdk-py/v1_tasks_jXhOhdm5OOSkGhJw.json"),
    ("GET", r"v1/content/[^/]+/environment", "publisher/environment.json"),
    ("PATCH", r"v1/content/[^/]+/environment", "publisher/environment.json"),
    ("GET", r"boom", "publisher/error-500.json"),
]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status, body, ctype="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        server = self.server
        body = self._body()
        # A proxy receives absolute URLs: keep only the path.
        path = re.sub(r"^[a-z]+://[^/]+", "", self.path)
        server.requests.append({"method": self.command, "path": path, "headers": dict(self.headers), "body": body})
        route, _, _query = path.partition("?")
        prefix = server.prefix + "__api__/"
        if server.html or not route.startswith(prefix):
            return self._send(
                200 if server.html else 404, b"<!DOCTYPE html><html><body>Welcome</body></html>", "text/html"
            )
        api_path = route[len(prefix) :]
        key = (self.headers.get("Authorization") or "").replace("Key ", "", 1)
        if api_path == "v1/user":
            if key not in USERS:
                return self._send(401, {"code": 30, "error": "The requested API key is invalid.", "payload": None})
            return self._send(200, json.loads((FIXTURES / USERS[key]).read_text()))
        if api_path == "v1/tasks/task-running":  # never finishes (not a recorded fixture)
            return self._send(
                200,
                {
                    "id": "task-running",
                    "output": ["still working"],
                    "finished": False,
                    "code": 0,
                    "error": "",
                    "last": 1,
                    "result": None,
                },
            )
        if api_path.startswith("v1/content/") and api_path.endswith("/forbidden"):
            return self._send(
                403, {"code": 22, "error": "You do not have permission to perform this operation.", "payload": None}
            )
        for method, pattern, fixture in ROUTES:
            if method == self.command and re.fullmatch(pattern, api_path):
                status = 500 if api_path == "boom" else 202 if api_path.endswith("/deploy") else 200
                headers = [("Set-Cookie", "sticky=node-7; Path=/")] if api_path.endswith("/deploy") else []
                return self._send(status, json.loads((FIXTURES / fixture).read_text()), headers=headers)
        if self.command == "DELETE" and api_path.startswith("v1/content/"):
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send(404, {"code": 4, "error": "The requested object does not exist.", "payload": None})

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any


class FixtureServer:
    def __init__(self, prefix="/", html=False, certfile=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.prefix = prefix
        self.httpd.html = html
        self.httpd.requests = []
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d%s" % (scheme, self.httpd.server_address[1], prefix)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
