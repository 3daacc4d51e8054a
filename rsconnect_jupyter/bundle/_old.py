"""Bundles: `.tar.gz` files with manifest.json first, written to a temporary file.

A bundle is streamed to disk file by file (never held in memory) and uploaded from there. Every
file is read once: its MD5 (the manifest's checksums) is computed while it is copied into the
archive (see `write_bundle`).

Builders:
  html_snapshot_bundle   a notebook rendered to HTML as saved (or executed first)   -> static
  notebook_source_bundle a notebook, its requirements.txt and extra files          -> jupyter-static
  html_bundle            an existing HTML file and the files it needs              -> static
  app_bundle             an API's or app's directory (apps.py chooses the files)   -> python-*
  manifest_bundle        exactly the files an existing manifest.json lists         -> its own mode
"""
import collections
import hashlib
import io
import json
import os
import struct
import tarfile
import tempfile
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import apps
from . import manifest as manifests
from .exceptions import BundleError, InvalidInput
from .progress import BUILD, Meter, ProgressCallback

# Never part of a bundle when a folder is included (apps.py has the rules, virtual environments too).
EXCLUDED_DIRS = apps.EXCLUDED_DIR_NAMES
EXCLUDED_FILES = apps.EXCLUDED_FILE_NAMES


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

    def __init__(self, path, manifest, checksums=None):
        self.path = Path(path)
        self.manifest = manifest
        self.checksums = checksums or {}  # arcname -> MD5 of the bytes written into the archive

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
        for chunk in iter(lambda: f.read(COPY_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# The archive is written in one pass over the files: each chunk read is hashed (MD5, for the
# manifest) and compressed at once, so no file is read twice and memory stays flat. Connect
# wants manifest.json first, but its checksums are only known at the end; so the file starts
# with a gap of exactly the right size, the files go after it as one gzip member (the level of
# `tar czf`), and the manifest is written into the gap last as a gzip member of its own made of
# stored (uncompressed) deflate blocks, whose length depends only on the manifest's length,
# which is known in advance (every checksum is 32 hex digits). Two gzip members one after the
# other are one valid gzip stream (RFC 1952), read as such by tar, Python's gzip and Go's.
# The files' member is compressed by a few threads (`_ParallelGzip`) while the main thread reads
# and hashes, so bundling keeps up with (or beats) `tar czf`.
GZIP_LEVEL = 6  # what `tar czf` (gzip's default) uses; tarfile's default of 9 is ~3x slower
COPY_CHUNK = 1 << 20
_STORED_BLOCK = 0xFFFF
_TAR_BLOCK = 512
_PLACEHOLDER = "0" * 32


def _tar_header(arcname, size, mtime, mode=0o644):
    info = tarfile.TarInfo(arcname)
    info.size = size
    info.mtime = int(mtime)
    info.mode = mode
    info.type = tarfile.REGTYPE
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _tar_padding(size):
    return b"\0" * (-size % _TAR_BLOCK)


def _stored_gzip_length(size):
    blocks = max(1, -(-size // _STORED_BLOCK))
    return 10 + 5 * blocks + size + 8


def _stored_gzip(data, mtime):
    """A gzip member holding `data` in stored deflate blocks (its length: `_stored_gzip_length`)."""
    out = [b"\x1f\x8b\x08\x00", struct.pack("<I", int(mtime) & 0xFFFFFFFF), b"\x00\xff"]
    view = memoryview(data)
    offsets = list(range(0, len(data), _STORED_BLOCK)) or [0]
    for i, start in enumerate(offsets):
        block = view[start:start + _STORED_BLOCK]
        final = 1 if i == len(offsets) - 1 else 0
        out.append(struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF))
        out.append(bytes(block))
    out.append(struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF))
    return b"".join(out)


def _compression_threads():
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _deflate(block, zdict, level):
    """Raw deflate of one block, primed with the 32 KiB before it, ending on a byte boundary."""
    if zdict:
        c = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY, zdict)
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)


