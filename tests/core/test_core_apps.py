"""APIs and apps: excludes, entrypoint detection, directory and manifest bundles, on real files."""

import gzip
import hashlib
import io
import json
import subprocess
import tarfile

import pytest

from rsconnect_jupyter import apps, bundle, deploy
from rsconnect_jupyter.exceptions import BundleError, InvalidInput
from rsconnect_jupyter.store import DeploymentStore
from tests.core import rsconnect_python
from tests.core.snapshots import snapshot

SNAPSHOT = snapshot("flask==3.0.0\n")


def make_tree(base, paths):
    for rel in paths:
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("content of %s\n" % rel)
    return base


def listed(directory, excludes=(), config_dir=None):
    return apps.list_files(directory, apps.Excludes(directory, excludes, config_dir=config_dir or "/nonexistent"))


def read_bundle(b):
    with tarfile.open(b.path, "r:gz") as tar:
        names = tar.getnames()
        data = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    return names, data


# ---------------------------------------------------------------------------------------------
# Excludes


@pytest.mark.parametrize(
    "pattern, excluded, kept",
    [
        ("**/*.csv", ["top.csv", "data/a.csv", "data/deep/er/b.csv"], ["app.py", "data/notes.txt"]),
        ("*.csv", ["top.csv"], ["data/a.csv", "data/deep/er/b.csv"]),
        ("data", ["data/a.csv", "data/notes.txt", "data/deep/er/b.csv"], ["top.csv", "app.py"]),
        ("data/", ["data/a.csv", "data/deep/er/b.csv"], ["top.csv"]),
        ("data/**", ["data/a.csv", "data/deep/er/b.csv"], ["top.csv"]),
        ("**/er", ["data/deep/er/b.csv"], ["data/a.csv"]),
        ("data/**/b.csv", ["data/deep/er/b.csv"], ["data/a.csv", "top.csv"]),
        ("./top.csv", ["top.csv"], ["data/a.csv"]),
        ("data/?.csv", ["data/a.csv"], ["top.csv", "data/notes.txt"]),
        ("data/[ab].csv", ["data/a.csv"], ["data/notes.txt"]),
        ("**", ["app.py", "top.csv", "data/a.csv"], []),
    ],
)
def test_exclude_globs(tmp_path, pattern, excluded, kept):
    make_tree(tmp_path, ["app.py", "top.csv", "data/a.csv", "data/notes.txt", "data/deep/er/b.csv"])
    files = listed(tmp_path, [pattern])
    for rel in excluded:
        assert rel not in files, (pattern, rel)
    for rel in kept:
        assert rel in files, (pattern, rel)


def test_star_stays_within_one_folder():
    assert apps.glob_to_regex("*.py").match("app.py")
    assert not apps.glob_to_regex("*.py").match("pkg/app.py")
    assert apps.glob_to_regex("**/*.py").match("app.py")
    assert apps.glob_to_regex("**/*.py").match("a/b/c/app.py")
    assert apps.glob_to_regex("a/**/z").match("a/z")
    assert apps.glob_to_regex("a/**/z").match("a/b/c/z")
    assert not apps.glob_to_regex("a/**/z").match("b/z")


def test_default_excluded_folders_at_any_depth(tmp_path):
    make_tree(
        tmp_path,
        [
            "app.py",
            "pkg/mod.py",
            ".git/HEAD",
            "pkg/__pycache__/mod.cpython-311.pyc",
            ".ipynb_checkpoints/x.py",
            "sub/.ipynb_checkpoints/y.py",
            "rsconnect-python/app.json",
            "sub/rsconnect-python/s.json",
            ".rsconnect-python/servers.json",
            "venv/lib/site.py",
            ".venv/lib/site.py",
            "env/lib/site.py",
            "manifest.json",
            "pkg/manifest.json",
            ".DS_Store",
            ".hidden/kept.txt",
        ],
    )
    assert listed(tmp_path) == [".hidden/kept.txt", "app.py", "pkg/manifest.json", "pkg/mod.py"]


