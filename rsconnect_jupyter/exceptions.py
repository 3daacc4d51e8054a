"""Errors a user can cause, each with a message that says what happened and what to do.

The CLI turns any `RSConnectError` into one line and a non-zero exit; the notebook handlers
turn it into the dialog's message. Anything else is a bug and keeps its traceback.

Advice that names a control (an option of the command line, a checkbox of the dialog) is not
written into the sentence: the error carries it as a `Hint`, and each front end words it.
`str(err)` words it for the command line (`COMMAND_LINE_ADVICE`); the dialogs use their own
words (jupyter/wording.py), so rewording one never breaks the other.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class Fix(enum.Enum):
    """What the user can change to get past an error, named once for every front end."""

    PUBLISH_COPY = "publish-copy"  # publish new content: a copy of their own (not theirs to change)
    PUBLISH_NEW_CONTENT = "publish-new-content"  # the content has another type: publish new content
    CREATE_NEW_CONTENT = "create-new-content"  # the id names no content: create new content instead
    MATCH_PYTHON = "match-python"  # use a Python the server has, or deploy anyway
    TRUST_SERVER_CA = "trust-server-ca"  # name the server's CA, or skip the certificate check
    GIVE_API_KEY = "give-api-key"  # give the server's API key
    PUBLISH_ANYWAY = "publish-anyway"  # the checks before upload found problems: fix them, or go on
    GIVE_CA_CERT = "give-ca-cert"  # name the CA certificate again: a PEM file, or its text
    CHOOSE_TITLE = "choose-title"  # the title breaks Connect's rule: choose another
    PUBLISH_LIVE = "publish-live"  # the server cannot keep drafts: publish live instead
    NEW_OR_UPDATE = "new-or-update"  # new content and an update of one were both asked for: choose one
    LEAVE_OUT_FILE = "leave-out-file"  # a file that cannot be read: fix it, or leave it out
    NAME_VARIABLE = "name-variable"  # an environment variable's name breaks the rule: name it again


@dataclass(frozen=True)
class Hint:
    """What to do, as data: `fix` is worded by each front end; `first` is advice that reads the
    same everywhere (say "check the id"), given before it as "<first>, or <fix>"."""

    fix: Fix
    first: str = ""


# How the command line says each fix (and what `str(err)` says).
COMMAND_LINE_ADVICE: Mapping[Fix, str] = {
    Fix.PUBLISH_COPY: "pass --new to publish a copy of your own",
    Fix.PUBLISH_NEW_CONTENT: "pass --new to publish new content",
    Fix.CREATE_NEW_CONTENT: "leave out --app-id to create new content",
    Fix.MATCH_PYTHON: "use a matching Python with --python PATH, or pass --ignore-python-version to deploy anyway",
    Fix.TRUST_SERVER_CA: "pass --cacert FILE with the server's CA, or --insecure if you trust this network",
    Fix.GIVE_API_KEY: 'pass -k/--api-key (or set CONNECT_API_KEY), or save the server with "rsconnect add"',
    Fix.PUBLISH_ANYWAY: "fix what the warnings above name, or leave out --strict to publish anyway",
    Fix.GIVE_CA_CERT: "pass --cacert FILE with the server's CA certificate in PEM form",
    Fix.CHOOSE_TITLE: "choose another with -t/--title",
    Fix.PUBLISH_LIVE: "leave out --draft to publish live",
    Fix.NEW_OR_UPDATE: "pass --new or --app-id, not both",
    Fix.LEAVE_OUT_FILE: "fix it, or leave it out (-x/--exclude for a directory)",
    Fix.NAME_VARIABLE: "use -E NAME=VALUE or -E NAME, the name in letters, digits and _ (not starting with a digit)",
}


class RSConnectError(Exception):
    """Base of every error a user can cause. `str(err)` is one sentence for the user.

    Without a hint, `message` is the whole sentence. With one, `message` says what happened (no
    final stop) and the sentence is "<message>: <advice>.", the advice worded by `worded()`.
    """

    def __init__(self, message: str, *, hint: Hint | None = None) -> None:
        self.problem = message
        self.hint = hint
        self.message = self.worded(COMMAND_LINE_ADVICE)
        super().__init__(self.message)

    def worded(self, advice: Mapping[Fix, str]) -> str:
        """The sentence, with the hint (if any) in the words of one front end."""
        if self.hint is None:
            return self.problem
        fix = advice[self.hint.fix]
        return "%s: %s." % (self.problem, "%s, or %s" % (self.hint.first, fix) if self.hint.first else fix)

    def __str__(self) -> str:
        return self.message


class InvalidInput(RSConnectError):
    """A file, option or value given by the user cannot be used."""


class InvalidField(InvalidInput):
    """A field of a JSON body the browser sent is wrong or missing (answered with a 400)."""


class PathRefused(InvalidInput):
    """A path from the browser that may not be used (outside the Jupyter root, not a notebook)."""


class ServerUnreachable(RSConnectError):
    """No HTTP answer from the server (DNS, refused connection, TLS, timeout)."""


class ServerUnavailable(ServerUnreachable):
    """The server or a proxy in front of it answered 502, 503 or 504, on every attempt of a read."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotAConnectServer(ServerUnreachable):
    """The server answered, but not like Connect (an HTML page where JSON was expected)."""


class ConnectAPIError(RSConnectError):
    """Connect refused a request; it said why with `{code, error, payload}`."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: int | None = None,
        error: str | None = None,
        payload: Any = None,
        *,
        hint: Hint | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status  # the HTTP status
        self.code = code  # Connect's own error number (not the HTTP status)
        self.error = error  # Connect's message
        self.payload = payload


class AuthenticationError(ConnectAPIError):
    """The API key is wrong or missing (Connect codes 30 and 24)."""


class PermissionDenied(ConnectAPIError):
    """The user may not do this: a viewer, a locked or unconfirmed user, not a collaborator."""


class ContentLocked(PermissionDenied):
    """The content is locked on the server: it takes no new deploy until someone unlocks it."""


class NotFound(ConnectAPIError):
    """The content, bundle or task does not exist (or the user cannot see it)."""


class PythonVersionMismatch(RSConnectError):
    """The server has no Python with the MAJOR.MINOR of the local one."""


class BundleError(RSConnectError):
    """The bundle could not be built: bad notebook, file outside the folder, render failure."""


class SnapshotError(RSConnectError):
    """The environment snapshot could not be taken in the target interpreter."""


class DeployFailed(RSConnectError):
    """The server's deploy task failed or did not finish in time; `.log` holds its output."""

    def __init__(self, message: str, log: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.log = list(log)
