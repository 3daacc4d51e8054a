"""Manifests and bundles built from real notebooks on disk."""

import hashlib
import json
import subprocess
import sys
import tarfile

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rsconnect_jupyter import bundle
from rsconnect_jupyter.exceptions import BundleError, InvalidInput
from tests.core.snapshots import snapshot

SNAPSHOT = snapshot("click==8.1.7\n")


@pytest.fixture
def notebook(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Quarterly report"),
            new_code_cell(
                "secret_input_code = 6 * 7\nprint(secret_input_code)",
                outputs=[new_output("stream", name="stdout", text="42\n")],
                execution_count=1,
            ),
            new_code_cell(
                "tagged_input_code = 'shown output'\nprint(tagged_input_code)",
                outputs=[new_output("stream", name="stdout", text="shown output\n")],
                execution_count=2,
                metadata={"tags": ["hide_input"]},
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "report.ipynb"
    nbformat.write(nb, str(path))
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "assets").mkdir()
    (folder / "assets" / "logo.svg").write_text("<svg/>")
    (folder / "assets" / "__pycache__").mkdir()
    (folder / "assets" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    return path


def contents(b):
    with tarfile.open(b.path, "r:gz") as tar:
        names = tar.getnames()
        data = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    return names, data


def test_notebook_source_bundle(notebook):
    with bundle.notebook_source_bundle(notebook, SNAPSHOT, ["data.csv", "assets"]) as b:
        names, data = contents(b)
        assert names[0] == "manifest.json"
        assert sorted(names[1:]) == ["assets/logo.svg", "data.csv", "report.ipynb", "requirements.txt"]
        m = json.loads(data["manifest.json"])
        assert m == b.manifest
        assert m["metadata"] == {"appmode": "jupyter-static", "entrypoint": "report.ipynb"}
        assert m["python"] == {
            "version": "3.11.7",
            "package_manager": {"name": "pip", "version": "23.2.1", "package_file": "requirements.txt"},
        }
        assert m["environment"] == {"python": {"requires": "~=3.11.0"}}
        assert m["locale"] == "en_US.UTF-8" and "jupyter" not in m
        for name in names[1:]:
            assert m["files"][name]["checksum"] == hashlib.md5(data[name]).hexdigest()
        assert data["requirements.txt"] == b"click==8.1.7\n"
        assert data["report.ipynb"] == notebook.read_bytes()
        path = b.path
    assert not path.exists()  # the temporary file goes away


def test_hide_flags_go_in_the_manifest_only_when_set(notebook):
    with bundle.notebook_source_bundle(notebook, SNAPSHOT, hide_all_input=True, hide_tagged_input=True) as b:
        assert b.manifest["jupyter"] == {"hide_all_input": True, "hide_tagged_input": True}


def test_html_snapshot_bundle_renders_as_saved(notebook):
    with bundle.html_snapshot_bundle(notebook, ["data.csv"]) as b:
        names, data = contents(b)
        assert names == ["manifest.json", "report.html", "data.csv"]
        m = json.loads(data["manifest.json"])
        assert m["metadata"]["appmode"] == "static" and m["metadata"]["primary_html"] == "report.html"
        assert m["files"]["report.html"]["checksum"] == hashlib.md5(data["report.html"]).hexdigest()
        html = data["report.html"].decode()
        assert "Quarterly report" in html and "42" in html and "secret_input_code" in html


def test_hide_all_input_in_the_snapshot(notebook):
    with bundle.html_snapshot_bundle(notebook, hide_all_input=True) as b:
        html = contents(b)[1]["report.html"].decode()
    assert "secret_input_code" not in html and "tagged_input_code" not in html
    assert "42" in html and "shown output" in html


def test_hide_tagged_input_in_the_snapshot(notebook):
    with bundle.html_snapshot_bundle(notebook, hide_tagged_input=True) as b:
        html = contents(b)[1]["report.html"].decode()
    assert "secret_input_code" in html and "tagged_input_code" not in html and "shown output" in html


def test_execute_runs_the_notebook_first(notebook):
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells.append(new_code_cell("print('fresh ' + 'result')"))
    nbformat.write(nb, str(notebook))
    with bundle.html_snapshot_bundle(notebook) as b:
        assert "fresh result" not in contents(b)[1]["report.html"].decode()
    with bundle.html_snapshot_bundle(notebook, execute=True) as b:
        assert "fresh result" in contents(b)[1]["report.html"].decode()


def test_extra_files_must_be_under_the_notebook_folder(notebook, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    with pytest.raises(InvalidInput, match="extra files must be in the notebook's folder"):
        bundle.notebook_source_bundle(notebook, SNAPSHOT, [str(outside)])
    with pytest.raises(InvalidInput, match="extra files must be in the notebook's folder"):
        bundle.notebook_source_bundle(notebook, SNAPSHOT, [str(notebook.parent / ".." / "outside.txt")])
    with pytest.raises(InvalidInput, match="does not exist"):
        bundle.notebook_source_bundle(notebook, SNAPSHOT, [str(notebook.parent / "missing.txt")])


def test_invalid_and_missing_notebooks(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    with pytest.raises(BundleError, match="is not a valid notebook"):
        bundle.read_notebook(broken)
    wrong_shape = tmp_path / "shape.ipynb"
    wrong_shape.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "nope", "metadata": {}}))
    with pytest.raises(BundleError, match="is not a valid notebook"):
        bundle.read_notebook(wrong_shape)
    with pytest.raises(InvalidInput, match="does not exist"):
        bundle.read_notebook(tmp_path / "missing.ipynb")


def test_html_bundle(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<h1>hi</h1>")
    (tmp_path / "style.css").write_text("h1{}")
    with bundle.html_bundle(page, ["style.css"]) as b:
        names, data = contents(b)
        assert names == ["manifest.json", "page.html", "style.css"]
        assert json.loads(data["manifest.json"])["metadata"]["primary_html"] == "page.html"


def test_write_manifest_matches_the_bundle(notebook):
    written = bundle.write_notebook_manifest(notebook, SNAPSHOT, ["data.csv"])
    folder = notebook.parent
    assert written == [folder / "requirements.txt", folder / "manifest.json"]
    m = json.loads((folder / "manifest.json").read_text())
    with bundle.notebook_source_bundle(notebook, SNAPSHOT, ["data.csv"]) as b:
        assert m == b.manifest
    with pytest.raises(InvalidInput, match="--overwrite"):
        bundle.write_notebook_manifest(notebook, SNAPSHOT)
    assert bundle.write_notebook_manifest(notebook, SNAPSHOT, overwrite=True) == [folder / "manifest.json"]


def test_source_bundles_check_the_notebook_with_json_alone(notebook, tmp_path):
    checked = bundle.check_notebook_file(notebook)
    assert checked["nbformat"] == 4 and len(checked["cells"]) == 3
    no_source = tmp_path / "no-source.ipynb"
    no_source.write_text(
        json.dumps(
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}}]}
        )
    )
    for bad in (no_source, tmp_path / "broken.ipynb"):
        if bad.name == "broken.ipynb":
            bad.write_text("{ not json")
        with pytest.raises(BundleError, match="is not a valid notebook"):
            bundle.check_notebook_file(bad)
        with pytest.raises(BundleError, match="is not a valid notebook"):
            bundle.notebook_source_files(bad, SNAPSHOT)
    with pytest.raises(InvalidInput, match="does not exist"):
        bundle.check_notebook_file(tmp_path / "missing.ipynb")
    (tmp_path / "data.txt").write_text("{}")
    with pytest.raises(InvalidInput, match="is not a notebook"):
        bundle.check_notebook_file(tmp_path / "data.txt")


