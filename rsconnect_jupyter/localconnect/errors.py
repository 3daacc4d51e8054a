"""Connect's error codes and the exception handlers raise to answer with one.

Connect answers errors as JSON `{"code": <Connect's code>, "error": "<message>", "payload": null}`;
`code` is Connect's own number, not the HTTP status. Codes marked "local" are this server's own
(Connect has no public code for them).
"""

INTERNAL = 0
NOT_FOUND = 4
INVALID_NAME = 5
PERMISSION = 19            # "You don't have permission to perform this operation."
NOT_AUTHORIZED = 22        # "You are not authorized to ..."
AUTH_REQUIRED = 24
INVALID_KEY = 30
NAME_IN_USE = 26
INVALID_MANIFEST = 38      # manifest.json missing or invalid
APP_MODE_CHANGE = 48
BAD_JSON = 121
INVALID_VALUE = 3          # a field has an invalid value
BAD_BUNDLE = 39            # local: the archive is not a safe, readable .tar.gz
BUNDLE_TOO_LARGE = 40      # local: the upload is over the size limit


class ConnectError(Exception):
    def __init__(self, status, code, message, payload=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.payload = payload

    def body(self):
        return {"code": self.code, "error": self.message, "payload": self.payload}


def not_found(what="The requested object"):
    return ConnectError(404, NOT_FOUND, "%s does not exist." % what)


def forbidden(message="You don't have permission to perform this operation."):
    return ConnectError(403, PERMISSION, message)
