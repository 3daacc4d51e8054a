"""ConnectClient: the HTTP contract of Posit Connect (docs/connect-api.md).

One module per resource, as posit-sdk-py has them: content.py, bundles.py (and deploys), tasks.py,
environment.py, server.py (settings, Python, the key's user), over session.py (the HTTP session,
TLS, `request()` and the retries of reads, tuned in retry.py) and errors.py (every failure as a
typed error with a sentence the user can act on). types.py has the shapes of Connect's JSON.
client.py puts the resources together in one class, ConnectClient.
"""

from __future__ import annotations

from .client import ConnectClient
from .errors import (
    CODE_APP_MODE_CHANGE,
    CODE_AUTH_REQUIRED,
    CODE_INVALID_KEY,
    CODE_NAME_IN_USE,
    CODE_NOT_FOUND,
    LOGIN_ADVICE,
)
from .retry import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    RETRIED_METHODS,
    RETRIED_STATUSES,
    request_timeout,
    retry_after,
    retry_schedule,
    retry_wait,
)
from .session import api_url
from .types import (
    BundleItem,
    BundleMetadata,
    ContentItem,
    ContentOwner,
    DeployStarted,
    EnvironmentVariable,
    Lockfile,
    PythonInstallation,
    PythonSettings,
    Tag,
    Task,
    User,
)

__all__ = [
    "CODE_APP_MODE_CHANGE",
    "CODE_AUTH_REQUIRED",
    "CODE_INVALID_KEY",
    "CODE_NAME_IN_USE",
    "CODE_NOT_FOUND",
    "DEFAULT_BACKOFF",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "LOGIN_ADVICE",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "RETRIED_METHODS",
    "RETRIED_STATUSES",
    "BundleItem",
    "BundleMetadata",
    "ConnectClient",
    "ContentItem",
    "ContentOwner",
    "DeployStarted",
    "EnvironmentVariable",
    "Lockfile",
    "PythonInstallation",
    "PythonSettings",
    "Tag",
    "Task",
    "User",
    "api_url",
    "request_timeout",
    "retry_after",
    "retry_schedule",
    "retry_wait",
]
