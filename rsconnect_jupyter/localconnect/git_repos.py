"""Git-backed content: fetch a repository with the `git` command and make a bundle of the folder
that holds manifest.json (what Connect does with `v1/content/{guid}/repository`).

Each content item keeps a bare mirror of its repository (DATA/content/GUID/git), fetched again for
every check, so a new commit costs only its own objects. The bundle is `git archive COMMIT:FOLDER`,
gzipped into the content's uploads folder and checked there like an upload; nothing is recorded
until it passed. Only http(s) and file URLs are fetched, never with a prompt for a password.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import bundles, intake

GIT_TIMEOUT = 300  # seconds one git command may take (a fetch of a large repository)
SCHEMES = ("http", "https", "file")


class RepositoryRefused(Exception):
    """The repository, branch or folder cannot be deployed: `message` is one sentence saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Location:
    """Where the content comes from: the repository's URL, a branch (or tag, or commit) and the
    folder in it that holds manifest.json ("." for the top)."""

    repository: str
    ref: str
    directory: str = "."

    @property
    def folder(self) -> str:
        """The directory as git names a tree: no leading or trailing slash, "" for the top."""
        return self.directory.strip("/").removeprefix("./") if self.directory.strip("/") not in ("", ".") else ""


@dataclass(frozen=True)
class Fetched:
    """A bundle made from a repository: its archive (in the uploads folder), checked manifest and commit."""

    upload: intake.Upload
    manifest: dict[str, Any]
    commit: str


def shown(url: str) -> str:
    """The URL without a password or token in it: what logs and refusals may show."""
    parts = urlsplit(url)
    if parts.password is None and not (parts.username and parts.scheme in ("http", "https")):
        return url
    host = parts.hostname or ""
    if parts.port:
        host += ":%d" % parts.port
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_location(location: Location) -> None:
    """Refuse, before any fetch, what is not a repository URL this server fetches, a ref or a folder."""
    scheme = urlsplit(location.repository).scheme.lower()
    if scheme not in SCHEMES:
        raise RepositoryRefused(
            "The repository URL must start with https://, http:// or file:// (git's own protocol and SSH "
            "are not fetched), not %r." % shown(location.repository)
        )
    if not location.ref or location.ref.startswith("-") or not re.fullmatch(r"[\w./-]+", location.ref):
        raise RepositoryRefused("%r is not a branch, tag or commit name: give one such as main." % location.ref)
    parts = location.folder.split("/") if location.folder else []
    if any(p in ("", "..", ".git") for p in parts) or location.directory.startswith("/"):
        raise RepositoryRefused(
            "The directory %r must be a folder inside the repository, such as reports/q4 (or . for the top)."
            % location.directory
        )


class Git:
    """The git commands, run with a clean environment (no prompt, only the allowed protocols)."""

    def __init__(self, timeout: float = GIT_TIMEOUT) -> None:
        self.timeout = timeout
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/"),
            "GIT_TERMINAL_PROMPT": "0",  # a repository that asks for a password fails, never waits
            "GIT_ASKPASS": "true",
            "GIT_ALLOW_PROTOCOL": ":".join(SCHEMES),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }

    def run(self, args: list[str], what: str, url: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], env=self.env, capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            raise RepositoryRefused("This server cannot fetch repositories: git is not installed on it.") from None
        except subprocess.TimeoutExpired:
            raise RepositoryRefused(
                "Fetching %s did not finish within %d seconds: check that it is reachable from this server."
                % (shown(url), self.timeout)
            ) from None
        if done.returncode != 0:
            said = [line for line in done.stderr.splitlines() if line.strip()]
            reason = said[-1].removeprefix("fatal: ").strip() if said else "git exited with %d" % done.returncode
            raise RepositoryRefused(
                "Cannot %s %s (git says: %s): check the URL and that this server can reach it."
                % (what, shown(url), reason.replace(url, shown(url)).rstrip("."))
            )
        return done.stdout


