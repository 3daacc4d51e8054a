"""Helpers for the local server's tests: bundles built by hand with tarfile, deploys over plain HTTP."""

import hashlib
import io
import json
import os
import sys
import tarfile
import time
from pathlib import Path

import nbformat
import requests

PY_VERSION = "%d.%d.%d" % sys.version_info[:3]


def tar_bytes(files, extra_members=()):
    """A .tar.gz of {name: bytes|str}, manifest.json first when present, plus raw TarInfo members."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        names = sorted(files, key=lambda n: n != "manifest.json")
        for name in names:
            data = files[name].encode() if isinstance(files[name], str) else files[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        for info, data in extra_members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def manifest(appmode, files, **extra):
    m = {
        "version": 1,
        "locale": "en_US.UTF-8",
        "metadata": {"appmode": appmode},
        "files": {
            n: {"checksum": hashlib.md5(d.encode() if isinstance(d, str) else d).hexdigest()} for n, d in files.items()
        },
    }
    for key, value in extra.items():
        if key == "metadata":
            m["metadata"].update(value)
        else:
            m[key] = value
    return json.dumps(m)


def static_bundle(html="<h1>Hello static</h1>", primary="index.html", more=None):
    files = {primary: html, **(more or {})}
    return tar_bytes({**files, "manifest.json": manifest("static", files, metadata={"primary_html": primary})})


def notebook_json(*cells):
    """A notebook from cell sources; a (source, tags) tuple gives a cell tags."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in cells:
        source, tags = cell if isinstance(cell, tuple) else (cell, [])
        c = nbformat.v4.new_code_cell(source)
        if tags:
            c.metadata["tags"] = tags
        nb.cells.append(c)
    return nbformat.writes(nb)


def notebook_bundle(*cells, python=PY_VERSION, requirements="", jupyter=None):
    files = {"report.ipynb": notebook_json(*cells), "requirements.txt": requirements}
    extra = {
        "python": {
            "version": python,
            "package_manager": {"name": "pip", "version": "23.0", "package_file": "requirements.txt"},
        },
        "metadata": {"entrypoint": "report.ipynb"},
    }
    if jupyter:
        extra["jupyter"] = jupyter
    return tar_bytes({**files, "manifest.json": manifest("jupyter-static", files, **extra)})


APPS = Path(__file__).resolve().parent.parent / "apps"


def app_bundle(folder, appmode, entrypoint, replace=None):
    """A bundle of the sample app in tests/apps/<folder>, with some files replaced."""
    files = {p.name: p.read_bytes() for p in sorted((APPS / folder).iterdir()) if p.is_file()}
    files.update(replace or {})
    extra = {
        "python": {
            "version": PY_VERSION,
            "package_manager": {"name": "pip", "version": "23.0", "package_file": "requirements.txt"},
        },
        "metadata": {"entrypoint": entrypoint},
    }
    return tar_bytes({**files, "manifest.json": manifest(appmode, files, **extra)})


class Client:
    """Plain-HTTP calls on one server with one key."""

    def __init__(self, server, key=None):
        self.server = server
        self.key = key or server.api_key

    def __call__(self, method, path, **kwargs):
        return self.server.api(method, path, key=self.key, **kwargs)

    @property
    def auth(self):
        """The header a program sends with a content URL (and its app's WebSocket): this key."""
        return {"Authorization": "Key " + self.key}

    def request(self, method, url, **kwargs):
        """Any request on a content URL (/content/{guid}/..., a vanity path) with this client's key."""
        kwargs["headers"] = {**kwargs.get("headers", {}), **self.auth}
        kwargs.setdefault("timeout", 60)
        return requests.request(method, url, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def create(self, name=None, title=None):
        body = {"name": name} if name else {}
        if title:
            body["title"] = title
        r = self("POST", "v1/content", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def upload(self, guid, data):
        r = self("POST", "v1/content/%s/bundles" % guid, data=data)
        assert r.status_code == 200, r.text
        return r.json()

    def deploy(self, guid, bundle_id):
        r = self("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle_id})
        assert r.status_code == 202, r.text
        return r.json()["task_id"]

    def wait(self, task_id, timeout=900):
        """Follow the task with long polls like a client; return (final task, all lines)."""
        lines, first = [], 0
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self("GET", "v1/tasks/%s" % task_id, params={"first": first, "wait": 10})
            assert r.status_code == 200, r.text
            task = r.json()
            lines += task["output"]
            first = task["last"]
            if task["finished"]:
                return task, lines
        raise AssertionError("task %s did not finish; log so far:\n%s" % (task_id, "\n".join(lines)))

    def publish(self, guid, data):
        bundle = self.upload(guid, data)
        return self.wait(self.deploy(guid, bundle["id"]))


def snapshot(root):
    """{relative path: md5 of the file, or "dir" / "link -> target"} for everything under root."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                found[rel] = "link -> " + os.readlink(path)
            elif os.path.isdir(path):
                found[rel] = "dir"
            else:
                with open(path, "rb") as f:
                    found[rel] = hashlib.md5(f.read()).hexdigest()
    return found


def changes(before, after):
    """The paths added, removed or changed between two snapshots."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def run_coroutine(coro):
    """asyncio.run in a thread of its own: the session's Playwright (the browser tests') keeps an
    event loop in the main thread, where asyncio.run refuses to start."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
