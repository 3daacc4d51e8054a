"""What a publish needs, as typed objects: built once by the CLI (commands/) or by the notebook
handlers (jupyter/) and handed to the deploy core, which alone checks them (as twine's Settings).

    Target            where: the server, and which content (--app-id, --new)
    ContentOptions    the content's title and environment variables
    EnvironmentOptions where the Python version and packages come from
    FilesOptions      the files that go along (extra files, -x globs)
    NotebookOptions   how a notebook is published (HTML snapshot or source, hidden input)
    AppOptions        an API or app: its app mode and entrypoint
    Feedback          where the core reports: log lines, details (-v), byte progress
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .progress import ProgressCallback

if TYPE_CHECKING:
    from .connect import ConnectClient
    from .snapshot import Snapshot
    from .store import Server


@dataclass(frozen=True)
class TLS:
    """How the server's certificate is checked (-i/--insecure, -c/--cacert, or a saved server's)."""

    insecure: bool = False
    ca_cert: str | None = field(default=None, repr=False)  # the CA's PEM text (rsconnect-python's way) or a path


@dataclass(frozen=True)
class ServerChoice:
    """A server as the command line names it: -n NAME, or -s URL (with -k KEY unless it is saved).

    Naming none means the server this file was deployed to, else the default or only saved one:
    the core resolves it (deploy.choose_server), since only it knows which file is deployed.
    """

    name: str | None = None
    url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    tls: TLS = TLS()


@dataclass(frozen=True)
class Target:
    """Where a publish goes: `app_id` (numeric id or GUID) names the content; else the record of
    the deployed file on this server; `new` (or no record) creates new content."""

    server: Server | ServerChoice | ConnectClient
    app_id: str | None = None
    new: bool = False


@dataclass(frozen=True)
class SharingOptions:
    """Who may see the content, set after the deploy (sharing.py): the access type, and viewers and
    collaborators by username or e-mail address. Empty: the content's sharing stays as it is."""

    access: str | None = None  # one of ACCESS_TYPES; None keeps the content's
    viewers: tuple[str, ...] = ()
    collaborators: tuple[str, ...] = ()
    vanity: str | None = None  # a path on the server, "/sales/q4/"
    tags: tuple[str, ...] = ()  # tag names, or paths "Parent/Child" in Connect's tag tree

    def __bool__(self) -> bool:
        return bool(self.access or self.viewers or self.collaborators or self.vanity or self.tags)


ACCESS_TYPES = ("all", "logged_in", "acl")


@dataclass(frozen=True)
class ContentOptions:
    """`title` (default: after the file, for new content; an update keeps its title unless given),
    the environment variables set on the content before the upload (values never printed), and who
    may see it (set after the deploy)."""

    title: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    sharing: SharingOptions = SharingOptions()
    draft: bool = False  # upload and build, but leave the live version live (Connect 2025.06 and later)


@dataclass(frozen=True)
class EnvironmentOptions:
    """Where the Python version and the packages come from: `snapshot`, taken elsewhere (the
    notebook's kernel), else one taken with `python` (default: this Python). The packages come
    from the project's files (project_files.py: requirements.txt, pylock.toml, uv.lock,
    pyproject.toml, or `requirements_file`); `force_generate` lists the installed packages even
    beside them. `package_installer` ("uv" or "pip") is the installer the server is asked to use."""

    python: str | None = None
    force_generate: bool = False
    requirements_file: str | None = None
    package_installer: str | None = None
    snapshot: Snapshot | None = None
    ignore_python_version: bool = False  # deploy even when the server has no such MAJOR.MINOR


@dataclass(frozen=True)
class FilesOptions:
    """Extra files (inside the content's folder; always bundled) and, for a directory, -x globs."""

    extra_files: Sequence[str | Path] = ()
    excludes: Sequence[str] = ()


@dataclass(frozen=True)
class NotebookOptions:
    """An HTML snapshot (`static`, optionally run first with `execute`) or the source; hidden input."""

    static: bool = False
    execute: bool = False
    hide_all_input: bool = False
    hide_tagged_input: bool = False


@dataclass(frozen=True)
class AppOptions:
    """An API or app from a directory: its app mode (python-api, -fastapi, ...) and `module[:object]`."""

    app_mode: str
    entrypoint: str | None = None


def _ignore(_message: str) -> None:
    pass


@dataclass(frozen=True)
class Feedback:
    """Where the core reports a publish: `log` its steps and the server's task log, `detail` what
    -v shows (the requirements, the files), `progress` the bundle's build and upload bytes."""

    log: Callable[[str], None] = print
    detail: Callable[[str], None] = _ignore
    progress: ProgressCallback | None = None


@dataclass(frozen=True)
class CheckOptions:
    """The checks before upload (checks.py)."""

    strict: bool = False  # --strict (the dialogs: before "Publish anyway"): findings refuse the publish
