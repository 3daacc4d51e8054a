"""Bundles: `.tar.gz` files with manifest.json first, written to a temporary file.

A bundle is streamed to disk file by file (never held in memory) and uploaded from there. Every
file is read once for its MD5 (the manifest's checksums) and once into the archive.

Builders:
  html_snapshot_bundle   a notebook rendered to HTML as saved (or executed first)   -> static
  notebook_source_bundle a notebook, its requirements.txt and extra files          -> jupyter-static
  html_bundle            an existing HTML file and the files it needs              -> static
Directory bundles for APIs and apps reuse `collect_files` and `write_bundle`.
"""
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from . import manifest as manifests
from .exceptions import BundleError, InvalidInput

# Never part of a bundle when a folder is included.
EXCLUDED_DIRS = {".git", ".svn", ".hg", "__pycache__", ".ipynb_checkpoints", "rsconnect-python", ".venv",
                 "venv", "env", ".env", "node_modules", ".mypy_cache", ".pytest_cache"}
EXCLUDED_FILES = {"manifest.json", ".DS_Store"}


@dataclass
class BundleFile:
    """One file of a bundle: its name inside the archive and where its bytes come from."""

    arcname: str
    path: Path = None
    data: bytes = None

    def open(self):
        return open(self.path, "rb") if self.data is None else io.BytesIO(self.data)

    def size(self):
        return len(self.data) if self.data is not None else os.path.getsize(self.path)


class Bundle:
    """A built bundle on disk. Use as a context manager so the temporary file goes away."""

    def __init__(self, path, manifest):
        self.path = Path(path)
        self.manifest = manifest

    @property
    def app_mode(self):
        return self.manifest["metadata"]["appmode"]

    @property
    def size(self):
        return self.path.stat().st_size

    def names(self):
        with tarfile.open(self.path, "r:gz") as tar:
            return tar.getnames()

    def open(self):
        """The archive as an open binary file, for a streamed upload."""
        return open(self.path, "rb")

    def close(self):
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def md5_of(bundle_file):
    digest = hashlib.md5()
    with bundle_file.open() as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_bundle(manifest, files):
    """Fill the manifest's checksums and write manifest.json then every file to a temp .tar.gz."""
    manifest = dict(manifest)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    fd, path = tempfile.mkstemp(prefix="rsconnect-bundle-", suffix=".tar.gz")
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add(tar, BundleFile("manifest.json", data=json.dumps(manifest, indent=2).encode("utf-8")))
            for f in files:
                _add(tar, f)
    except BaseException:
        os.unlink(path)
        raise
    return Bundle(path, manifest)


def _add(tar, bundle_file):
    info = tarfile.TarInfo(bundle_file.arcname)
    info.size = bundle_file.size()
    info.mtime = int(time.time()) if bundle_file.path is None else int(os.path.getmtime(bundle_file.path))
    info.mode = 0o644
    with bundle_file.open() as f:
        tar.addfile(info, f)


# ---------------------------------------------------------------------------------------------
# Choosing files


def _is_virtualenv(path):
    return (path / "pyvenv.cfg").exists() or (path / "bin" / "activate").exists()


def walk_directory(directory, base):
    """Files under `directory` as BundleFiles named relative to `base`, minus what never belongs."""
    found = []
    for root, dirs, names in os.walk(directory):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not _is_virtualenv(root_path / d))
        for name in sorted(names):
            if name in EXCLUDED_FILES:
                continue
            path = root_path / name
            if path.is_file():
                found.append(BundleFile(path.relative_to(base).as_posix(), path=path))
    return found


def collect_files(base, extra_files):
    """The user's extra files (and folders) as BundleFiles; each must lie under `base`."""
    base = Path(base).resolve()
    files = []
    for extra in extra_files:
        given = Path(extra)
        path = given
        if not given.is_absolute():
            # Relative to the working directory as a shell would complete it, else to the folder
            # (rsconnect-python's reading).
            path = Path.cwd() / given
            if not path.exists() and (base / given).exists():
                path = base / given
        path = path.resolve()
        try:
            path.relative_to(base)
        except ValueError:
            raise InvalidInput("%s is outside %s: extra files must be in the notebook's folder or below it."
                               % (extra, base))
        if path.is_dir():
            files.extend(walk_directory(path, base))
        elif path.is_file():
            files.append(BundleFile(path.relative_to(base).as_posix(), path=path))
        else:
            raise InvalidInput("The extra file %s does not exist." % extra)
    return files