def test_virtual_environments_are_found_by_their_marks_whatever_their_name(tmp_path):
    make_tree(
        tmp_path,
        [
            "app.py",
            "myenv/lib/python3.11/site-packages/flask/__init__.py",
            "tools/conda/conda-meta/history",
            "tools/conda/lib/x.py",
            "nested/deeper/pyenv/bin/python",
            "nested/deeper/pyenv/lib/y.py",
            "nested/deeper/keep.py",
            "notanenv/bin/tool.sh",
        ],
    )
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert apps.is_virtualenv(tmp_path / "myenv")
    assert apps.is_virtualenv(tmp_path / "tools" / "conda")
    assert apps.is_virtualenv(tmp_path / "nested" / "deeper" / "pyenv")
    assert not apps.is_virtualenv(tmp_path / "notanenv")
    assert listed(tmp_path) == ["app.py", "nested/deeper/keep.py", "notanenv/bin/tool.sh"]


def test_the_config_folder_is_left_out_wherever_it_is(tmp_path):
    make_tree(tmp_path, ["app.py", "home/.config/rsconnect-python/servers.json", "home/.config/other/x.txt"])
    config = tmp_path / "home" / ".config" / "rsconnect-python"
    assert listed(tmp_path, config_dir=config) == ["app.py", "home/.config/other/x.txt"]


def test_extra_files_are_included_even_when_excluded_and_requirements_come_from_the_snapshot(tmp_path):
    make_tree(tmp_path, ["app.py", "data/big.csv", "data/small.csv", "requirements.txt"])
    files = bundle.app_files(
        tmp_path, SNAPSHOT, extra_files=[str(tmp_path / "data" / "small.csv")], excludes=["**/*.csv"]
    )
    names = [f.arcname for f in files]
    assert names == ["requirements.txt", "app.py", "data/small.csv"]
    assert files[0].data == b"flask==3.0.0\n"


def test_an_excluded_entrypoint_is_refused(tmp_path):
    make_tree(tmp_path, ["app.py", "other.py"])
    with pytest.raises(InvalidInput, match="excluded by -x"):
        deploy.check_app(tmp_path, "python-api", excludes=["app.py"])
    assert deploy.check_app(tmp_path, "python-api", excludes=["other.py"]) == "app:app"


def test_env_files_are_warned_about_once(tmp_path):
    make_tree(tmp_path, ["app.py", ".env", "conf/.env", "conf/settings.env"])
    said = []
    files = deploy.app_files(tmp_path, SNAPSHOT, log=said.append)
    assert ".env" in [f.arcname for f in files]
    warnings = [line for line in said if line.startswith("Warning:")]
    assert len(warnings) == 1 and ".env, conf/.env" in warnings[0] and "-x" in warnings[0]
    said.clear()
    deploy.app_files(tmp_path, SNAPSHOT, excludes=["**/.env"], log=said.append)
    assert said == []


# ---------------------------------------------------------------------------------------------
# Entrypoint


@pytest.mark.parametrize(
    "present, expected",
    [
        (["app.py", "application.py", "main.py", "api.py"], "app"),
        (["application.py", "main.py", "api.py", "zz.py"], "application"),
        (["main.py", "api.py", "helpers.py"], "main"),
        (["api.py", "helpers.py"], "api"),
        (["dashboard.py", "README.md"], "dashboard"),
    ],
)
def test_default_entrypoint_rules(tmp_path, present, expected):
    make_tree(tmp_path, present)
    assert apps.default_module(tmp_path) == expected
    assert apps.resolve_entrypoint(tmp_path) == expected + ":app"


def test_no_or_several_python_files_is_one_clear_error(tmp_path):
    make_tree(tmp_path, ["README.md", "sub/app.py"])
    with pytest.raises(InvalidInput, match=r"has no \.py file to start.*-e/--entrypoint"):
        apps.resolve_entrypoint(tmp_path)
    make_tree(tmp_path, ["one.py", "two.py"])
    with pytest.raises(InvalidInput) as err:
        apps.resolve_entrypoint(tmp_path)
    message = str(err.value)
    assert "several .py files" in message and "-e/--entrypoint" in message and message.endswith(".")


