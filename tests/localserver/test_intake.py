"""The local server's intake of a bundle (localconnect/intake.py): a streamed, chunked upload of a
mixed folder is stored byte for byte and checked as it arrives; a broken or refused one leaves
nothing behind; rsconnect-python 1.32's `content download-bundle` gets back what was sent."""

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile

import pytest

from tests.core import rsconnect_python as pinned
from tests.localserver.localserver_helpers import Client
from tests.reliability.fault_proxy import partial_uploads


@pytest.fixture
def folder(tmp_path):
    """A small folder of mixed data: text, CSV, random bytes, already-compressed files."""
    root = tmp_path / "site"
    (root / "data").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>data</title><h1>Data</h1>\n")
    (root / "data" / "table.csv").write_text("".join("%d,station-%d,%.3f\n" % (i, i % 17, i / 7) for i in range(60000)))
    (root / "data" / "noise.bin").write_bytes(os.urandom(1_500_000))
    (root / "data" / "table.csv.gz").write_bytes(gzip.compress(b"a,b\n" * 50000))
    (root / "data" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200_000))
    (root / "data" / "empty.txt").write_bytes(b"")
    return root


def files_of(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "rsconnect-python" not in str(p)
    }


def deploy_folder(local_server, folder):
    args = ["deploy", "html", "--new", "-q", "-s", local_server.url, "-k", local_server.api_key, "index.html", "data"]
    result = subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", *args], capture_output=True, text=True, cwd=folder, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.slow
def test_a_streamed_bundle_is_stored_whole_and_rsconnect_python_downloads_the_same_files(
    local_server, folder, tmp_path
):
    guid = deploy_folder(local_server, folder)
    (bundle,) = local_server.api("GET", "v1/content/%s/bundles" % guid).json()
    stored = local_server.data_dir / "content" / guid / "bundles"
    archives = list(stored.rglob("*.tar.gz"))
    assert len(archives) == 1, archives
    raw = archives[0].read_bytes()
    assert bundle["size"] == len(raw) and bundle["metadata"]["archive_md5"] == hashlib.md5(raw).hexdigest()

    out = tmp_path / "downloaded.tar.gz"
    pinned.run(
        tmp_path / "config",
        "content",
        "download-bundle",
        "-s",
        local_server.url,
        "-k",
        local_server.api_key,
        "--guid",
        "%s,%s" % (guid, bundle["id"]),
        "-o",
        out,
    )
    assert out.read_bytes() == raw
    subprocess.run(["gzip", "-t", str(out)], check=True)
    names = subprocess.run(["tar", "tzf", str(out)], check=True, capture_output=True, text=True).stdout.split()
    assert names[-1] == "manifest.json"  # written last: its checksums are known at the end of the stream
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    subprocess.run(["tar", "xzf", str(out), "-C", str(unpacked)], check=True)
    got = files_of(unpacked)
    manifest = got.pop("manifest.json")
    assert got == files_of(folder)
    assert '"primary_html": "index.html"' in manifest.decode()
    # Already-compressed files cost no second compression, and they did not grow either.
    assert len(raw) < len(gzip.compress(b"".join(files_of(folder).values()), 1)) + 4096


def chunked(data, size=8192):
    for i in range(0, len(data), size):
        yield data[i : i + size]


def bundle_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


MANIFEST = b'{"version": 1, "metadata": {"appmode": "static", "primary_html": "index.html"}, "files": {}}'


def test_a_chunked_upload_is_checked_as_it_arrives(local_server):
    client = Client(local_server, local_server.api_key)
    guid = client("POST", "v1/content", json={"name": "intake-ok"}).json()["guid"]
    body = bundle_bytes({"index.html": b"<h1>hi</h1>" * 50000, "manifest.json": MANIFEST})
    answer = client("POST", "v1/content/%s/bundles" % guid, data=chunked(body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"]["archive_md5"] == hashlib.md5(body).hexdigest()
    assert partial_uploads(local_server.data_dir) == {}


@pytest.mark.parametrize(
    "body, said",
    [
        (bundle_bytes({"index.html": os.urandom(300_000), "manifest.json": MANIFEST})[:-5000], "not a readable"),
        (bundle_bytes({"../escape.txt": b"x", "manifest.json": MANIFEST}), "leaves the bundle"),
        (bundle_bytes({"index.html": b"x"}), "no manifest.json"),
    ],
    ids=["truncated", "path outside", "no manifest"],
)
def test_a_bad_chunked_upload_is_refused_and_nothing_is_kept(local_server, body, said):
    client = Client(local_server, local_server.api_key)
    guid = client("POST", "v1/content", json={"name": "intake-bad-%d" % len(body)}).json()["guid"]
    answer = client("POST", "v1/content/%s/bundles" % guid, data=chunked(body))
    assert answer.status_code == 400 and said in answer.json()["error"], answer.text
    assert client("GET", "v1/content/%s/bundles" % guid).json() == []
    assert partial_uploads(local_server.data_dir) == {}


def test_the_first_deploy_takes_the_folder_the_upload_unpacked_and_a_later_one_extracts_again(local_server):
    client = Client(local_server)
    guid = client.create("intake-unpacked")["guid"]
    body = bundle_bytes({"index.html": b"<h1>unpacked on arrival</h1>", "manifest.json": MANIFEST})
    bundle = client.upload(guid, chunked(body))
    bundles_dir = local_server.data_dir / "content" / guid / "bundles"
    unpacked = bundles_dir / ("%s.unpacked" % bundle["id"])
    assert (unpacked / "index.html").read_bytes() == b"<h1>unpacked on arrival</h1>"
    assert (unpacked / "manifest.json").read_bytes() == MANIFEST

    task, lines = client.wait(client.deploy(guid, bundle["id"]))
    assert task["code"] == 0, lines
    assert "Taking the bundle as it was unpacked on arrival." in lines and "Extracting the bundle." not in lines
    assert not unpacked.exists()  # moved into place, not copied
    page = client.get(local_server.url + "content/%s/" % guid)
    assert page.status_code == 200 and "unpacked on arrival" in page.text

    # A second deploy of the same version (made live again) unpacks the stored archive.
    task, lines = client.wait(client.deploy(guid, bundle["id"]))
    assert task["code"] == 0 and "Extracting the bundle." in lines, lines
    assert "unpacked on arrival" in client.get(local_server.url + "content/%s/" % guid).text


def test_a_version_deleted_before_its_deploy_takes_its_unpacked_folder_with_it(local_server):
    client = Client(local_server)
    guid = client.create("intake-deleted")["guid"]
    live = client.upload(guid, bundle_bytes({"index.html": b"live", "manifest.json": MANIFEST}))
    client.wait(client.deploy(guid, live["id"]))
    never = client.upload(guid, bundle_bytes({"index.html": b"never deployed", "manifest.json": MANIFEST}))
    bundles_dir = local_server.data_dir / "content" / guid / "bundles"
    assert (bundles_dir / ("%s.unpacked" % never["id"])).is_dir()
    r = client("DELETE", "v1/content/%s/bundles/%s" % (guid, never["id"]))
    assert r.status_code == 204, r.text
    assert sorted(p.name for p in bundles_dir.iterdir()) == sorted([str(live["id"]), "%s.tar.gz" % live["id"]])