def test_older_notebook_formats_are_still_read_through_nbformat(tmp_path):
    v3 = tmp_path / "old.ipynb"
    v3.write_text(
        json.dumps(
            {
                "nbformat": 3,
                "nbformat_minor": 0,
                "metadata": {"name": "old"},
                "worksheets": [{"cells": [{"cell_type": "markdown", "source": "# Old"}], "metadata": {}}],
            }
        )
    )
    assert bundle.check_notebook_file(v3)["nbformat"] == 4  # converted, as before
    names = [f.arcname for f in bundle.notebook_source_files(v3, SNAPSHOT)]
    assert names == ["old.ipynb", "requirements.txt"]


def test_writing_a_notebook_manifest_does_not_import_nbformat(notebook):
    code = (
        "import sys; from rsconnect_jupyter import bundle, deploy; "
        "bundle.write_notebook_manifest(sys.argv[1], %r); deploy.check_notebook(sys.argv[1]); "
        "print(sorted(m for m in ('nbformat', 'nbconvert', 'jsonschema', 'requests') if m in sys.modules))" % SNAPSHOT
    )
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert (notebook.parent / "manifest.json").exists()


# -- the streamed bundle (bundle/stream.py) and what is stored as it is (bundle/stored.py) ----------


@pytest.fixture
def mixed(tmp_path):
    """Text, CSV, random bytes, already-compressed files, an empty and an executable file."""
    import gzip
    import os

    root = tmp_path / "mixed"
    (root / "data").mkdir(parents=True)
    (root / "index.html").write_text("<h1>data</h1>\n")
    (root / "data" / "rows.csv").write_text("".join("%d,north,%.2f\n" % (i, i / 3) for i in range(200000)))
    (root / "data" / "noise.bin").write_bytes(os.urandom(3_000_000))
    (root / "data" / "rows.csv.gz").write_bytes(gzip.compress(b"1,2\n" * 100000))
    (root / "data" / "empty.txt").write_bytes(b"")
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o755)
    return root


