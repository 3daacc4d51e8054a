"""Python environments for content, built once and reused.

An environment is keyed by (Python MAJOR.MINOR.PATCH, sha256 of the requirements' significant lines): a redeploy with
the same requirements reuses it, which is what makes redeploys fast. It is built under a temporary
name and renamed into place, so a half-built environment is never used; a lock per key (a thread
lock, plus a file lock when several servers share the folder) makes concurrent deploys build it once.
"""

from __future__ import annotations

import ast
import email.parser
import functools
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone
    fcntl = None  # type: ignore[assignment]  # checked before each use; mypy sees the POSIX module only

if TYPE_CHECKING:
    from .interpreters import Interpreter


class Log(Protocol):
    """Receives one line of progress for the deploy's log."""

    def __call__(self, line: str) -> None: ...


class RunCommand(Protocol):
    """Runs a command, streams its output to the log, returns its exit status."""

    def __call__(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> int: ...


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def find_uv() -> str | None:
    """The uv executable: the `uv` package's, else one on PATH, else None (pip is used)."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except Exception:
        return shutil.which("uv")


# pip's settings that say where packages come from, and the uv variables that, when set, mean the
# administrator already told uv (then pip's value is not passed).
_PIP_TO_UV = (
    ("index-url", "--index-url", ("UV_INDEX_URL", "UV_DEFAULT_INDEX")),
    ("extra-index-url", "--extra-index-url", ("UV_EXTRA_INDEX_URL", "UV_INDEX")),
    ("find-links", "--find-links", ("UV_FIND_LINKS",)),
    ("constraint", "--constraint", ("UV_CONSTRAINT",)),
)


@functools.lru_cache(maxsize=1)
def pip_settings() -> dict[str, str]:
    """pip's effective configuration (files and PIP_* variables), as `pip config list` shows it.

    Read once per server process (about 0.2 s): a changed pip.conf needs a server restart."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    # pip applies [global], then [install], then PIP_* variables: later ones win.
    rank = {"global": 0, "install": 1, ":env:": 2}
    found: dict[str, tuple[int, str]] = {}
    for line in out.splitlines():
        name, _, value = line.partition("=")
        section, _, key = name.rpartition(".")
        if section not in rank or not value:
            continue
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            continue
        if key not in found or rank[section] >= found[key][0]:
            found[key] = (rank[section], str(value))
    return {key: value for key, (_, value) in found.items()}


def _uv_configured() -> bool:
    names = [
        os.environ.get("UV_CONFIG_FILE"),
        "/etc/uv/uv.toml",
        os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "uv", "uv.toml"),
    ]
    return any(name and os.path.isfile(name) for name in names)