def test_given_entrypoints(tmp_path):
    make_tree(tmp_path, ["app.py", "serve.py", "pkg/__init__.py", "pkg/web.py", "pkg2/__init__.py"])
    assert apps.resolve_entrypoint(tmp_path, "serve") == "serve:app"
    assert apps.resolve_entrypoint(tmp_path, "serve:server") == "serve:server"
    assert apps.resolve_entrypoint(tmp_path, "serve.py") == "serve:app"
    assert apps.resolve_entrypoint(tmp_path, "pkg.web:make_app") == "pkg.web:make_app"
    assert apps.resolve_entrypoint(tmp_path, "pkg2") == "pkg2:app"
    with pytest.raises(InvalidInput, match='module "missing" is not in'):
        apps.resolve_entrypoint(tmp_path, "missing:app")
    with pytest.raises(InvalidInput, match="is not an entrypoint"):
        apps.resolve_entrypoint(tmp_path, "app:app:app")
    with pytest.raises(InvalidInput, match="names no object"):
        apps.resolve_entrypoint(tmp_path, "app:")
    with pytest.raises(InvalidInput, match="is not an entrypoint"):
        apps.resolve_entrypoint(tmp_path, "my-app")


@pytest.mark.parametrize("mode", ["python-streamlit", "python-bokeh", "python-panel"])
def test_script_apps_get_the_file_name(tmp_path, mode):
    make_tree(tmp_path, ["main.py", "pages/dashboard.py", "explore.py"])
    assert apps.resolve_entrypoint(tmp_path, None, mode) == "main.py"
    assert apps.resolve_entrypoint(tmp_path, "explore", mode) == "explore.py"
    assert apps.resolve_entrypoint(tmp_path, "pages/dashboard.py", mode) == "pages/dashboard.py"
    assert deploy.check_app(tmp_path, mode, "explore.py") == "explore.py"
    with pytest.raises(InvalidInput, match="excluded by -x"):
        deploy.check_app(tmp_path, mode, "pages.dashboard", excludes=["pages"])
    assert apps.resolve_entrypoint(tmp_path, None, "python-dash") == "main:app"


