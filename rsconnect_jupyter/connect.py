"""ConnectClient: the HTTP contract of Posit Connect (../shared/connect-api/README.md).

One requests Session per client, so cookies set by a deploy (sticky load balancers) go back on
the task polls, proxies and CA bundles come from the environment as requests reads them
(HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), and connections are reused. Every failure becomes
one of the typed errors of `exceptions.py` with a sentence the user can act on.

Reads (GET, HEAD) are retried with a short exponential backoff when a proxy answers 502, 503 or
504 or the server answers 429 (waiting at least what a Retry-After asks, up to 30 s), and, once
the server has answered this client at least once, when the connection breaks or times out (a
first refused connection is a wrong URL or a stopped server: said at once). Writes (POST, PATCH,
PUT, DELETE) are never retried: an upload or a deploy must not happen twice.
"""

from __future__ import annotations

import atexit
import contextlib
import email.utils
import os
import re
import tempfile
import time
from collections.abc import Mapping
from typing import Any, BinaryIO, Callable, TypedDict, TypeVar, cast
from urllib.parse import urljoin, urlsplit

import requests

from . import __version__
from .exceptions import (
    AuthenticationError,
    ConnectAPIError,
    Fix,
    Hint,
    InvalidInput,
    NotAConnectServer,
    NotFound,
    PermissionDenied,
    RSConnectError,
    ServerUnavailable,
    ServerUnreachable,
)
from .progress import UPLOAD, CountingReader, Meter, ProgressCallback

# Seconds without a byte from the server; long polls add their wait; env CONNECT_REQUEST_TIMEOUT.
DEFAULT_TIMEOUT: float = 60
RETRIED_METHODS = ("GET", "HEAD")  # idempotent: asking twice changes nothing on the server
RETRIED_STATUSES = (429, 502, 503, 504)  # too many requests, or a proxy saying the server is not there now
MAX_RETRY_AFTER = 30.0  # seconds: a Retry-After asking more is cut to this (a publish must not hang for hours)
DEFAULT_RETRIES = 4  # after the first attempt: 5 in all; CONNECT_RETRIES overrides
DEFAULT_BACKOFF = 0.5  # seconds before the first retry, doubled each time; CONNECT_RETRY_BACKOFF overrides
MAX_BACKOFF = 4.0  # seconds: no single wait is longer

# What to do about a login page where Connect's API should answer (three ways to meet one).
LOGIN_ADVICE = (
    "a proxy or single sign-on in front of Connect wants a browser login, so use an address that "
    "reaches Connect directly (ask your administrator)."
)

# Connect error codes (the `code` of `{code, error, payload}`), not HTTP statuses.
CODE_INVALID_KEY = 30
CODE_AUTH_REQUIRED = 24
CODE_NOT_FOUND = 4
CODE_NAME_IN_USE = 26
CODE_APP_MODE_CHANGE = 48


# -- Connect's JSON, as ../shared/connect-api/README.md and its fixtures show it ---------------
# total=False: older servers leave fields out, and the local server returns the ones this client reads.


class ContentItem(TypedDict, total=False):
    """`v1/content/{guid}`: a content item (many more fields exist; these are the ones read here)."""

    guid: str
    id: str  # numeric, as a string
    name: str
    title: str | None
    description: str
    access_type: str  # "all", "logged_in" or "acl"
    app_mode: str  # "unknown" until the first deploy
    app_role: str  # this user's role on the item: "owner", "editor", "viewer" or "none"
    owner_guid: str
    bundle_id: str | None  # None until deployed
    content_url: str
    dashboard_url: str
    created_time: str
    last_deployed_time: str
    py_version: str | None


class User(TypedDict, total=False):
    """`v1/user`: the user that owns the API key."""

    guid: str
    username: str
    email: str
    first_name: str
    last_name: str
    user_role: str  # "administrator", "publisher" or "viewer"
    confirmed: bool
    locked: bool
    created_time: str
    updated_time: str
    active_time: str | None