class _ParallelGzip:
    """A gzip member compressed by a few threads, as pigz does (zlib lets go of the GIL).

    The data is cut into 1 MiB blocks; each is deflated on its own, primed with the 32 KiB that
    precede it (so the ratio stays that of one stream) and flushed to a byte boundary; the blocks
    are written in order, then an empty final block and the CRC-32 and size of the whole. The main
    thread meanwhile reads and hashes the next files. At most a few blocks are in flight.
    """

    def __init__(self, raw, level, mtime, threads=None):
        from concurrent.futures import ThreadPoolExecutor

        self.raw = raw
        self.level = level
        self.threads = threads or _compression_threads()
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="rsconnect-gzip")
        self.pending = collections.deque()
        self.buffer = bytearray()
        self.previous = b""
        self.crc = 0
        self.size = 0
        raw.write(b"\x1f\x8b\x08\x00" + struct.pack("<I", int(mtime) & 0xFFFFFFFF) + b"\x00\xff")

    def write(self, data):
        self.buffer += data
        while len(self.buffer) >= COPY_CHUNK:
            block = bytes(self.buffer[:COPY_CHUNK])
            del self.buffer[:COPY_CHUNK]
            self._submit(block)

    def _submit(self, block):
        self.crc = zlib.crc32(block, self.crc)
        self.size += len(block)
        self.pending.append(self.pool.submit(_deflate, block, self.previous, self.level))
        self.previous = block[-32768:]
        while len(self.pending) > 2 * self.threads:
            self.raw.write(self.pending.popleft().result())

    def close(self):
        try:
            if self.buffer:
                self._submit(bytes(self.buffer))
                self.buffer = bytearray()
            while self.pending:
                self.raw.write(self.pending.popleft().result())
            # An empty final block (fixed Huffman), then the trailer.
            self.raw.write(b"\x03\x00" + struct.pack("<II", self.crc & 0xFFFFFFFF, self.size & 0xFFFFFFFF))
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _copy_hashing(bundle_file, size, out, buffer, meter):
    """Copy `size` bytes of the file (the size in its tar header) into `out`, hashing as it goes."""
    digest = hashlib.md5()
    if bundle_file.data is not None:
        digest.update(bundle_file.data)
        out.write(bundle_file.data)
        meter.add(len(bundle_file.data))
        return digest.hexdigest()
    remaining = size
    view = memoryview(buffer)
    with open(bundle_file.path, "rb", buffering=0) as src:
        while remaining:
            n = src.readinto(view[:min(len(buffer), remaining)])
            if not n:
                raise BundleError("%s got shorter while the bundle was being written: publish again once nothing "
                                  "is writing to it." % bundle_file.path)
            chunk = view[:n]
            digest.update(chunk)
            out.write(chunk)
            remaining -= n
            meter.add(n)
    return digest.hexdigest()


def write_bundle(manifest, files, manifest_bytes=None, progress: Optional[ProgressCallback] = None) -> Bundle:
    """Write manifest.json then every file to a temporary .tar.gz, in one pass over the files.

    The manifest's `files` are filled in with each file's MD5, computed while the file is copied.
    With `manifest_bytes` (`deploy manifest`), those exact bytes are the bundle's manifest.json and
    the checksums found are kept in `Bundle.checksums` (for the caller to compare). `progress`
    hears of the files' bytes read (phase "build", of the sum of their sizes).
    """
    manifest = dict(manifest)
    files = list(files)
    mtime = time.time()
    # Sizes as the tar headers say them, even if a file grows meanwhile; executables stay executable.
    stats = [(len(f.data), mtime, 0o644) if f.data is not None else _stat(f) for f in files]
    if manifest_bytes is None:
        manifest["files"] = {f.arcname: {"checksum": _PLACEHOLDER} for f in files}
        manifest_length = len(_manifest_json(manifest))
    else:
        manifest_length = len(manifest_bytes)
    head = _tar_header("manifest.json", manifest_length, mtime)
    head_member_length = len(head) + manifest_length + len(_tar_padding(manifest_length))
    gap = _stored_gzip_length(head_member_length)
    meter = Meter(progress, BUILD, sum(size for size, _, _ in stats))
    meter.start()

    checksums = {}
    fd, path = tempfile.mkstemp(prefix="rsconnect-bundle-", suffix=".tar.gz")
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.seek(gap)
            buffer = bytearray(COPY_CHUNK)
            with _ParallelGzip(raw, GZIP_LEVEL, mtime) as gz:
                for f, (size, file_mtime, mode) in zip(files, stats):
                    gz.write(_tar_header(f.arcname, size, file_mtime, mode))
                    try:
                        checksums[f.arcname] = _copy_hashing(f, size, gz, buffer, meter)
                    except OSError as e:
                        raise _unreadable(f, e)
                    gz.write(_tar_padding(size))
                gz.write(b"\0" * (2 * _TAR_BLOCK))  # end of archive
            if manifest_bytes is None:
                manifest["files"] = {name: {"checksum": checksums[name]} for name in manifest["files"]}
                manifest_bytes = _manifest_json(manifest)
            else:
                manifest = json.loads(manifest_bytes.decode("utf-8"))
            assert len(manifest_bytes) == manifest_length, "manifest length changed"
            member = _stored_gzip(head + manifest_bytes + _tar_padding(manifest_length), mtime)
            assert len(member) == gap, "manifest member does not fill its gap"
            raw.seek(0)
            raw.write(member)
    except BaseException:
        os.unlink(path)
        raise
    meter.finish()
    return Bundle(path, manifest, checksums)