def _unique(files):
    """Drop later files with a name already taken (the first wins: the notebook, requirements.txt)."""
    seen, out = set(), []
    for f in files:
        if f.arcname not in seen:
            seen.add(f.arcname)
            out.append(f)
    return out


# ---------------------------------------------------------------------------------------------
# Notebooks


def read_notebook(notebook_path):
    """The notebook as nbformat v4, or one clear sentence about why it cannot be used."""
    import nbformat

    path = Path(notebook_path)
    if not path.is_file():
        raise InvalidInput("The notebook %s does not exist." % notebook_path)
    if path.suffix.lower() != ".ipynb":
        raise InvalidInput("%s is not a notebook: give a .ipynb file." % notebook_path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
    except Exception as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BundleError("%s is not a valid notebook (%s): open and save it in Jupyter, or fix the file."
                          % (notebook_path, reason.rstrip(".")[:200]))
    return nb


def render_html(notebook_path, hide_all_input=False, hide_tagged_input=False, execute=False, timeout=600):
    """The notebook as one HTML document: as saved, or executed first with `execute`."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    path = Path(notebook_path)
    nb = read_notebook(path)
    if execute:
        from nbconvert.preprocessors import ExecutePreprocessor

        kernel = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
        try:
            ExecutePreprocessor(timeout=timeout, kernel_name=kernel).preprocess(
                nb, {"metadata": {"path": str(path.parent.resolve())}})
        except Exception as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[-1]
            raise BundleError("Running %s failed (%s): fix the notebook, or publish it without --execute."
                              % (path.name, first.rstrip(".")[:300]))
    exporter = HTMLExporter()
    if hide_all_input:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
    if hide_tagged_input:
        exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"hide_input"}, enabled=True),
                                       enabled=True)
    try:
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    except Exception as e:
        raise BundleError("Rendering %s to HTML failed (%s)." % (path.name, str(e).strip()[:200] or type(e).__name__))
    return body


def html_snapshot_bundle(notebook_path, extra_files=(), hide_all_input=False, hide_tagged_input=False,
                         execute=False):
    """`static`: the notebook rendered to `<name>.html`, plus the extra files."""
    path = Path(notebook_path)
    extras = collect_files(path.parent, extra_files)
    html_name = path.stem + ".html"
    html = render_html(path, hide_all_input, hide_tagged_input, execute).encode("utf-8")
    files = _unique([BundleFile(html_name, data=html)] + extras)
    return write_bundle(manifests.static_manifest(html_name), files)


def notebook_source_files(notebook_path, snapshot, extra_files=()):
    """The files of a notebook with source: the notebook, requirements.txt, the extra files."""
    path = Path(notebook_path)
    read_notebook(path)
    extras = collect_files(path.parent, extra_files)
    requirements = BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8"))
    return _unique([BundleFile(path.name, path=path.resolve()), requirements] + extras)


def notebook_source_bundle(notebook_path, snapshot, extra_files=(), hide_all_input=False, hide_tagged_input=False):
    """`jupyter-static`: Connect rebuilds the environment and renders the notebook itself."""
    path = Path(notebook_path)
    files = notebook_source_files(path, snapshot, extra_files)
    manifest = manifests.notebook_manifest(path.name, snapshot, hide_all_input, hide_tagged_input)
    return write_bundle(manifest, files)


def html_bundle(html_path, extra_files=()):
    """`static` from an existing HTML file."""
    path = Path(html_path)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput("%s is not an HTML file: give a .html file." % html_path)
    extras = collect_files(path.parent, extra_files)
    files = _unique([BundleFile(path.name, path=path.resolve())] + extras)
    return write_bundle(manifests.static_manifest(path.name), files)


def write_notebook_manifest(notebook_path, snapshot, extra_files=(), hide_all_input=False,
                            hide_tagged_input=False, overwrite=False):
    """`rsconnect write-manifest notebook`: manifest.json (and requirements.txt if missing) beside it.

    Returns the paths written. The checksums match the bundle deploy would build.
    """
    path = Path(notebook_path)
    folder = path.parent
    manifest_path = folder / "manifest.json"
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    files = notebook_source_files(path, snapshot, extra_files)
    manifest = manifests.notebook_manifest(path.name, snapshot, hide_all_input, hide_tagged_input)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    requirements_path = folder / manifests.REQUIREMENTS_FILE
    if not requirements_path.exists():
        requirements_path.write_text(snapshot["requirements"], encoding="utf-8")
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written