def test_check_app_refuses_a_missing_directory_or_a_file(tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        deploy.check_app(tmp_path / "nope", "python-api")
    (tmp_path / "f.py").write_text("")
    with pytest.raises(InvalidInput, match="is not a directory"):
        deploy.check_app(tmp_path / "f.py", "python-api")
    with pytest.raises(InvalidInput, match="outside"):
        deploy.check_app(tmp_path, "python-dash", extra_files=["/etc/hostname"])


def test_records_and_titles_follow_rsconnect_python(tmp_path):
    # rsconnect-python itself names the file a directory's record is kept for, writes the record
    # as its `deploy fastapi DIR` does, and derives the title: we find the same record and title.
    folder = make_tree(tmp_path / "sales-api", ["app.py"])
    out = rsconnect_python.python(
        tmp_path / "config",
        (
            "import json, sys\n"
            "from rsconnect.bundle import _default_title\n"
            "from rsconnect.environment import fake_module_file_from_directory\n"
            "from rsconnect.metadata import AppStore\n"
            "path = fake_module_file_from_directory(%r)\n"
            "store = AppStore(path)\n"
            "store.set('http://127.0.0.1:3939/', path, 'http://127.0.0.1:3939/content/g-1/', '7', 'g-1', 'Sales',"
            " 'python-fastapi')\n"
            "store.save()\n"
            "print(json.dumps([path, _default_title(path)]))\n"
        )
        % str(folder),
    )
    their_path, their_title = json.loads(out)
    path = deploy.app_deployed_path(folder)
    assert path == folder / "sales-api.py" and str(path) == their_path
    assert deploy.default_title(path) == their_title == "sales-api"
    assert (folder / "rsconnect-python" / "sales-api.json").is_file()  # written by rsconnect-python
    record = DeploymentStore(path).get("http://127.0.0.1:3939")  # trailing slash or not
    assert record is not None
    assert (record["app_guid"], record["app_id"], record["app_mode"], record["title"]) == (
        "g-1",
        "7",
        "python-fastapi",
        "Sales",
    )
    assert record["app_url"] == "http://127.0.0.1:3939/content/g-1/"


# ---------------------------------------------------------------------------------------------
# Bundles


def test_app_bundle_manifest_first_with_checksums(tmp_path):
    folder = make_tree(tmp_path / "shop", ["app.py", "templates/index.html", "__pycache__/app.pyc", "manifest.json"])
    (folder / "run.sh").write_text("#!/bin/sh\n")
    (folder / "run.sh").chmod(0o755)
    with bundle.app_bundle(folder, "python-fastapi", "app:app", SNAPSHOT) as b:
        names, data = read_bundle(b)
        assert names == ["manifest.json", "requirements.txt", "app.py", "run.sh", "templates/index.html"]
        m = json.loads(data["manifest.json"])
        assert m == b.manifest
        assert m["metadata"] == {"appmode": "python-fastapi", "entrypoint": "app:app"}
        assert m["python"]["package_manager"]["package_file"] == "requirements.txt"
        assert list(m["files"]) == names[1:]
        for name in names[1:]:
            assert m["files"][name]["checksum"] == hashlib.md5(data[name]).hexdigest()
        with tarfile.open(b.path, "r:gz") as tar:
            assert tar.getmember("run.sh").mode == 0o755 and tar.getmember("app.py").mode == 0o644


def test_large_files_and_a_large_manifest_make_a_valid_archive_for_every_reader(tmp_path):
    """Files longer than the copy buffer, and a manifest longer than one stored deflate block."""
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "app.py").write_text("app = None\n")
    blob = (b"0123456789abcdef" * 70000) + bytes(range(256)) * 3000  # ~1.9 MB, over the 1 MiB copy chunk
    (folder / "blob.bin").write_bytes(blob)
    for i in range(1200):  # ~1200 manifest entries: well over 64 KiB of manifest.json
        (folder / "many" / ("file-%04d-with-a-longish-name.txt" % i)).parent.mkdir(exist_ok=True)
        (folder / "many" / ("file-%04d-with-a-longish-name.txt" % i)).write_text(str(i))
    with bundle.app_bundle(folder, "python-api", "app:app", SNAPSHOT) as b:
        names, data = read_bundle(b)
        assert names[0] == "manifest.json" and len(data["manifest.json"]) > 65535
        assert data["blob.bin"] == blob
        m = json.loads(data["manifest.json"])
        assert m["files"]["blob.bin"]["checksum"] == hashlib.md5(blob).hexdigest()
        assert len(names) == 1 + 1 + 2 + 1200
        # Streaming readers: the gzip module in one go, and GNU tar (via gzip).
        raw = gzip.decompress(b.path.read_bytes())
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            assert tar.getnames() == names
        listing = subprocess.run(["tar", "tzf", str(b.path)], capture_output=True, text=True, check=True).stdout
        assert listing.split() == names


def test_write_manifest_then_the_manifest_bundle_matches(tmp_path):
    folder = make_tree(tmp_path / "dash-app", ["app.py", "assets/style.css", "data/rows.csv"])
    written = bundle.write_app_manifest(folder, "python-dash", "app:app", SNAPSHOT, excludes=["data"])
    assert written == [folder / "requirements.txt", folder / "manifest.json"]
    assert (folder / "requirements.txt").read_text() == SNAPSHOT["requirements"]
    raw = (folder / "manifest.json").read_bytes()
    m = json.loads(raw)
    assert sorted(m["files"]) == ["app.py", "assets/style.css", "requirements.txt"]
    with bundle.app_bundle(folder, "python-dash", "app:app", SNAPSHOT, excludes=["data"]) as b:
        assert b.manifest == m
    with bundle.manifest_bundle(folder / "manifest.json") as b:
        names, data = read_bundle(b)
        assert names == ["manifest.json", "requirements.txt", "app.py", "assets/style.css"]
        assert data["manifest.json"] == raw  # the manifest as it is
        assert bundle.changed_files(b, m) == []
    with pytest.raises(InvalidInput, match="--overwrite"):
        bundle.write_app_manifest(folder, "python-dash", "app:app", SNAPSHOT)
    # With requirements.txt present (source "file"), it is kept and only the manifest is rewritten.
    as_file = dict(SNAPSHOT, source="file")
    assert bundle.write_app_manifest(folder, "python-dash", "app:app", as_file, overwrite=True) == [
        folder / "manifest.json"
    ]


