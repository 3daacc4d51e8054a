"""Saved servers and deployment records, in rsconnect-python's files and keys.

Both tools read each other's files: `servers.json` in the rsconnect-python config folder (a JSON
object keyed by nickname, mode 0600 since it holds API keys) and, beside each deployed file,
`rsconnect-python/<file name without extension>.json` (a JSON object keyed by server URL).
Writes go to a temporary file that replaces the old one (`os.replace`), under an exclusive lock,
so a crash or a concurrent writer never leaves half a file.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, cast

from . import credentials
from .exceptions import Fix, Hint, InvalidInput, RSConnectError

RECORD_VERSION = 1  # rsconnect-python's app_store_version


class _SavedServerKeys(TypedDict):
    name: str
    url: str


class SavedServer(_SavedServerKeys, total=False):
    """An entry of `servers.json`, keyed by its nickname (rsconnect-python's keys)."""

    api_key: str | None  # rsconnect-python also keeps shinyapps.io accounts here, which have none
    insecure: bool
    ca_cert: str | None  # PEM text, or a file path
    default: bool  # written only when true
    # A server signed in with OAuth (`rsconnect login`), as rsconnect-python 1.32 keeps it; the
    # tokens are here only where no system keyring works (credentials.py).
    oauth_client_id: str
    oauth_access_token: str
    oauth_refresh_token: str
    oauth_token_expiry: float


class DeploymentRecord(TypedDict, total=False):
    """Where a file was deployed on one server: rsconnect-python's keys."""

    server_url: str
    filename: str  # the deployed file's absolute path
    app_url: str  # the content URL
    app_id: str  # Connect's numeric id, as a string
    app_guid: str
    title: str | None
    app_mode: str
    app_store_version: int  # RECORD_VERSION
    draft_bundle_id: str  # ours: the last deploy was a draft (--draft), not live until activated
    draft_url: str


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/rsconnect-python`, else `~/.rsconnect-python` (rsconnect-python's rule)."""
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if sys.platform == "darwin":
        base = os.path.join(home, "Library", "Application Support")
    elif sys.platform == "win32":
        base = os.environ.get("APPDATA") or home
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or home
    if base == home:
        return Path(home, ".rsconnect-python")
    return Path(base, "rsconnect-python")


def normalize_url(url: str | None) -> str:
    """Server URLs compare without a trailing slash (`http://h/rsc/` == `http://h/rsc`)."""
    return (url or "").strip().rstrip("/")


@dataclass
class Server:
    name: str
    url: str
    api_key: str | None = field(repr=False)  # never shown, never logged
    insecure: bool = False
    ca_cert: str | None = field(default=None, repr=False)  # PEM text (rsconnect-python) or a file path
    default: bool = False
    oauth_client_id: str | None = None  # signed in with `rsconnect login` (signin.py), not a key
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    token_expiry: float | None = None  # seconds since the epoch
    secrets_in: str = "servers.json"  # where its secrets are: "servers.json" or "keyring" (not saved)

    @property
    def signs_in_with(self) -> str:
        return "OAuth" if self.oauth_client_id else "API key"

    def secrets(self) -> dict[str, str | None]:
        """Its secrets by credentials.py's field names."""
        if self.oauth_client_id:
            return {"access_token": self.access_token, "refresh_token": self.refresh_token}
        return {"api_key:" + self.name: self.api_key}

    def to_json(self, with_secrets: bool = True) -> SavedServer:
        entry: SavedServer = {
            "name": self.name,
            "url": self.url,
            "api_key": self.api_key if with_secrets and not self.oauth_client_id else None,
            "insecure": bool(self.insecure),
            "ca_cert": self.ca_cert,
        }
        if self.oauth_client_id:
            entry["oauth_client_id"] = self.oauth_client_id
            if with_secrets and self.access_token:
                entry["oauth_access_token"] = self.access_token
            if with_secrets and self.refresh_token:
                entry["oauth_refresh_token"] = self.refresh_token
            if self.token_expiry is not None:
                entry["oauth_token_expiry"] = self.token_expiry
        if self.default:
            entry["default"] = True
        return entry

    @classmethod
    def from_json(cls, entry: SavedServer) -> Server:
        expiry = entry.get("oauth_token_expiry")
        return cls(
            name=entry.get("name"),
            url=entry.get("url"),
            api_key=entry.get("api_key"),
            insecure=bool(entry.get("insecure")),
            ca_cert=entry.get("ca_cert"),
            default=bool(entry.get("default")),
            oauth_client_id=entry.get("oauth_client_id") or None,
            access_token=entry.get("oauth_access_token") or None,
            refresh_token=entry.get("oauth_refresh_token") or None,
            token_expiry=float(expiry) if isinstance(expiry, (int, float)) else None,
        )


def _has_secrets(entry: object) -> bool:
    return isinstance(entry, dict) and any(
        entry.get(k) for k in ("api_key", "oauth_access_token", "oauth_refresh_token")
    )


def _keep_extra(old: Mapping[str, Any], new: SavedServer) -> dict[str, Any]:
    """`new`, plus the keys another tool wrote that we do not know (kept, minus secrets)."""
    kept = {k: v for k, v in old.items() if k not in ("api_key", "oauth_access_token", "oauth_refresh_token")}
    kept.update(cast("dict[str, Any]", new))
    return kept


# ---------------------------------------------------------------------------------------------
# Atomic JSON files


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of `path`.

    The lock is taken on the folder itself, so no stray lock files appear beside records.
    """
    held = _held.__dict__.setdefault("paths", set())
    if path in held:  # this thread holds it already (a token refresh saves under its lock)
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path.parent), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(path)
        yield
    finally:
        held.discard(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_held = threading.local()  # the paths each thread has locked


def _read_json(path: Path) -> dict[str, Any]:
    """The file's JSON object (`{}` when there is no file): values as any tool wrote them."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise RSConnectError("%s is not valid JSON: fix or remove it." % path) from None
    if not isinstance(data, dict):
        raise RSConnectError("%s does not hold a JSON object: fix or remove it." % path)
    return data


def _write_json(path: Path, data: Mapping[str, object], private: bool = False) -> None:
    """Write beside the target, then replace it: readers see the old file or the new one.

    The temporary file is created with its final mode and the kernel applies the umask: reading
    the umask means setting it (os.umask), which in the multi-threaded Jupyter server would make
    any file another thread creates meanwhile world-writable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if private else 0o666  # saved servers hold keys; records are shared files
    tmp = path.parent / (".%s.%s.tmp" % (path.name, os.urandom(6).hex()))  # as secrets.token_hex(6), minus an import
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=4)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, str(path))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# Servers


class ServerStore:
    """The saved servers: `servers.json`, keyed by nickname."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else config_dir() / "servers.json"

    def _load(self) -> dict[str, Any]:
        data = _read_json(self.path)
        if credentials.available() and any(_has_secrets(e) for e in data.values()):
            data = self._move_secrets_to_keyring()
        return data

    def _move_secrets_to_keyring(self) -> dict[str, Any]:
        """Entries written without a keyring (by us before, or by rsconnect-python) move their
        secrets to the keyring on first use, and servers.json keeps none."""
        with _locked(self.path):
            data = _read_json(self.path)
            moved = False
            for name, entry in data.items():
                if _has_secrets(entry):
                    server = Server.from_json(cast(SavedServer, entry))
                    if credentials.put(server.url, server.secrets()):
                        data[name] = _keep_extra(entry, server.to_json(with_secrets=False))
                        moved = True
            if moved:
                _write_json(self.path, data, private=True)
            return data

    def _server(self, entry: SavedServer) -> Server:
        """The entry as a Server, its secrets read from the keyring when servers.json has none."""
        server = Server.from_json(entry)
        if not _has_secrets(entry) and credentials.available():
            found = {f: credentials.get(server.url, f) for f in server.secrets()}
            if any(found.values()):
                server.secrets_in = "keyring"
                if server.oauth_client_id:
                    server.access_token, server.refresh_token = found["access_token"], found["refresh_token"]
                else:
                    server.api_key = found["api_key:" + server.name]
        return server

    def list(self) -> builtins.list[Server]:
        servers = [
            self._server(cast(SavedServer, e)) for e in self._load().values() if isinstance(e, dict) and e.get("url")
        ]
        return sorted(servers, key=lambda s: s.name or "")

    def get(self, name_or_url: str | None) -> Server | None:
        """The server with this nickname, else the one saved under this URL, else None."""
        if not name_or_url:
            return None
        data = self._load()
        entry = data.get(name_or_url)
        if isinstance(entry, dict) and entry.get("url"):
            return self._server(cast(SavedServer, entry))
        wanted = normalize_url(name_or_url)
        for entry in data.values():
            if isinstance(entry, dict) and normalize_url(entry.get("url")) == wanted:
                return self._server(cast(SavedServer, entry))
        return None

    def add(self, server: Server, default: bool | None = None) -> Server:
        """Add or replace the server under its nickname. `default=True` makes it the default.
        Its secrets go to the system keyring when one works, else into servers.json (0600):
        `server.secrets_in` says which."""
        if not server.name:
            raise InvalidInput("A saved server needs a nickname: pass -n NAME.")
        with _locked(self.path):
            data = _read_json(self.path)
            old = data.get(server.name) or {}
            if default is None:
                default = bool(old.get("default"))
            if default:
                for entry in data.values():
                    if isinstance(entry, dict):
                        entry.pop("default", None)
            server.default = bool(default)
            in_keyring = credentials.put(server.url, server.secrets())
            server.secrets_in = "keyring" if in_keyring else "servers.json"
            data[server.name] = server.to_json(with_secrets=not in_keyring)
            _write_json(self.path, data, private=True)
        return server

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """The lock of servers.json, for a read-modify-write across calls (a token refresh)."""
        return _locked(self.path)

    def forget_tokens(self, server: Server) -> None:
        """Drop a signed-in server's tokens (keyring and file); its entry and client id stay."""
        with _locked(self.path):
            data = _read_json(self.path)
            entry = data.get(server.name)
            if isinstance(entry, dict):
                for key in ("oauth_access_token", "oauth_refresh_token", "oauth_token_expiry"):
                    entry.pop(key, None)
                _write_json(self.path, data, private=True)
            credentials.delete(server.url, ["access_token", "refresh_token"])

    def remove(self, name: str) -> bool:
        """Forget a server by nickname (or URL). Returns whether one was removed."""
        with _locked(self.path):
            data = _read_json(self.path)
            key = name if name in data else None
            if key is None:
                wanted = normalize_url(name)
                key = next(
                    (k for k, e in data.items() if isinstance(e, dict) and normalize_url(e.get("url")) == wanted), None
                )
            if key is None:
                return False
            gone = Server.from_json(cast(SavedServer, data.pop(key)))
            _write_json(self.path, data, private=True)
            credentials.delete(gone.url, list(gone.secrets()))
            return True

    def default(self) -> Server | None:
        """The server marked default, else the only saved one, else None."""
        servers = self.list()
        for s in servers:
            if s.default:
                return s
        return servers[0] if len(servers) == 1 else None

    def resolve(
        self,
        name: str | None = None,
        url: str | None = None,
        api_key: str | None = None,
        insecure: bool = False,
        ca_cert: str | None = None,
    ) -> Server:
        """The server to talk to, by the CLI's rules.

        An explicit URL and key win (a saved server with that URL lends its TLS options); a
        nickname (or a saved URL) names a saved server; with neither, the default or the only
        saved server. Explicit `api_key`, `insecure`, `ca_cert` override saved values.
        """
        saved = None
        if name:
            saved = self.get(name)
            if saved is None:
                if "://" not in name:
                    raise InvalidInput(
                        'No saved server is called "%s": "rsconnect list" shows the saved servers.' % name
                    )
                url = url or name
        if saved is None and url:
            saved = self.get(url)
            if saved is None:
                if not api_key:
                    raise InvalidInput("No API key for %s" % url, hint=Hint(Fix.GIVE_API_KEY))
                return Server(name=name or url, url=url, api_key=api_key, insecure=insecure, ca_cert=ca_cert)
        if saved is None:
            saved = self.default()
            if saved is None:
                count = len(self.list())
                if count == 0:
                    raise InvalidInput(
                        "No server given and none saved: pass -s URL -k KEY, or save one with "
                        '"rsconnect add" (or start "rsconnect local-server").'
                    )
                raise InvalidInput(
                    'No server given and %d are saved: choose one with -n NAME ("rsconnect list" shows them).' % count
                )
        return dataclasses.replace(
            saved,
            api_key=api_key or saved.api_key,
            insecure=bool(insecure or saved.insecure),
            ca_cert=ca_cert or saved.ca_cert,
        )


# ---------------------------------------------------------------------------------------------
# Deployment records


def _record_secondary_path(deployed_path: str | os.PathLike[str]) -> Path:
    """rsconnect-python's fallback when the file's folder is not writable."""
    digest = hashlib.sha1(os.path.abspath(str(deployed_path)).encode("utf-8")).digest()
    name = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return config_dir() / "applications" / (name + ".json")


class DeploymentStore:
    """Where a file (or directory) was deployed: one record per server URL.

    A record has rsconnect-python's keys: server_url, filename, app_url, app_id, app_guid,
    title, app_mode, app_store_version.
    """

    def __init__(self, deployed_path: str | os.PathLike[str]) -> None:
        self.deployed_path = Path(os.path.abspath(str(deployed_path)))
        name = self.deployed_path.name
        base = name.rsplit(".", 1)[0] if self.deployed_path.suffix else name
        self.path = self.deployed_path.parent / "rsconnect-python" / (base + ".json")
        self.secondary_path = _record_secondary_path(self.deployed_path)

    def _load(self) -> dict[str, Any]:
        data = _read_json(self.path)
        if not data and self.secondary_path.exists():
            data = _read_json(self.secondary_path)
        return data

    def all(self) -> list[DeploymentRecord]:
        return [cast(DeploymentRecord, r) for r in self._load().values() if isinstance(r, dict)]

    def get(self, server_url: str) -> DeploymentRecord | None:
        data = self._load()
        record = data.get(server_url)
        if isinstance(record, dict):
            return cast(DeploymentRecord, record)
        wanted = normalize_url(server_url)
        for key, record in data.items():
            if isinstance(record, dict) and normalize_url(key.split("#")[0]) == wanted:
                return cast(DeploymentRecord, record)
        return None

    def save(self, server_url: str, record: DeploymentRecord) -> Path:
        """Remember a successful deployment to `server_url` (other servers' records are kept)."""
        record = {**record, "server_url": server_url}
        record.setdefault("filename", str(self.deployed_path))
        record.setdefault("app_store_version", RECORD_VERSION)
        for path in (self.path, self.secondary_path):
            try:
                with _locked(path):
                    data = _read_json(path)
                    # Drop an entry for the same server spelled differently (trailing slash).
                    for key in [k for k in data if normalize_url(k) == normalize_url(server_url)]:
                        del data[key]
                    data[server_url] = record
                    _write_json(path, data)
                return path
            except OSError:  # a read-only folder: rsconnect-python's fallback in the config folder
                continue
        raise RSConnectError(
            "Could not save the deployment record in %s: check that the folder is writable." % self.path.parent
        )