def _stat(bundle_file):
    try:
        st = os.stat(bundle_file.path)
    except OSError as e:
        raise _unreadable(bundle_file, e)
    return st.st_size, st.st_mtime, 0o755 if st.st_mode & 0o111 else 0o644


def _unreadable(bundle_file, error):
    return BundleError("Could not read %s (%s): fix it, or leave it out (-x/--exclude for a directory)."
                       % (bundle_file.path, error.strerror or error))


def _manifest_json(manifest):
    return json.dumps(manifest, indent=2).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Choosing files


def walk_directory(directory, base):
    """Files under `directory` as BundleFiles named relative to `base`, minus what never belongs
    (apps.py's rules: version control, caches, virtual environments, records, the config folder)."""
    directory = Path(directory)
    return [BundleFile((directory / rel).relative_to(base).as_posix(), path=directory / rel)
            for rel in apps.list_files(directory)]


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


def _check_notebook_path(notebook_path):
    path = Path(notebook_path)
    if not path.is_file():
        raise InvalidInput("The notebook %s does not exist." % notebook_path)
    if path.suffix.lower() != ".ipynb":
        raise InvalidInput("%s is not a notebook: give a .ipynb file." % notebook_path)
    return path


def _invalid_notebook(notebook_path, e):
    reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return BundleError("%s is not a valid notebook (%s): open and save it in Jupyter, or fix the file."
                       % (notebook_path, reason.rstrip(".")[:200]))


def read_notebook(notebook_path):
    """The notebook as nbformat v4 (a NotebookNode, validated by nbformat), or one clear sentence about
    why it cannot be used. Imports nbformat (slow: jsonschema); only HTML rendering needs it."""
    path = _check_notebook_path(notebook_path)
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
    except Exception as e:
        raise _invalid_notebook(notebook_path, e)
    return nb


def check_notebook_file(notebook_path):
    """The notebook parsed with the standard library's json (a plain dict), or one clear sentence about
    why it cannot be used.

    For source bundles and manifests, which send the file as it is: nbformat 4, `metadata` a dict,
    `cells` a list of dicts each with a `cell_type` and a `source`. Older formats (which nbformat
    converts) go through `read_notebook`, so they are accepted or refused exactly as before.
    """
    path = _check_notebook_path(notebook_path)
    try:
        with open(str(path), encoding="utf8") as f:
            text = f.read()
        try:
            nb = json.loads(text)
        except ValueError:
            message = "Notebook does not appear to be JSON: %r" % text  # nbformat's words
            raise ValueError(message[:77] + "..." if len(message) > 80 else message)
        if not isinstance(nb, dict):
            raise ValueError("The notebook is a JSON %s, not an object" % type(nb).__name__)
        version = nb.get("nbformat", 1)  # nbformat's default
        if type(version) is not int:
            raise ValueError("Unsupported nbformat version %r" % (version,))
        if version != 4:
            return dict(read_notebook(path))  # 1-3 (nbformat converts them) or unsupported: as before
        if not isinstance(nb.get("metadata"), dict):
            raise ValueError("The notebook's metadata is missing or not an object")
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ValueError("The notebook's cells are missing or not a list")
        for i, cell in enumerate(cells):
            if not isinstance(cell, dict):
                raise ValueError("Cell %d is not an object" % (i + 1))
            for key in ("cell_type", "source"):
                if key not in cell:
                    raise ValueError("Cell %d has no %s" % (i + 1, key))
            if not isinstance(cell["cell_type"], str):
                raise ValueError("Cell %d's cell_type is not a string" % (i + 1))
            source = cell["source"]
            if not (isinstance(source, str) or (isinstance(source, list)
                                                and all(isinstance(line, str) for line in source))):
                raise ValueError("Cell %d's source is not text" % (i + 1))
    except BundleError:
        raise
    except Exception as e:
        raise _invalid_notebook(notebook_path, e)
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
                         execute=False, progress: Optional[ProgressCallback] = None) -> Bundle:
    """`static`: the notebook rendered to `<name>.html`, plus the extra files."""
    path = Path(notebook_path)
    extras = collect_files(path.parent, extra_files)
    html_name = path.stem + ".html"
    html = render_html(path, hide_all_input, hide_tagged_input, execute).encode("utf-8")
    files = _unique([BundleFile(html_name, data=html)] + extras)
    return write_bundle(manifests.static_manifest(html_name), files, progress=progress)