def uv_index_options(
    settings: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """(arguments for `uv pip install`, extra environment): pip's index settings, since uv does
    not read pip's configuration and the server used to install with pip. Nothing when uv has a
    configuration file of its own, or for a setting whose uv variable is set."""
    environ = os.environ if environ is None else environ
    if settings is None:
        if _uv_configured():
            return [], {}
        settings = pip_settings()
    args: list[str] = []
    env: dict[str, str] = {}
    for pip_key, flag, uv_vars in _PIP_TO_UV:
        if not settings.get(pip_key) or any(environ.get(v) for v in uv_vars):
            continue
        for value in settings[pip_key].split():
            args += [flag, value]
    # pip takes the best version over all indexes and links; uv by default stops at the first
    # index that has the package. Same environment as pip would build: pip's rule.
    if any(a in ("--extra-index-url", "--find-links") for a in args) and not environ.get("UV_INDEX_STRATEGY"):
        args += ["--index-strategy", "unsafe-best-match"]
    cert = settings.get("cert")
    if cert and os.path.isfile(cert) and not environ.get("SSL_CERT_FILE"):
        env["SSL_CERT_FILE"] = cert  # uv's own CA roots otherwise; pip's bundle may hold a local CA
    return args, env


NOTEBOOK_EXTRAS = ("ipykernel",)


def installer_of(manifest: Mapping[str, Any]) -> str | None:
    """The installer the bundle asks for: "pip" or "uv" from python.package_manager.allow_uv, which
    rsconnect-python (and our CLI) write for --package-installer; None (absent) lets the server
    choose: uv when it has it."""
    python = manifest.get("python")
    manager = python.get("package_manager") if isinstance(python, Mapping) else None
    allow_uv = manager.get("allow_uv") if isinstance(manager, Mapping) else None
    if allow_uv is None:
        return None
    return "uv" if allow_uv else "pip"


def env_key(
    python_version: str, requirements: bytes, extras: Sequence[str] = NOTEBOOK_EXTRAS, installer: str | None = None
) -> str:
    """The environment's name: Python version, the requirements and the server's own packages.

    Comment and blank lines are left out of the hash: they change nothing that gets installed,
    and generated lists often start with a timestamp comment that would defeat reuse.
    """
    lines = [line.strip() for line in requirements.decode("utf-8", "replace").splitlines()]
    significant = "\n".join(line for line in lines if line and not line.startswith("#"))
    data = significant + "\n# server packages: " + " ".join(extras)
    digest = hashlib.sha256(data.encode()).hexdigest()
    # An environment pip built is kept apart from uv's (the default: those keep their names).
    return "py%s-%s%s" % (python_version, digest[:20], "-pip" if installer == "pip" else "")


def venv_python(venv: str) -> str:
    if os.name == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


class EnvironmentError_(Exception):
    pass


def ensure(
    root: str,
    interpreter: Interpreter,
    requirements: bytes,
    log: Log,
    run: RunCommand,
    extras: Sequence[str] = NOTEBOOK_EXTRAS,
    installer: str | None = None,
) -> str:
    """The environment's folder, built if needed, with `installer` ("uv" or "pip"; None: uv when
    found, else pip).

    `log(line)` receives progress; `run(argv, env=None)` runs a command, streams its output to the
    log and returns its exit status (the runner's, so a stopping server can kill it). `extras` are
    the packages the server itself needs in the environment (ipykernel for notebooks, an HTTP server
    for apps); unpinned, so a pin in the requirements wins.
    """
    key = env_key(interpreter.version, requirements, extras, installer)
    final = os.path.join(root, key)
    os.makedirs(root, exist_ok=True)
    with _thread_lock(key):
        lock_file = open(os.path.join(root, key + ".lock"), "a+")
        try:
            if fcntl:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            if os.path.isdir(final):
                log("Reusing the Python environment %s (Python %s, same requirements)." % (key, interpreter.version))
                return final
            log("Building a new Python environment %s with Python %s." % (key, interpreter.version))
            building = os.path.join(root, ".building-%s-%s" % (key, uuid.uuid4().hex[:8]))
            try:
                _build(building, interpreter, requirements, log, run, extras, installer)
                os.rename(building, final)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            log("The Python environment is ready.")
            return final
        finally:
            if fcntl:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
            lock_file.close()


def _build(
    venv: str,
    interpreter: Interpreter,
    requirements: bytes,
    log: Log,
    run: RunCommand,
    extras: Sequence[str],
    installer: str | None = None,
) -> None:
    uv = find_uv() if installer != "pip" else None
    req_file = os.path.join(os.path.dirname(venv), os.path.basename(venv) + ".requirements.txt")
    with open(req_file, "wb") as f:
        f.write(requirements)
    try:
        env = None
        if uv:
            log("Installing packages with uv.")
            index_args, index_env = uv_index_options()
            env = dict(os.environ, **index_env) if index_env else None
            steps = [
                [uv, "venv", "--quiet", "--python", interpreter.path, venv],
                [uv, "pip", "install", "--python", venv_python(venv), *index_args, "-r", req_file, *extras],
            ]
        else:
            log(
                "Installing packages with pip (the bundle asks for pip)."
                if installer == "pip"
                else "Installing packages with pip (uv was not found)."
            )
            steps = [
                [interpreter.path, "-m", "venv", venv],
                [venv_python(venv), "-m", "pip", "install", "--disable-pip-version-check", "-r", req_file, *extras],
            ]
        for argv in steps:
            status = run(argv, env=env)
            if status != 0:
                raise EnvironmentError_(
                    "Installing the Python packages failed (exit status %d): see the log above." % status
                )
    finally:
        os.unlink(req_file)


def freeze(venv: str) -> str:
    """The environment's packages as `pip freeze` lists them (uv's, or pip's without uv): the
    lockfile Connect serves for content that runs in it."""
    uv = find_uv()
    argv = [uv, "pip", "freeze", "--python", venv_python(venv)] if uv else [venv_python(venv), "-m", "pip", "freeze"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise EnvironmentError_("Listing the environment's packages failed: %s" % done.stderr.strip())
    return done.stdout


def remove(root: str, key: str) -> bool:
    """Remove the environment `key` under the lock its builds take (so a deploy that wants it waits,
    then builds it again); renamed away first, so it is never used half-removed. False when absent."""
    final = os.path.join(root, key)
    with _thread_lock(key):
        with open(os.path.join(root, key + ".lock"), "a+") as lock_file:
            if fcntl:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            if not os.path.isdir(final):
                return False
            doomed = os.path.join(root, ".removing-%s-%s" % (key, uuid.uuid4().hex[:8]))
            os.rename(final, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


def built(root: str) -> list[str]:
    """The keys of the environments built under `root` (not half-built or half-removed ones)."""
    if not os.path.isdir(root):
        return []
    return sorted(n for n in os.listdir(root) if n.startswith("py") and os.path.isdir(os.path.join(root, n)))


def python_version_of(key: str) -> str:
    """The Python version an environment was built with, from its key (`py3.11.2-<hash>[-pip]`)."""
    return key[2:].split("-", 1)[0]


def installed(venv: str) -> list[tuple[str, str]]:
    """(name, version) of every distribution installed in an environment, sorted by name: read from
    its site-packages' metadata, as pip lists them, without running its Python."""
    found: dict[str, tuple[str, str]] = {}
    lib = os.path.join(venv, "Lib") if os.name == "nt" else os.path.join(venv, "lib")
    for folder in glob.glob(os.path.join(lib, "site-packages")) + glob.glob(
        os.path.join(lib, "python*", "site-packages")
    ):
        for meta in glob.glob(os.path.join(folder, "*.dist-info", "METADATA")):
            with open(meta, encoding="utf-8", errors="replace") as f:
                headers = email.parser.Parser().parse(f, headersonly=True)
            name, version = headers.get("Name"), headers.get("Version")
            if name and version:
                found[name.lower().replace("_", "-")] = (name, version)
    return [found[k] for k in sorted(found)]


def clean_leftovers(root: str) -> None:
    """Remove environment builds a stopped server left half-done (not ones another server is running)."""
    if not os.path.isdir(root):
        return
    for name in os.listdir(root):
        if name.startswith(".removing-"):  # removed (remove()) but not yet deleted when the server stopped
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
            continue
        if not name.startswith(".building-"):
            continue
        key = name[len(".building-") :].rsplit("-", 1)[0]
        with open(os.path.join(root, key + ".lock"), "a+") as lock_file:
            if fcntl:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # being built right now by another server sharing this folder
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