def planned(root, progress=None):
    from rsconnect_jupyter import manifest

    files = bundle.walk_directory(root, root)
    return bundle.plan_bundle(manifest.static_manifest("index.html"), files, progress=progress)


def streamed_bytes(b):
    pieces = list(b.chunks())
    return b"".join(pieces), max(len(p) for p in pieces)


def test_a_streamed_bundle_is_one_valid_gzip_stream_with_the_manifest_last(mixed, tmp_path):
    b = planned(mixed)
    data, _ = streamed_bytes(b)
    path = tmp_path / "streamed.tar.gz"
    path.write_bytes(data)
    subprocess.run(["gzip", "-t", str(path)], check=True)
    names = subprocess.run(["tar", "tzf", str(path)], check=True, capture_output=True, text=True).stdout.split()
    assert names == [
        "data/empty.txt",
        "data/noise.bin",
        "data/rows.csv",
        "data/rows.csv.gz",
        "index.html",
        "run.sh",
        "manifest.json",
    ]
    with tarfile.open(path, "r:gz") as tar:
        unpacked = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
        assert tar.getmember("run.sh").mode == 0o755
    manifest = json.loads(unpacked.pop("manifest.json"))
    on_disk = {str(p.relative_to(mixed)): p.read_bytes() for p in mixed.rglob("*") if p.is_file()}
    assert unpacked == on_disk
    assert manifest["files"] == {name: {"checksum": hashlib.md5(v).hexdigest()} for name, v in on_disk.items()}
    assert b.manifest == manifest and b.sent == len(data) and b.size == len(data)


def test_the_streamed_and_the_written_bundle_hold_the_same_files_and_manifest(mixed):
    b = planned(mixed)
    data, _ = streamed_bytes(b)
    with planned(mixed) as written:
        names, files = contents(written)  # .path writes it: manifest.json first, as before
        assert written.written and names[0] == "manifest.json"
        assert json.loads(files.pop("manifest.json")) == b.manifest
        with tarfile.open(fileobj=__import__("io").BytesIO(data), mode="r:gz") as tar:
            assert {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.name != "manifest.json"} == files
        path = written.path
    assert not path.exists()  # closing the bundle removes the file it was written to


def test_already_compressed_files_are_stored_and_text_is_compressed(mixed):
    data, _ = streamed_bytes(planned(mixed))
    noise = (mixed / "data" / "noise.bin").read_bytes()
    # Stored deflate blocks carry the bytes as they are (65535 at a time, between 5-byte headers).
    assert all(noise[i : i + 65535] in data for i in range(0, 16 * 65535, 65535))  # the first MiB
    gz = (mixed / "data" / "rows.csv.gz").read_bytes()
    assert gz[:1000] in data
    text = (mixed / "data" / "rows.csv").stat().st_size
    assert len(data) < len(noise) + len(gz) + text // 3


def test_streaming_holds_a_few_blocks_not_the_bundle(mixed):
    import os

    (mixed / "data" / "more.bin").write_bytes(os.urandom(24_000_000))
    _, largest = streamed_bytes(planned(mixed))
    assert largest <= 12 * 1024 * 1024  # a few 1 MiB blocks in flight, whatever the bundle's size


def test_streaming_progress_counts_the_files_bytes_read(mixed):
    updates = []
    b = planned(mixed, updates.append)
    total = sum(p.stat().st_size for p in mixed.rglob("*") if p.is_file())
    assert b.total_bytes() == total
    streamed_bytes(b)
    assert {u.phase for u in updates} == {"upload"} and {u.total for u in updates} == {total}
    done = [u.done for u in updates]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total and len(done) <= 102


def test_an_unreadable_file_is_said_when_the_bundle_is_planned(mixed):
    (mixed / "data" / "rows.csv").unlink()
    files = [bundle.BundleFile("rows.csv", path=mixed / "data" / "rows.csv")]
    with pytest.raises(BundleError, match="Could not read"):
        bundle.plan_bundle({"version": 1, "metadata": {"appmode": "static"}}, files)


def test_which_files_are_stored():
    import os

    from rsconnect_jupyter.bundle.stored import looks_compressed, stored_by_name

    assert all(stored_by_name(n) for n in ("a.parquet", "b.PNG", "c.zip", "d.csv.gz", "e.jpg", "f.npz"))
    assert not any(stored_by_name(n) for n in ("a.csv", "b.txt", "c.json", "d.py", "e.html"))
    assert looks_compressed(os.urandom(70000)) and looks_compressed(b"PAR1" + b"x" * 10)
    assert not looks_compressed(b"1,north,0.33\n" * 6000) and not looks_compressed(os.urandom(100))