def notebook_source_files(notebook_path, snapshot, extra_files=()):
    """The files of a notebook with source: the notebook, requirements.txt, the extra files."""
    path = Path(notebook_path)
    check_notebook_file(path)
    extras = collect_files(path.parent, extra_files)
    requirements = BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8"))
    return _unique([BundleFile(path.name, path=path.resolve()), requirements] + extras)


def notebook_source_bundle(notebook_path, snapshot, extra_files=(), hide_all_input=False, hide_tagged_input=False,
                           progress: Optional[ProgressCallback] = None) -> Bundle:
    """`jupyter-static`: Connect rebuilds the environment and renders the notebook itself."""
    path = Path(notebook_path)
    files = notebook_source_files(path, snapshot, extra_files)
    manifest = manifests.notebook_manifest(path.name, snapshot, hide_all_input, hide_tagged_input)
    return write_bundle(manifest, files, progress=progress)


def html_bundle(html_path, extra_files=(), progress: Optional[ProgressCallback] = None) -> Bundle:
    """`static` from an existing HTML file."""
    path = Path(html_path)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput("%s is not an HTML file: give a .html file." % html_path)
    extras = collect_files(path.parent, extra_files)
    files = _unique([BundleFile(path.name, path=path.resolve())] + extras)
    return write_bundle(manifests.static_manifest(path.name), files, progress=progress)


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


# ---------------------------------------------------------------------------------------------
# APIs and apps: a directory


def app_files(directory, snapshot, extra_files=(), excludes=()):
    """The files of an API's or app's bundle: requirements.txt, then the directory's files.

    requirements.txt is the snapshot's (the directory's own file as-is, or the generated list);
    EXTRA_FILES are included even when an exclude or a default rule would leave them out.
    """
    directory = Path(os.path.abspath(str(directory)))
    if not directory.is_dir():
        raise InvalidInput("%s is not a directory: give the folder that holds the app." % directory)
    rules = excludes if isinstance(excludes, apps.Excludes) else apps.Excludes(directory, excludes)
    files = [BundleFile(manifests.REQUIREMENTS_FILE, data=snapshot["requirements"].encode("utf-8"))]
    files += [BundleFile(rel, path=directory / rel) for rel in apps.list_files(directory, rules)
              if rel != manifests.REQUIREMENTS_FILE]
    files += [f for f in collect_files(directory, extra_files) if f.arcname != "manifest.json"]
    return _unique(files)


def app_manifest(app_mode, entrypoint, snapshot):
    return manifests.python_manifest(app_mode, entrypoint, snapshot)


def app_bundle(directory, app_mode, entrypoint, snapshot, extra_files=(), excludes=(), files=None,
               progress: Optional[ProgressCallback] = None) -> Bundle:
    """`python-api`, `python-fastapi`, `python-dash`, `python-streamlit` or `python-bokeh`."""
    files = app_files(directory, snapshot, extra_files, excludes) if files is None else files
    return write_bundle(app_manifest(app_mode, entrypoint, snapshot), files, progress=progress)


