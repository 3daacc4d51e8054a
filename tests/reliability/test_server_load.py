"""50 publishers upload different bundles at the same moment: every bundle lands intact (the archive
downloaded back has the MD5 that was sent), every deploy serves its own content, no request fails."""

import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.server_helpers import Client, manifest, tar_bytes

UPLOADS = 50
USERS = 5


def distinct_bundle(n):
    """A static bundle with its own page and some hundreds of KB of random bytes."""
    noise = hashlib.sha256(b"seed %d" % n).digest()  # varied sizes, reproducible
    size = 100 * 1024 + int.from_bytes(noise[:4], "big") % (500 * 1024)
    files = {"index.html": "<p>load page number %d</p>" % n, "noise.bin": os.urandom(size)}
    data = tar_bytes({**files, "manifest.json": manifest("static", files, metadata={"primary_html": "index.html"})})
    return data, files["noise.bin"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, local_servers):
    server = local_servers.start(tmp_path_factory.mktemp("load") / "data")
    yield server
    local_servers.stop(server)


class Recorder:
    """Every HTTP status seen, from every thread."""

    def __init__(self):
        self.statuses = []
        self.lock = threading.Lock()

    def call(self, client, method, path, **kwargs):
        r = client(method, path, **kwargs)
        with self.lock:
            self.statuses.append((r.status_code, method, re.sub(r"[0-9a-f-]{36}", "GUID", path)))
        return r


def test_fifty_concurrent_uploads_land_intact_and_deploy(server):
    keys = [server.add_user("loader%d" % i, "publisher") for i in range(USERS)]
    clients = [Client(server, keys[n % USERS]) for n in range(UPLOADS)]
    bundles_sent = [distinct_bundle(n) for n in range(UPLOADS)]
    rec = Recorder()
    start = threading.Barrier(UPLOADS)

    def one(n):
        client = clients[n]
        data, noise = bundles_sent[n]
        r = rec.call(client, "POST", "v1/content", json={"name": "load-%02d" % n, "title": "Load %02d" % n})
        assert r.status_code == 200, r.text
        guid = r.json()["guid"]
        start.wait(60)  # every upload starts at the same moment
        r = rec.call(client, "POST", "v1/content/%s/bundles" % guid, data=data)
        assert r.status_code == 200, r.text
        bundle = r.json()
        r = rec.call(client, "GET", "v1/content/%s/bundles/%s/download" % (guid, bundle["id"]))
        assert r.status_code == 200, r.text
        download_md5 = hashlib.md5(r.content).hexdigest()  # downloaded while the others upload
        r = rec.call(client, "POST", "v1/content/%s/deploy" % guid, json={"bundle_id": bundle["id"]})
        assert r.status_code == 202, r.text
        task, lines = client.wait(r.json()["task_id"], timeout=300)
        return {
            "guid": guid,
            "bundle": bundle,
            "download_md5": download_md5,
            "task": task,
            "lines": lines,
            "noise": noise,
            "sent": data,
        }

    with ThreadPoolExecutor(UPLOADS) as pool:
        results = list(pool.map(one, range(UPLOADS)))

    assert not [s for s in rec.statuses if s[0] >= 500], rec.statuses
    assert len(rec.statuses) == 4 * UPLOADS
    guids = {r["guid"] for r in results}
    assert len(guids) == UPLOADS
    for n, result in enumerate(results):
        client, guid, sent = clients[n], result["guid"], result["sent"]
        sent_md5 = hashlib.md5(sent).hexdigest()
        # The server's record of what it received.
        assert result["bundle"]["size"] == len(sent)
        assert result["bundle"]["metadata"]["archive_md5"] == sent_md5
        # The archive it keeps, byte for byte: downloaded during the load and again now.
        assert result["download_md5"] == sent_md5, n
        r = client("GET", "v1/content/%s/bundles/%s/download" % (guid, result["bundle"]["id"]))
        assert r.status_code == 200 and hashlib.md5(r.content).hexdigest() == sent_md5, n
        # Exactly one bundle per content item: none lost, none mixed up.
        listed = client("GET", "v1/content/%s/bundles" % guid).json()
        assert [b["id"] for b in listed] == [result["bundle"]["id"]]
        # The deploy went live and serves this item's own page and bytes.
        assert result["task"]["code"] == 0, "\n".join(result["lines"])
        item = client("GET", "v1/content/" + guid).json()
        assert item["bundle_id"] == result["bundle"]["id"]
        page = client.get(item["content_url"], timeout=60)
        assert page.status_code == 200 and page.text == "<p>load page number %d</p>" % n
        served = client.get(item["content_url"] + "noise.bin", timeout=60)
        assert served.status_code == 200 and served.content == result["noise"], n
    assert "Traceback" not in server.log()
    # Nothing left half-received.
    leftovers = [p for p in (server.data_dir / "content").glob("*/uploads/*")]
    assert leftovers == []