class PythonInstallation(TypedDict, total=False):
    version: str
    cluster_name: str
    image_name: str


class PythonSettings(TypedDict, total=False):
    """`v1/server_settings/python`."""

    installations: list[PythonInstallation]
    api_enabled: bool


class BundleMetadata(TypedDict, total=False):
    source: str | None
    source_repo: str | None
    source_branch: str | None
    source_commit: str | None
    archive_md5: str
    archive_sha1: str


class BundleItem(TypedDict, total=False):
    """`v1/content/{guid}/bundles/{id}`: an uploaded bundle (a version of the content's source)."""

    id: str
    content_guid: str
    created_time: str
    active: bool  # the live one
    size: int
    py_version: str | None
    metadata: BundleMetadata


class DeployStarted(TypedDict):
    """The answer of `POST v1/content/{guid}/deploy`."""

    task_id: str


class Task(TypedDict, total=False):
    """`v1/tasks/{id}`: pass `last` as the next `first`; `finished` with a non-zero `code` failed."""

    id: str
    output: list[str]
    finished: bool
    code: int
    error: str
    last: int
    result: object


class EnvironmentVariable(TypedDict):
    """One entry of the body of `PATCH|PUT v1/content/{guid}/environment` (None deletes it)."""

    name: str
    value: str | None


_Number = TypeVar("_Number", int, float)


def api_url(server_url: str, path: str) -> str:
    """`{server}/__api__/{path}`, keeping any sub-path of the server URL (join, never replace)."""
    return server_url.rstrip("/") + "/__api__/" + path.lstrip("/")


def _looks_like_html(response: requests.Response) -> bool:
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _looks_like_login(response: requests.Response) -> bool:
    """A single sign-on or proxy login page: reached by a redirect, or a page with a password field."""
    if response.history:
        return True
    text = response.content[:20000].lower()
    return b'type="password"' in text or b"type='password'" in text or b"sign in" in text or b"log in" in text


def retry_after(response: requests.Response, now: float | None = None) -> float | None:
    """Seconds the answer's Retry-After asks to wait (a number, or an HTTP date), None if it asks nothing."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # unreadable: the schedule's own wait applies
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_wait(scheduled: float, asked: float | None) -> float:
    """The wait before a retry: the schedule's, or longer when the server asked (capped)."""
    if asked is None:
        return scheduled
    return max(scheduled, min(asked, MAX_RETRY_AFTER))


def retry_schedule(environ: Mapping[str, str] | None = None) -> list[float]:
    """The waits (seconds) before each retry of a read: 0.5, 1, 2, 4 unless the environment says otherwise.

    CONNECT_RETRIES is the number of retries (0 turns them off); CONNECT_RETRY_BACKOFF the first
    wait, doubled each time up to MAX_BACKOFF (tests set it to 0.05).
    """
    environ = os.environ if environ is None else environ
    retries = _env_number(environ, "CONNECT_RETRIES", DEFAULT_RETRIES, int, "a whole number of retries")
    backoff = _env_number(environ, "CONNECT_RETRY_BACKOFF", DEFAULT_BACKOFF, float, "a number of seconds")
    return [min(MAX_BACKOFF, backoff * 2**i) for i in range(retries)]


