"""Connect's error codes and the exception handlers raise to answer with one.

Connect answers errors as JSON `{"code": <Connect's code>, "error": "<message>", "payload": null}`;
`code` is Connect's own number, not the HTTP status. Codes marked "local" are this server's own
(Connect has no public code for them).

Handlers raise one of the helpers below (one per kind of error) rather than building a
ConnectError by hand, so each kind keeps one HTTP status and one code.
"""

from __future__ import annotations

from typing import Any

INTERNAL = 0
NOT_FOUND = 4
INVALID_NAME = 5
PERMISSION = 19  # "You don't have permission to perform this operation."
NOT_AUTHORIZED = 22  # "You are not authorized to ..."
AUTH_REQUIRED = 24
INVALID_KEY = 30
NAME_IN_USE = 26
INVALID_MANIFEST = 38  # manifest.json missing or invalid
APP_MODE_CHANGE = 48
BAD_JSON = 121
INVALID_VALUE = 3  # a field has an invalid value
BAD_BUNDLE = 39  # local: the archive is not a safe, readable .tar.gz
BUNDLE_TOO_LARGE = 40  # local: the upload is over the size limit
IN_USE = 41  # local: what is to be removed is in use (a runtime cache content runs in)


class ConnectError(Exception):
    def __init__(self, status: int, code: int, message: str, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.payload = payload

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "error": self.message, "payload": self.payload}


def not_found(what: str = "The requested object") -> ConnectError:
    """404: `what` names the missing thing ("Content <guid>")."""
    return ConnectError(404, NOT_FOUND, "%s does not exist." % what)


def no_endpoint(method: str | None, path: str) -> ConnectError:
    """404 for a path under /__api__/ that no route answers."""
    return ConnectError(404, NOT_FOUND, "No such API endpoint: %s %s." % (method, path))


def forbidden(message: str = "You don't have permission to perform this operation.") -> ConnectError:
    return ConnectError(403, PERMISSION, message)


def bad_json(sentence: str) -> ConnectError:
    """400: the body is not JSON, or not the JSON shape the endpoint takes."""
    return ConnectError(400, BAD_JSON, sentence)


def invalid_value(sentence: str) -> ConnectError:
    """400: a field (or query argument) has a value the endpoint does not accept."""
    return ConnectError(400, INVALID_VALUE, sentence)


def invalid_name(sentence: str) -> ConnectError:
    """400: a content name breaks Connect's naming rule."""
    return ConnectError(400, INVALID_NAME, sentence)


def name_in_use(sentence: str) -> ConnectError:
    """409: the owner already has content by that name."""
    return ConnectError(409, NAME_IN_USE, sentence)


def app_mode_change(sentence: str) -> ConnectError:
    """403: a bundle would change the app mode of content already deployed."""
    return ConnectError(403, APP_MODE_CHANGE, sentence)


def locked(message: str) -> ConnectError:
    """403: the content is locked (its locked_message, when it has one, says why)."""
    reason = message.strip()
    if reason and not reason.endswith((".", "!", "?")):
        reason += "."
    return ConnectError(
        403,
        PERMISSION,
        "This content is locked: %s" % reason if reason else "This content is locked.",
        {"locked_message": message},
    )


def too_large(limit: int) -> ConnectError:
    """413: an upload over the server's bundle size limit."""
    return ConnectError(413, BUNDLE_TOO_LARGE, "The bundle is larger than this server's limit of %d bytes." % limit)


def in_use(sentence: str) -> ConnectError:
    """409: what the request would remove is in use."""
    return ConnectError(409, IN_USE, sentence)


def feature_off(sentence: str) -> ConnectError:
    """404 with Connect's not-found code, as a Connect without the feature answers: `sentence` says
    that this server does not have it."""
    return ConnectError(404, NOT_FOUND, sentence)
