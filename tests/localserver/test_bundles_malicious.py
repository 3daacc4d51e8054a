"""Untrusted bundles: each trick is refused, at upload and again at extraction, and nothing is
written outside the content's folder (the server's folder and a sentinel folder beside it are
compared file by file before and after)."""

import gzip
import io
import json
import os
import shutil
import tarfile

import pytest

from rsconnect_jupyter.localconnect import bundles
from tests.localserver.localserver_helpers import (
    PY_VERSION,
    Client,
    changes,
    manifest,
    notebook_json,
    snapshot,
    static_bundle,
    tar_bytes,
)

MAX_UNPACKED = 4 * 1024 * 1024
MAX_FILES = 50
MAX_UPLOAD = 256 * 1024


@pytest.fixture(scope="module")
def world(tmp_path_factory, local_servers):
    """A server of its own inside a folder we can watch: everything it writes is under DATA."""
    root = tmp_path_factory.mktemp("malicious")
    sentinel = root / "sentinel"  # a folder of someone else's, beside the server's
    sentinel.mkdir()
    (sentinel / "precious.txt").write_text("do not touch")
    server = local_servers.start(
        root / "data",
        extra_args=[
            "--max-bundle-size",
            str(MAX_UPLOAD),
            "--max-bundle-files",
            str(MAX_FILES),
            "--max-unpacked-size",
            str(MAX_UNPACKED),
        ],
    )
    yield root, server
    local_servers.stop(server)


def tree(root):
    return {os.path.relpath(os.path.join(d, n), root) for d, dirs, files in os.walk(root) for n in dirs + files}


def written_outside(before, after, guid):
    """Paths that changed outside the content's own folder (the server's log and database may)."""
    own = (
        os.path.join("data", "content", guid),
        os.path.join("data", "server.log"),
        os.path.join("data", "connect.db"),
    )
    return [
        p
        for p in changes(before, after)
        if not p.startswith(own) and not (p == os.path.join("data", "content") and after.get(p) == "dir")
    ]  # the first upload


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
    "symlink outside": lambda root: with_manifest(
        member("up", tarfile.SYMTYPE, linkname="../../../../../.."), member("up/escaped-via-link.txt", data=b"x")
    ),
    "absolute symlink": lambda root: with_manifest(member("passwd", tarfile.SYMTYPE, linkname="/etc/passwd")),
    "hardlink outside": lambda root: with_manifest(member("hard", tarfile.LNKTYPE, linkname="../../admin-api-key")),
    "character device": lambda root: with_manifest(member("dev-null", tarfile.CHRTYPE)),
    "block device": lambda root: with_manifest(member("dev-sda", tarfile.BLKTYPE)),
    "fifo": lambda root: with_manifest(member("a-fifo", tarfile.FIFOTYPE)),
    "gzip bomb": lambda root: with_manifest(member("zeros.bin", data=b"\0" * (MAX_UNPACKED + 1))),
    "gzip bomb spread over files": lambda root: with_manifest(
        *[member("zeros%d.bin" % i, data=b"\0" * (MAX_UNPACKED // 4 + 1)) for i in range(4)]
    ),
    "hardlink to an absolute path": lambda root: with_manifest(
        member("shadow", tarfile.LNKTYPE, linkname="/etc/shadow")
    ),
    "symlink chain out": lambda root: with_manifest(
        member("a", tarfile.SYMTYPE, linkname="b"), member("b", tarfile.SYMTYPE, linkname="../escaped-chain")
    ),
    "absolute path in a PAX header": lambda root: pax_escape(root),
    "backslash path": lambda root: with_manifest(member("..\\..\\escaped-backslash.txt", data=b"x")),
    "too many files": lambda root: with_manifest(*[member("f%03d.txt" % i, data=b"x") for i in range(MAX_FILES)]),
    "not an archive": lambda root: b"this is not a tar.gz at all" * 10,
}


def pax_escape(root):
    """A member whose ustar name is harmless but whose PAX header says an absolute path."""
    buf = io.BytesIO()
    files = {"index.html": b"<p>hi</p>"}
    m = manifest("static", files, metadata={"primary_html": "index.html"}).encode()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("manifest.json", m), ("index.html", files["index.html"])):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("harmless.txt")
        info.pax_headers = {"path": str(root / "sentinel" / "escaped-pax.txt")}
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return buf.getvalue()


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_trick_is_refused_at_upload(world, trick):
    root, server = world
    client = Client(server)
    item = client.create()
    data = TRICKS[trick](root)
    before = snapshot(root)
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=data)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 39 and r.json()["error"].endswith(".")
    assert client("GET", "v1/content/%s/bundles" % item["guid"]).json() == []
    after = snapshot(root)
    assert written_outside(before, after, item["guid"]) == []
    assert not [p for p in after if "escaped" in p]
    # Inside its own folder nothing stays either: no archive, no half-received upload.
    assert not [
        p for p, kind in after.items() if p.startswith(os.path.join("data", "content", item["guid"])) and kind != "dir"
    ]


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_trick_on_disk_fails_the_deploy_and_keeps_the_live_bundle(world, trick):
    """An archive changed on disk after its upload is checked again when it is extracted."""
    root, server = world
    client = Client(server)
    item = client.create()
    task, lines = client.publish(item["guid"], static_bundle("<p>live and well</p>"))
    assert task["code"] == 0, lines
    live = client("GET", "v1/content/" + item["guid"]).json()
    second = client.upload(item["guid"], static_bundle("<p>never live</p>"))
    archive = os.path.join(server.data_dir, "content", item["guid"], "bundles", "%s.tar.gz" % second["id"])
    with open(archive, "wb") as f:
        f.write(TRICKS[trick](root))
    # The upload's own unpacked folder would be taken instead: without it (as for any deploy after
    # the first), the deploy reads the archive.
    shutil.rmtree(archive[: -len(".tar.gz")] + ".unpacked")
    before = snapshot(root)
    task, lines = client.wait(client.deploy(item["guid"], second["id"]))
    assert task["finished"] and task["code"] != 0
    assert task["error"].startswith("The bundle") and task["error"].endswith("."), task["error"]
    after = snapshot(root)
    assert written_outside(before, after, item["guid"]) == []
    assert not [p for p in after if "escaped" in p or ".new-" in p]
    assert client("GET", "v1/content/" + item["guid"]).json()["bundle_id"] == live["bundle_id"]
    assert client.get(live["content_url"], timeout=30).text == "<p>live and well</p>"