def test_manifest_bundle_reports_changed_files_and_refuses_missing_or_outside_ones(tmp_path):
    folder = make_tree(tmp_path / "api", ["app.py", "helpers.py"])
    bundle.write_app_manifest(folder, "python-api", "app:app", SNAPSHOT)
    (folder / "helpers.py").write_text("changed\n")
    m, _ = bundle.read_manifest(folder)  # a folder works too
    with bundle.manifest_bundle(folder / "manifest.json") as b:
        assert bundle.changed_files(b, m) == ["helpers.py"]
    (folder / "helpers.py").unlink()
    with pytest.raises(InvalidInput) as err:
        bundle.manifest_bundle(folder / "manifest.json")
    assert "lists helpers.py, which is not in" in str(err.value) and "write-manifest" in str(err.value)
    m["files"]["../secret.txt"] = {"checksum": "0" * 32}
    (folder / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(InvalidInput, match="outside its folder"):
        deploy.check_manifest(folder / "manifest.json")


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "is not valid JSON"),
        ('{"version": 1, "files": {"a.py": {}}}', "no metadata.appmode"),
        ('{"version": 1, "metadata": {"appmode": "python-api"}, "files": {}}', "lists no files"),
    ],
)
def test_invalid_manifests_are_one_sentence(tmp_path, text, message):
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(InvalidInput, match=message):
        deploy.check_manifest(tmp_path / "manifest.json")
    with pytest.raises(InvalidInput, match="does not exist"):
        deploy.check_manifest(tmp_path / "elsewhere" / "manifest.json")


def test_manifest_titles(tmp_path):
    folder = make_tree(tmp_path / "quarterly", ["report.ipynb", "index.html", "app.py"])
    path = folder / "manifest.json"
    assert (
        deploy.manifest_title(path, {"metadata": {"appmode": "jupyter-static", "entrypoint": "report.ipynb"}})
        == "report"
    )
    assert deploy.manifest_title(path, {"metadata": {"appmode": "static", "primary_html": "index.html"}}) == "index"
    assert deploy.manifest_title(path, {"metadata": {"appmode": "python-api", "entrypoint": "app:app"}}) == "quarterly"
    assert deploy.manifest_title(path, {"metadata": {"appmode": "python-streamlit", "entrypoint": "app.py"}}) == "app"
    assert deploy.manifest_title(path, {"metadata": {"appmode": "python-dash"}}) == "quarterly"


def test_an_unreadable_file_is_one_sentence(tmp_path):
    """A path that cannot be opened for reading (a folder in place of the file: refused even to root)."""
    folder = make_tree(tmp_path / "app", ["app.py"])
    (folder / "key.pem").mkdir()
    files = [bundle.BundleFile("app.py", path=folder / "app.py"), bundle.BundleFile("key.pem", path=folder / "key.pem")]
    with pytest.raises(BundleError, match=r"Could not read .*key\.pem \(Is a directory\).*-x/--exclude"):
        bundle.write_bundle(bundle.app_manifest("python-api", "app:app", SNAPSHOT), files)


def test_parallel_gzip_is_one_valid_stream_whatever_the_thread_count(tmp_path):
    """Blocks deflated apart (primed with the 32 KiB before them) make one gzip stream, the same bytes
    with one thread or several, and compress like a single stream."""
    text = b"".join(b"%d,station-%d,%.3f\n" % (i, i % 97, i * 0.37) for i in range(250000))  # ~6 MB
    outputs = []
    for threads in (1, 3):
        out = io.BytesIO()
        with bundle._ParallelGzip(out, 6, 0, threads=threads) as gz:
            for start in range(0, len(text), 700000):  # writes that do not line up with the blocks
                gz.write(memoryview(text)[start : start + 700000])
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0]) == text
    single = gzip.compress(text, 6)
    assert len(outputs[0]) < len(single) * 1.01
    (tmp_path / "x.gz").write_bytes(outputs[0])
    subprocess.run(["gzip", "-t", str(tmp_path / "x.gz")], check=True)
