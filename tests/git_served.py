"""A git repository served over HTTP on 127.0.0.1, for the git-backed content tests.

`GitHost` runs a small HTTP server whose every request goes to `git http-backend` (git's own smart
HTTP server, a CGI program), or, with `dumb=True`, serves the repository's files as they are (git's
dumb HTTP: `git update-server-info` after each commit). `Repo` is a working copy whose commits are
pushed there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tess Ter",
    "GIT_AUTHOR_EMAIL": "tess@example.org",
    "GIT_COMMITTER_NAME": "Tess Ter",
    "GIT_COMMITTER_EMAIL": "tess@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(*args, cwd=None):
    env = dict(os.environ, **GIT_ENV)
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout.strip()


def _backend_handler(root: Path):
    class Backend(BaseHTTPRequestHandler):
        """Every request to `git http-backend`, as a CGI server would run it."""

        def do_GET(self):
            self.run_backend()

        def do_POST(self):
            self.run_backend()

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return body
                    body += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def run_backend(self):
            path, _, query = self.path.partition("?")
            body = self.read_body() if self.command == "POST" else b""
            env = {
                "PATH": os.environ["PATH"],
                "GIT_PROJECT_ROOT": str(root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": self.client_address[0],
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            }
            done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
            head, _, payload = done.stdout.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Backend


def _static_handler(root: Path):
    class Static(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    return Static


class GitHost:
    """Bare repositories under `root`, served at http://127.0.0.1:PORT/NAME.git."""

    def __init__(self, root: Path, dumb: bool = False):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.dumb = dumb
        handler = _static_handler(self.root) if dumb else _backend_handler(self.root)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def new_repo(self, work: Path, name: str = "reports") -> Repo:
        bare = self.root / (name + ".git")
        git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        return Repo(Path(work), bare, self.url + name + ".git", self.dumb)


class Repo:
    """A working copy that pushes each commit to the served bare repository."""

    def __init__(self, work: Path, bare: Path, url: str, dumb: bool):
        self.work, self.bare, self.url, self.dumb = work, bare, url, dumb
        self.work.mkdir(parents=True, exist_ok=True)
        git("init", "--quiet", "--initial-branch=main", cwd=self.work)
        git("remote", "add", "origin", str(bare), cwd=self.work)

    def write(self, files: dict[str, str]):
        for name, text in files.items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def commit(self, message: str, branch: str = "main") -> str:
        git("add", "--all", cwd=self.work)
        git("commit", "--quiet", "-m", message, cwd=self.work)
        git("push", "--quiet", "--force", "origin", "HEAD:refs/heads/" + branch, cwd=self.work)
        if self.dumb:
            git("update-server-info", cwd=self.bare)
        return git("rev-parse", "HEAD", cwd=self.work)

    def remove(self, name: str):
        path = self.work / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def static_site(words: str) -> dict[str, str]:
    """The files of a static page with its manifest.json, as `rsconnect write-manifest` would write them."""
    html = "<!doctype html><title>Report</title><p>%s</p>\n" % words
    manifest = {
        "version": 1,
        "metadata": {"appmode": "static", "primary_html": "index.html"},
        "files": {"index.html": {"checksum": hashlib.md5(html.encode()).hexdigest()}},
    }
    return {"index.html": html, "manifest.json": json.dumps(manifest, indent=2)}