def write_app_manifest(directory, app_mode, entrypoint, snapshot, extra_files=(), excludes=(), overwrite=False):
    """`rsconnect write-manifest TYPE DIR`: DIR/manifest.json, and DIR/requirements.txt if missing.

    Returns the paths written. The checksums match the bundle `deploy TYPE` would build, so
    `deploy manifest DIR/manifest.json` publishes the same thing.
    """
    directory = Path(os.path.abspath(str(directory)))
    manifest_path = directory / "manifest.json"
    requirements_path = directory / manifests.REQUIREMENTS_FILE
    if manifest_path.exists() and not overwrite:
        raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
    if requirements_path.exists() and snapshot.get("source") != "file" and not overwrite:
        raise InvalidInput("%s exists but --force-generate lists the installed packages instead: pass --overwrite "
                           "to replace it too, or leave out --force-generate." % requirements_path)
    files = app_files(directory, snapshot, extra_files, excludes)
    manifest = app_manifest(app_mode, entrypoint, snapshot)
    manifest["files"] = {f.arcname: {"checksum": md5_of(f)} for f in files}
    written = []
    if not requirements_path.exists() or snapshot.get("source") != "file":
        requirements_path.write_text(snapshot["requirements"], encoding="utf-8", newline="")
        written.append(requirements_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    written.append(manifest_path)
    return written


# ---------------------------------------------------------------------------------------------
# An existing manifest.json


def find_manifest(path):
    """`path` itself, or the manifest.json in it when it is a directory."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    if not path.is_file():
        raise InvalidInput("%s does not exist: give a manifest.json (write one with \"rsconnect write-manifest\")."
                           % path)
    return path


def read_manifest(path):
    """The manifest (parsed) and its exact bytes, or one sentence about what is wrong with it."""
    path = find_manifest(path)
    raw = path.read_bytes()
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidInput("%s is not valid JSON (%s): fix it, or write it again with \"rsconnect write-manifest\"."
                           % (path, str(e).rstrip(".")))
    metadata = manifest.get("metadata") if isinstance(manifest, dict) else None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("appmode"), str) or not metadata["appmode"]:
        raise InvalidInput("%s has no metadata.appmode, so Connect could not tell what it is: write it again with "
                           "\"rsconnect write-manifest\"." % path)
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise InvalidInput("%s lists no files: write it again with \"rsconnect write-manifest\"." % path)
    return manifest, raw


def manifest_files(path, manifest):
    """The files a manifest lists, as BundleFiles; each must exist beside it (manifest.json itself aside)."""
    path = find_manifest(path)
    base = path.parent.resolve()
    files, missing = [], []
    for name in manifest["files"]:
        if name == "manifest.json":
            continue
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or ".." in parts or (len(name) > 1 and name[1] == ":"):
            raise InvalidInput('%s lists "%s", which is outside its folder: files must be given relative to the '
                               "manifest's folder." % (path, name))
        full = base.joinpath(*[p for p in parts if p not in ("", ".")])
        if not full.is_file():
            missing.append(name)
        else:
            files.append(BundleFile("/".join(p for p in parts if p not in ("", ".")), path=full))
    if missing:
        shown = ", ".join(missing[:3]) + (" and %d more" % (len(missing) - 3) if len(missing) > 3 else "")
        verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
        raise InvalidInput("%s lists %s, which %s not in %s: restore %s, or write the manifest again with "
                           "\"rsconnect write-manifest\"." % (path.name, shown, verb, base, pronoun))
    return files


def manifest_bundle(path, progress: Optional[ProgressCallback] = None) -> Bundle:
    """The manifest as it is (its exact bytes) and exactly the files it lists; its app mode is kept.

    `Bundle.checksums` holds the MD5 of what was bundled, to compare with the manifest's.
    """
    manifest, raw = read_manifest(path)
    files = manifest_files(path, manifest)
    return write_bundle(manifest, files, manifest_bytes=raw, progress=progress)


def changed_files(bundle, manifest):
    """Names whose bundled bytes differ from the checksum the manifest gives."""
    changed = []
    for name, entry in (manifest.get("files") or {}).items():
        expected = entry.get("checksum") if isinstance(entry, dict) else None
        got = bundle.checksums.get(name)
        if expected and got and expected.lower() != got:
            changed.append(name)
    return changed