def test_gzip_stream_of_zeros_is_refused_quickly(world):
    """A 1 GiB stream of zeros compresses to about 1 MB; reading stops at the first empty block."""
    root, server = world
    client = Client(server)
    item = client.create()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        block = b"\0" * (1024 * 1024)
        for _ in range(1024):
            gz.write(block)
    bomb = buf.getvalue()
    assert len(bomb) < MAX_UPLOAD * 8
    before = snapshot(root)
    # Over this server's upload limit: refused by size before anything is read.
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=bomb)
    assert (r.status_code, r.json()["code"]) == (413, 40)
    # Within the limit (a smaller bomb): refused for what it holds, no manifest.
    small = gzip.compress(b"\0" * (64 * 1024 * 1024), 9)
    assert len(small) < MAX_UPLOAD
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=small)
    assert r.status_code == 400 and r.json()["code"] == 38, r.text  # an empty archive: no manifest
    assert written_outside(before, snapshot(root), item["guid"]) == []


@pytest.mark.parametrize("trick", sorted(set(TRICKS) - {"not an archive"}))
def test_trick_is_refused_at_extraction(tmp_path, trick):
    """Deploys extract again with the same checks (a bundle on disk is not trusted either)."""
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(TRICKS[trick](tmp_path))
    with pytest.raises(bundles.BundleRefused):
        bundles.extract(str(archive), str(tmp_path / "out" / "bundle"), max_files=MAX_FILES, max_unpacked=MAX_UNPACKED)
    assert not [p for p in tree(tmp_path) if "escaped" in p]


def test_links_inside_the_bundle_are_copied_not_linked(tmp_path):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(
        with_manifest(
            member("alias.html", tarfile.SYMTYPE, linkname="index.html"),
            member("sub/hard.html", tarfile.LNKTYPE, linkname="index.html"),
        )
    )
    out = tmp_path / "out"
    bundles.extract(str(archive), str(out))
    for name in ("alias.html", "sub/hard.html"):
        assert not os.path.islink(out / name) and (out / name).read_text() == "<p>hi</p>"