class Repositories:
    """Fetching repositories into each content's mirror, one fetch per content at a time."""

    def __init__(self, content_root: str, limits: bundles.BundleLimits, max_size: int) -> None:
        self.content_root = content_root
        self.limits = limits
        self.max_size = max_size
        self.git = Git()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, guid: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(guid, threading.Lock())

    def mirror(self, guid: str) -> str:
        return os.path.join(self.content_root, guid, "git")

    def head(self, location: Location) -> str:
        """The commit the branch (or tag) points at now, without fetching: what polling compares."""
        check_location(location)
        out = self.git.run(
            ["ls-remote", "--", location.repository, "refs/heads/" + location.ref, "refs/tags/" + location.ref],
            "reach",
            location.repository,
        )
        found = [line.split("\t")[0] for line in out.splitlines() if "\t" in line]
        if not found:
            raise RepositoryRefused(
                "The repository %s has no branch %r: name one of its branches."
                % (shown(location.repository), location.ref)
            )
        return found[0]

    def fetch(self, guid: str, location: Location, uploads: str) -> Fetched:
        """Fetch the repository, find the commit and the folder's manifest.json, and write the bundle
        (checked as an upload is) into `uploads`. Raises RepositoryRefused with the reason."""
        check_location(location)
        with self.lock(guid):
            mirror = self.mirror(guid)
            if not os.path.isdir(mirror):
                os.makedirs(mirror)
                self.git.run(["init", "--quiet", "--bare", mirror], "prepare a copy of", location.repository)
            self.git.run(
                [
                    "-C", mirror, "fetch", "--quiet", "--prune", "--force", "--no-tags", "--", location.repository,
                    "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*",
                ],
                "fetch",
                location.repository,
            )  # fmt: skip
            commit = self._commit(mirror, location)
            self._check_folder(mirror, location, commit)
            upload = self._archive(mirror, location, commit, uploads)
        try:
            manifest = upload.finish()
        except bundles.BundleRefused as e:
            upload.discard()
            raise RepositoryRefused(
                "The folder %s of %s cannot be deployed: %s"
                % (location.directory, shown(location.repository), e.message)
            ) from None
        return Fetched(upload, manifest, commit)

    def forget(self, guid: str) -> None:
        """Remove the content's mirror (its repository was removed)."""
        with self.lock(guid):
            shutil.rmtree(self.mirror(guid), ignore_errors=True)

    def _commit(self, mirror: str, location: Location) -> str:
        ref = location.ref
        candidates = ["refs/remotes/origin/" + ref, "refs/tags/" + ref]
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            candidates.append(ref)
        for name in candidates:
            done = subprocess.run(
                ["git", "-C", mirror, "rev-parse", "--quiet", "--verify", name + "^{commit}"],
                env=self.git.env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                return done.stdout.strip()
        raise RepositoryRefused(
            "The repository %s has no branch %r: name one of its branches." % (shown(location.repository), ref)
        )

    def _check_folder(self, mirror: str, location: Location, commit: str) -> None:
        path = location.folder + "/manifest.json" if location.folder else "manifest.json"
        done = subprocess.run(
            ["git", "-C", mirror, "cat-file", "-t", "%s:%s" % (commit, path)],
            env=self.git.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or done.stdout.strip() != "blob":
            where = "the folder %s" % location.directory if location.folder else "its top folder"
            raise RepositoryRefused(
                "The branch %r of %s has no manifest.json in %s: write one with `rsconnect write-manifest` "
                "and commit it, or give the folder that has it with --directory."
                % (location.ref, shown(location.repository), where)
            )

    def _archive(self, mirror: str, location: Location, commit: str, uploads: str) -> intake.Upload:
        """`git archive` of the folder at the commit, gzipped into an Upload (hashed and checked)."""
        upload = intake.Upload(uploads, self.max_size, self.limits)
        tree = "%s:%s" % (commit, location.folder) if location.folder else commit
        proc = subprocess.Popen(
            ["git", "-C", mirror, "archive", "--format=tar", tree],
            env=self.git.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert proc.stdout is not None
            with gzip.GzipFile(fileobj=_Into(upload), mode="wb", mtime=0) as out:
                shutil.copyfileobj(proc.stdout, out, 1 << 20)
            code = proc.wait(self.git.timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            upload.discard()
            raise
        if code != 0:
            upload.discard()
            raise RepositoryRefused("git could not write the folder %s as a bundle." % location.directory)
        if upload.over:
            upload.discard()
            raise RepositoryRefused(
                "The folder %s is larger than this server's bundle limit of %d bytes."
                % (location.directory, self.max_size)
            )
        return upload


class _Into:
    """A write-only file over an Upload, for GzipFile."""

    def __init__(self, upload: intake.Upload) -> None:
        self.upload = upload

    def write(self, data: bytes) -> int:
        self.upload.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass
