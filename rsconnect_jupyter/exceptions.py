"""Errors a user can cause, each with a message that says what happened and what to do.

The CLI turns any `RSConnectError` into one line and a non-zero exit; the notebook handlers
turn it into the dialog's message. Anything else is a bug and keeps its traceback.
"""


class RSConnectError(Exception):
    """Base of every error a user can cause. `str(err)` is one sentence for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class InvalidInput(RSConnectError):
    """A file, option or value given by the user cannot be used."""


class ServerUnreachable(RSConnectError):
    """No HTTP answer from the server (DNS, refused connection, TLS, timeout)."""


class ServerUnavailable(ServerUnreachable):
    """The server or a proxy in front of it answered 502, 503 or 504, on every attempt of a read."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class NotAConnectServer(ServerUnreachable):
    """The server answered, but not like Connect (an HTML page where JSON was expected)."""


class ConnectAPIError(RSConnectError):
    """Connect refused a request; it said why with `{code, error, payload}`."""

    def __init__(self, message, status=None, code=None, error=None, payload=None):
        super().__init__(message)
        self.status = status  # the HTTP status
        self.code = code  # Connect's own error number (not the HTTP status)
        self.error = error  # Connect's message
        self.payload = payload


class AuthenticationError(ConnectAPIError):
    """The API key is wrong or missing (Connect codes 30 and 24)."""


class PermissionDenied(ConnectAPIError):
    """The user may not do this: a viewer, a locked or unconfirmed user, not a collaborator."""


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

    def __init__(self, message, log=()):
        super().__init__(message)
        self.log = list(log)