def request_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for a byte from the server: CONNECT_REQUEST_TIMEOUT, else DEFAULT_TIMEOUT."""
    environ = os.environ if environ is None else environ
    timeout = _env_number(environ, "CONNECT_REQUEST_TIMEOUT", DEFAULT_TIMEOUT, float, "a number of seconds")
    if not timeout:
        raise InvalidInput(
            "CONNECT_REQUEST_TIMEOUT must be a positive number of seconds, not %r."
            % environ.get("CONNECT_REQUEST_TIMEOUT")
        )
    return timeout


def _env_number(
    environ: Mapping[str, str], name: str, default: _Number, kind: Callable[[str], _Number], what: str
) -> _Number:
    value = environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = kind(value)
        if number < 0:
            raise ValueError
        return number
    except ValueError:
        raise InvalidInput("%s must be %s (0 or more), not %r." % (name, what, value)) from None


_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}


def _times(n: int) -> str:
    return _TIMES.get(n, "%d times" % n)


def _ca_file(ca_cert: str | None) -> str | None:
    """requests wants a file: a saved PEM text (rsconnect-python keeps the text) goes to a temp file."""
    if not ca_cert:
        return None
    if "-----BEGIN" not in ca_cert:
        return os.path.expanduser(ca_cert)
    fd, path = tempfile.mkstemp(prefix="rsconnect-ca-", suffix=".pem")
    with os.fdopen(fd, "w") as f:
        f.write(ca_cert)
    atexit.register(_remove_file, path)
    return path


def _remove_file(path: str) -> None:
    if os.path.exists(path):
        os.unlink(path)


class ConnectClient:
    """A Connect server seen through one user's API key."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        insecure: bool = False,
        ca_cert: str | None = None,
        timeout: float | None = None,
    ) -> None:
        if not url or "://" not in url:
            raise InvalidInput(
                '"%s" is not a server URL: give the full address, like https://connect.example.com/.' % url
            )
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout or request_timeout()
        self.retry_waits = retry_schedule()
        self.answered = False  # the server has answered once: a broken connection is worth a retry
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "rsconnect-jupyter/%s" % __version__
        if api_key:
            self.session.headers["Authorization"] = "Key " + api_key
        # Passed on each request: requests lets REQUESTS_CA_BUNDLE override a Session's `verify`,
        # which would silently drop --insecure and --cacert.
        self.verify: bool | str | None = None
        if insecure:
            self.verify = self.session.verify = False
            with contextlib.suppress(Exception):
                import urllib3

                urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif ca_cert:
            self.verify = self.session.verify = _ca_file(ca_cert)
        # Left at True otherwise, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE still apply.

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ConnectClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, object] | None = None,
        data: object = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | None = None,
        expect_json: bool = True,
    ) -> Any:
        """The decoded JSON answer (None for an empty one), or the `requests.Response` itself with
        `stream` or without `expect_json`. The endpoint methods below give the JSON its shape."""
        response = self._send(
            method,
            path,
            dict(json=json, params=params, data=data, headers=headers, stream=stream, timeout=timeout or self.timeout),
        )
        if response.status_code >= 400:
            raise self._error(response, method, path)
        if stream or not expect_json:
            return response
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._not_json(response, method, path) from None

    def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> requests.Response:
        """One answer to the request, after the retries reads get (never writes: a POST may have
        been applied even when its answer was lost). Raises for no answer, a failing gateway or a
        redirected write."""
        url = api_url(self.url, path)
        retried = method in RETRIED_METHODS
        waits = list(self.retry_waits) if retried else []
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method, url, verify=self.verify, allow_redirects=retried, **kwargs)
            except requests.exceptions.RequestException as e:
                broke = isinstance(e, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
                if waits and self.answered and broke and not isinstance(e, requests.exceptions.SSLError):
                    time.sleep(waits.pop(0))
                    continue
                if attempt > 1:
                    raise ServerUnreachable(
                        "%s did not answer %s %s %s over %.0f s (%s): the server or the "
                        "network is failing; try again later."
                        % (
                            self.url,
                            method,
                            path.split("?")[0],
                            _times(attempt),
                            time.monotonic() - started,
                            _reason(e),
                        )
                    ) from e
                raise self._unreachable(e, method, path, sending=not retried) from e
            self.answered = True
            if response.status_code in RETRIED_STATUSES and waits:
                # Retry-After only stretches a wait the schedule still has: with no retry left, none.
                wait = retry_wait(waits.pop(0), retry_after(response))
                response.close()
                time.sleep(wait)
                continue
            break
        if response.status_code == 429 and not retried:
            return response  # a write told to slow down: said by _error, like any refusal
        if response.status_code in RETRIED_STATUSES:
            if attempt > 1:
                said = "%s over %.0f s" % (_times(attempt), time.monotonic() - started)
            else:
                said = "(not retried: it is not a read)" if not retried else "once"
            why = "the server or a proxy in front of it is failing; try again later"
            if response.status_code == 429:
                why = "the server is asking for fewer requests; wait a minute and try again"
            raise ServerUnavailable(
                "%s answered %s %s with HTTP %d %s: %s."
                % (self.url, method, path.split("?")[0], response.status_code, said, why),
                status=response.status_code,
            )
        if 300 <= response.status_code < 400:
            raise self._redirected(response, method, path)
        return response

    def _not_json(self, response: requests.Response, method: str, path: str) -> NotAConnectServer:
        """The error for a 2xx answer that is not JSON: a login page, or not Connect at all."""
        if _looks_like_html(response) and _looks_like_login(response):
            return NotAConnectServer(
                "%s answered %s %s with a login page%s where Connect answers JSON: %s"
                % (self.url, method, path, _via(response), LOGIN_ADVICE)
            )
        if _looks_like_html(response):
            return NotAConnectServer(
                "%s answered with an HTML page where Connect answers JSON: this URL does "
                "not look like a Connect server (check the address and any sub-path)." % self.url
            )
        return NotAConnectServer(
            "%s answered %s %s with something other than JSON: this URL does not look "
            "like a Connect server." % (self.url, method, path)
        )

    def _unreachable(
        self, exc: requests.exceptions.RequestException, method: str, path: str, sending: bool
    ) -> ServerUnreachable:
        """The error for a request that got no answer."""
        if isinstance(exc, requests.exceptions.SSLError):
            return ServerUnreachable(
                "The TLS certificate of %s could not be verified (%s)" % (self.url, _reason(exc)),
                hint=Hint(Fix.TRUST_SERVER_CA),
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return ServerUnreachable("%s did not answer in time: check that the server is up and try again." % self.url)
        if isinstance(exc, requests.exceptions.ConnectionError):
            if sending and self.answered:
                return ServerUnreachable(
                    "The connection to %s broke during %s %s (%s): nothing was saved here; "
                    "check that the server is up and publish again." % (self.url, method, path, _reason(exc))
                )
            return ServerUnreachable(
                "Could not connect to %s (%s): check the URL and that the server is running." % (self.url, _reason(exc))
            )
        if isinstance(exc, requests.exceptions.InvalidURL):
            return ServerUnreachable('"%s" is not a valid server URL.' % self.url)
        return ServerUnreachable(
            "The request %s %s to %s failed (%s): check the URL and try again." % (method, path, self.url, _reason(exc))
        )

    def _redirected(self, response: requests.Response, method: str, path: str) -> NotAConnectServer:
        """A write that was redirected (writes never follow redirects: a body must not go elsewhere)."""
        location = urljoin(response.url, response.headers.get("Location", ""))
        suffix = "__api__/" + path.lstrip("/")
        moved = urlsplit(location)
        if suffix in location and moved.path.endswith(suffix.split("?")[0]):
            base = location[: location.index(suffix)]
            return NotAConnectServer(
                "%s redirected %s %s to %s: use %s as the server URL." % (self.url, method, path, location, base)
            )
        return NotAConnectServer(
            "%s redirected %s %s to %s, probably a login page: %s" % (self.url, method, path, location, LOGIN_ADVICE)
        )

    def _error(self, response: requests.Response, method: str, path: str) -> RSConnectError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if _looks_like_html(response) and _looks_like_login(response) and status in (401, 403):
                return NotAConnectServer(
                    "%s answered %s %s with a login page (HTTP %d): %s" % (self.url, method, path, status, LOGIN_ADVICE)
                )
            if _looks_like_html(response) or status == 404:
                return NotAConnectServer(
                    "%s answered %s %s with HTTP %d and no Connect error: this URL does not "
                    "look like a Connect server (check the address and any sub-path)."
                    % (self.url, method, path, status)
                )
            return ConnectAPIError(
                "%s failed with HTTP %d: try again, or ask the server's administrator." % (path, status), status=status
            )
        code, error, payload = body.get("code"), body.get("error") or "", body.get("payload")
        detail = error.rstrip(".") or "no reason given"
        if status == 401 or code in (CODE_INVALID_KEY, CODE_AUTH_REQUIRED):
            return AuthenticationError(
                "%s rejected the API key (%s): check the key, or create a new one in "
                "Connect under your name > API Keys." % (self.url, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        if status == 403:
            return PermissionDenied(
                "Connect refused %s %s (%s): you need to be the owner or a collaborator "
                "with a publisher role." % (method, path, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        if status == 404:
            return NotFound(
                "Connect found nothing at %s (%s)." % (path, detail),
                status=status,
                code=code,
                error=error,
                payload=payload,
            )
        return ConnectAPIError(
            "Connect refused %s %s with HTTP %d, code %s: %s." % (method, path, status, code, detail),
            status=status,
            code=code,
            error=error,
            payload=payload,
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    # -- server ---------------------------------------------------------------------------

    def server_settings(self) -> dict[str, Any]:
        """`server_settings`: `version`, `hostname`, ... (an open set that grows with each release)."""
        settings = self.get("server_settings")
        if not isinstance(settings, dict):
            raise NotAConnectServer(
                "%s did not return Connect's server settings: this URL does not look like a Connect server." % self.url
            )
        return settings

    def python_settings(self) -> PythonSettings:
        """`{"installations": [{"version": ...}], "api_enabled": ...}`."""
        return cast(PythonSettings, self.get("v1/server_settings/python") or {})

    def python_versions(self) -> list[str]:
        installations = self.python_settings().get("installations") or []
        return [version for i in installations if (version := i.get("version"))]

    def me(self) -> User:
        """The user that owns the API key."""
        return cast(User, self.get("v1/user"))

    # -- content --------------------------------------------------------------------------

    def content_create(
        self,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        access_type: str | None = None,
    ) -> ContentItem:
        # Older servers reject unknown fields (code 121): send only the documented ones that are set.
        body = {
            k: v
            for k, v in dict(name=name, title=title, description=description, access_type=access_type).items()
            if v is not None
        }
        return cast(ContentItem, self.request("POST", "v1/content", json=body))

    def content_list(self, name: str | None = None, owner_guid: str | None = None) -> list[ContentItem]:
        params = {k: v for k, v in dict(name=name, owner_guid=owner_guid).items() if v}
        return cast("list[ContentItem]", self.get("v1/content", params=params or None) or [])

    def content_get(self, guid: str) -> ContentItem:
        return cast(ContentItem, self.get("v1/content/%s" % guid))

    def content_get_by_id(self, content_id: str | int) -> ContentItem:
        """Content by its numeric id: the legacy `applications/{id}` gives the GUID; else search the list."""
        content_id = str(content_id)
        try:
            app = self.get("applications/%s" % content_id)
        except (AuthenticationError, PermissionDenied):
            raise
        except (ConnectAPIError, NotAConnectServer):
            app = None  # newer servers and the local server may not have the legacy endpoint
        if isinstance(app, dict) and app.get("guid"):
            return self.content_get(app["guid"])
        for item in self.content_list():
            if str(item.get("id")) == content_id:
                return item
        raise NotFound(
            "There is no content with id %s on %s (or you cannot see it)." % (content_id, self.url),
            status=404,
            code=CODE_NOT_FOUND,
        )

    def content_update(self, guid: str, **fields: object) -> ContentItem:
        return cast(ContentItem, self.request("PATCH", "v1/content/%s" % guid, json=fields))

    def content_delete(self, guid: str) -> None:
        self.request("DELETE", "v1/content/%s" % guid)

    # -- bundles, deploys, tasks ----------------------------------------------------------

    def bundle_upload(self, guid: str, fileobj: BinaryIO, progress: ProgressCallback | None = None) -> BundleItem:
        """Upload a .tar.gz from an open binary file; requests streams it (never read into memory).

        `progress` hears of the bytes sent (phase "upload"), counted as requests reads them.
        """
        path, headers = "v1/content/%s/bundles" % guid, {"Content-Type": "application/gzip"}
        try:
            length = os.fstat(fileobj.fileno()).st_size - fileobj.tell()
        except (AttributeError, OSError, ValueError):  # an unsized stream: sent chunked, its size unknown
            return cast(BundleItem, self.request("POST", path, data=fileobj, headers=headers))
        meter = Meter(progress, UPLOAD, length)
        meter.start()
        answer = cast(
            BundleItem, self.request("POST", path, data=CountingReader(fileobj, meter, length), headers=headers)
        )
        meter.finish()
        return answer

    def bundle_list(self, guid: str) -> list[BundleItem]:
        return cast("list[BundleItem]", self.get("v1/content/%s/bundles" % guid) or [])

    def bundle_get(self, guid: str, bundle_id: str | int) -> BundleItem:
        return cast(BundleItem, self.get("v1/content/%s/bundles/%s" % (guid, bundle_id)))

    def bundle_download(self, guid: str, bundle_id: str | int, fileobj: BinaryIO) -> None:
        """Write the bundle's .tar.gz to an open binary file, in chunks."""
        response: requests.Response = self.get("v1/content/%s/bundles/%s/download" % (guid, bundle_id), stream=True)
        with contextlib.closing(response):
            for chunk in response.iter_content(64 * 1024):
                fileobj.write(chunk)

    def deploy(self, guid: str, bundle_id: str | int) -> str:
        """Start deploying a bundle; returns the task id."""
        answer = cast(
            DeployStarted, self.request("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": str(bundle_id)})
        )
        return answer["task_id"]

    def task(self, task_id: str, first: int = 0, wait: float = 0) -> Task:
        """The task's output from line `first` on; `wait` seconds of long poll (0-20)."""
        params = {"first": int(first)}
        if wait:
            params["wait"] = int(wait)
        return cast(Task, self.get("v1/tasks/%s" % task_id, params=params, timeout=self.timeout + (wait or 0)))

    # -- environment variables ------------------------------------------------------------

    def environment_get(self, guid: str) -> list[str]:
        """The names of the content's environment variables (Connect never returns values)."""
        return cast("list[str]", self.get("v1/content/%s/environment" % guid) or [])

    def environment_patch(self, guid: str, values: Mapping[str, str | None]) -> list[str]:
        """Set the given variables (`{name: value}`; None deletes), leave the others. Returns the names."""
        body: list[EnvironmentVariable] = [{"name": k, "value": v} for k, v in values.items()]
        return cast("list[str]", self.request("PATCH", "v1/content/%s/environment" % guid, json=body))

    def environment_put(self, guid: str, values: Mapping[str, str | None]) -> list[str]:
        """Replace all variables with the given ones. Returns the names."""
        body: list[EnvironmentVariable] = [{"name": k, "value": v} for k, v in values.items()]
        return cast("list[str]", self.request("PUT", "v1/content/%s/environment" % guid, json=body))


def _via(response: requests.Response) -> str:
    """' (via http://sso/login)' when a redirect led to the page."""
    return " (via %s)" % response.url.split("?")[0] if response.history else ""


def _reason(exc: BaseException) -> str:
    """The useful part of a requests error: 'Connection refused', 'self-signed certificate', ..."""
    text = str(exc)
    for pattern in (
        r"certificate verify failed: ([^(')\]]+)",
        r"\[Errno -?\d+\] ([^'\")\]]+)",
        r"(Connection reset by peer|Broken pipe|Remote end closed connection without response)",
        r"(timed out)",
        r"(Connection aborted)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return "no answer"