@pytest.mark.parametrize(
    "case,contents",
    [
        ("missing", None),
        ("not json", "{this is not json"),
        ("no metadata", '{"version": 1}'),
        ("no appmode", '{"version": 1, "metadata": {"primary_html": "index.html"}}'),
        ("not an object", '["static"]'),
        # Python's parser recursed per level: 500 RecursionError before the depth limit.
        ("nested 50,000 deep", '{"metadata": {"appmode": "static"}, "x": ' + "[" * 50000 + "]" * 50000 + "}"),
        ("nested 65 deep", '{"metadata": {"appmode": "static"}, "x": ' + "[" * 64 + "]" * 64 + "}"),
    ],
)
def test_missing_or_invalid_manifest_is_code_38(world, case, contents):
    _, server = world
    client = Client(server)
    item = client.create()
    files = {"index.html": "<p>hi</p>"}
    if contents is not None:
        files["manifest.json"] = contents
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=tar_bytes(files))
    assert r.status_code == 400, r.text[:500]
    assert r.json()["code"] == 38
    if case.startswith("nested"):
        assert "more than 64 deep" in r.json()["error"]


def test_a_manifest_at_the_depth_limit_is_taken(world):
    _, server = world
    client = Client(server)
    item = client.create()
    deep = '{"metadata": {"appmode": "static", "primary_html": "index.html"}, "x": ' + "[" * 63 + "]" * 63 + "}"
    r = client(
        "POST",
        "v1/content/%s/bundles" % item["guid"],
        data=tar_bytes({"index.html": "<p>hi</p>", "manifest.json": deep}),
    )
    assert r.status_code == 200, r.text[:500]


def test_a_notebook_nested_50000_deep_fails_the_deploy_in_one_sentence(world):
    """nbformat's parser recurses per level as json's does: a notebook's depth is counted before it
    is read (256, as notebooks hold JSON of their own), so the deploy ends in a sentence, not a
    RecursionError, and before any environment is built."""
    _, server = world
    client = Client(server)
    item = client.create()
    nb = json.loads(notebook_json("print(1)"))
    nb["metadata"]["deep"] = "DEEP"
    files = {"report.ipynb": json.dumps(nb).replace('"DEEP"', "[" * 50000 + "]" * 50000), "requirements.txt": ""}
    extra = {
        "python": {"version": PY_VERSION, "package_manager": {"name": "pip", "package_file": "requirements.txt"}},
        "metadata": {"entrypoint": "report.ipynb"},
    }
    bundle = tar_bytes({**files, "manifest.json": manifest("jupyter-static", files, **extra)})
    task, lines = client.publish(item["guid"], bundle)
    assert task["finished"] and task["code"] != 0
    sentence = "The notebook 'report.ipynb' cannot be rendered: it nests arrays or objects more than 256 deep."
    assert task["error"] == sentence, (task["error"], lines[-20:])
    assert not any("environment" in line for line in lines), lines
    assert client("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is None


def test_oversized_upload_is_413(world):
    _, server = world
    client = Client(server)
    item = client.create()
    big = with_manifest(member("noise.bin", data=os.urandom(MAX_UPLOAD)))
    r = client("POST", "v1/content/%s/bundles" % item["guid"], data=big)
    assert r.status_code == 413 and r.json()["code"] == 40
    # Streamed in chunks without a Content-Length: cut off the same way.
    r = client(
        "POST", "v1/content/%s/bundles" % item["guid"], data=(big[i : i + 8192] for i in range(0, len(big), 8192))
    )
    assert r.status_code == 413 and r.json()["code"] == 40
    assert client("GET", "v1/content/%s/bundles" % item["guid"]).json() == []
    uploads = os.path.join(server.data_dir, "content", item["guid"], "uploads")
    assert not os.path.isdir(uploads) or os.listdir(uploads) == []
    # A bundle under the limit still goes through.
    assert client("POST", "v1/content/%s/bundles" % item["guid"], data=static_bundle()).status_code == 200
