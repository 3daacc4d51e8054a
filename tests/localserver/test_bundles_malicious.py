"""Untrusted bundles: each trick is refused, at upload and again at extraction, and nothing is
written outside the content's folder."""
import io
import os
import tarfile

import pytest
import requests

from localserver_helpers import Client, manifest, static_bundle, tar_bytes
from rsconnect_jupyter.localconnect import bundles

MAX_UNPACKED = 4 * 1024 * 1024
MAX_FILES = 50
MAX_UPLOAD = 256 * 1024


@pytest.fixture(scope="module")
def world(tmp_path_factory, local_servers):
    """A server of its own inside a folder we can watch: everything it writes is under DATA."""
    root = tmp_path_factory.mktemp("malicious")
    server = local_servers.start(root / "data", extra_args=[
        "--max-bundle-size", str(MAX_UPLOAD), "--max-bundle-files", str(MAX_FILES),
        "--max-unpacked-size", str(MAX_UNPACKED)])
    yield root, server
    local_servers.stop(server)


def tree(root):
    return {os.path.relpath(os.path.join(d, n), root) for d, dirs, files in os.walk(root) for n in dirs + files}


def member(name, kind=tarfile.REGTYPE, data=b"", linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


def with_manifest(*members):
    files = {"index.html": "<p>hi</p>"}
    m = manifest("static", files, metadata={"primary_html": "index.html"})
    return tar_bytes({**files, "manifest.json": m}, extra_members=members)


TRICKS = {
    "absolute path": lambda root: with_manifest(member(str(root / "escaped-absolute.txt"), data=b"x")),
    "dot-dot path": lambda root: with_manifest(member("../../../../../../escaped-dotdot.txt", data=b"x")),
    "dot-dot inside a path": lambda root: with_manifest(member("a/../../escaped-mid.txt", data=b"x")),
    "symlink outside": lambda root: with_manifest(member("up", tarfile.SYMTYPE, linkname="../../../../../.."),
                                                  member("up/escaped-via-link.txt", data=b"x")),
    "absolute symlink": lambda root: with_manifest(member("passwd", tarfile.SYMTYPE, linkname="/etc/passwd")),
    "hardlink outside": lambda root: with_manifest(member("hard", tarfile.LNKTYPE, linkname="../../admin-api-key")),
    "character device": lambda root: with_manifest(member("dev-null", tarfile.CHRTYPE)),
    "block device": lambda root: with_manifest(member("dev-sda", tarfile.BLKTYPE)),
    "fifo": lambda root: with_manifest(member("a-fifo", tarfile.FIFOTYPE)),
    "gzip bomb": lambda root: with_manifest(member("zeros.bin", data=b"\0" * (MAX_UNPACKED + 1))),
    "too many files": lambda root: with_manifest(*[member("f%03d.txt" % i, data=b"x") for i in range(MAX_FILES)]),
    "not an archive": lambda root: b"this is not a tar.gz at all" * 10,
}


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_trick_is_refused_at_upload(world, trick):
    root, server = world
    client = Client(server)
    item = client.create()
    data = TRICKS[trick](root)
    before = tree(root)
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=data)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 39 and r.json()["error"]
    assert client("GET", "v1/content/%s/bundles" % item["guid"]).json() == []
    new = {p for p in tree(root) - before if not p.startswith(os.path.join("data", "server.log"))}
    assert all(p.startswith(os.path.join("data", "content")) or p.startswith(os.path.join("data", "connect.db"))
               for p in new), new
    assert not [p for p in tree(root) if "escaped" in p]


@pytest.mark.parametrize("trick", sorted(set(TRICKS) - {"not an archive"}))
def test_trick_is_refused_at_extraction(tmp_path, trick):
    """Deploys extract again with the same checks (a bundle on disk is not trusted either)."""
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(TRICKS[trick](tmp_path))
    with pytest.raises(bundles.BundleError):
        bundles.extract(str(archive), str(tmp_path / "out" / "bundle"), max_files=MAX_FILES,
                        max_unpacked=MAX_UNPACKED)
    assert not [p for p in tree(tmp_path) if "escaped" in p]


def test_links_inside_the_bundle_are_copied_not_linked(tmp_path):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(with_manifest(member("alias.html", tarfile.SYMTYPE, linkname="index.html"),
                                      member("sub/hard.html", tarfile.LNKTYPE, linkname="index.html")))
    out = tmp_path / "out"
    bundles.extract(str(archive), str(out))
    for name in ("alias.html", "sub/hard.html"):
        assert not os.path.islink(out / name) and (out / name).read_text() == "<p>hi</p>"


@pytest.mark.parametrize("case,contents", [
    ("missing", None),
    ("not json", "{this is not json"),
    ("no metadata", '{"version": 1}'),
    ("no appmode", '{"version": 1, "metadata": {"primary_html": "index.html"}}'),
    ("not an object", '["static"]'),
])
def test_missing_or_invalid_manifest_is_code_38(world, case, contents):
    _, server = world
    client = Client(server)
    item = client.create()
    files = {"index.html": "<p>hi</p>"}
    if contents is not None:
        files["manifest.json"] = contents
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=tar_bytes(files))
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 38


def test_oversized_upload_is_413(world):
    _, server = world
    client = Client(server)
    item = client.create()
    big = with_manifest(member("noise.bin", data=os.urandom(MAX_UPLOAD)))
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=big)
    assert r.status_code == 413 and r.json()["code"] == 40
    # Streamed in chunks without a Content-Length: cut off the same way.
    r = client("POST", "v1/content/%s/bundles" % item["guid"],
               data=(big[i:i + 8192] for i in range(0, len(big), 8192)))
    assert r.status_code == 413 and r.json()["code"] == 40
    assert client("GET", "v1/content/%s/bundles" % item["guid"]).json() == []
    uploads = os.path.join(server.data_dir, "content", item["guid"], "uploads")
    assert not os.path.isdir(uploads) or os.listdir(uploads) == []
    # A bundle under the limit still goes through.
    assert client("POST", "v1/content/%s/bundles" % item["guid"], data=static_bundle()).status_code == 200
