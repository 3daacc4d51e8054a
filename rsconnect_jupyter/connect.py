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
import atexit
import contextlib
import email.utils
import os
import re
import tempfile
import time
from typing import Optional
from urllib.parse import urljoin, urlsplit

import requests

from . import __version__
from .progress import UPLOAD, CountingReader, Meter, ProgressCallback
from .exceptions import (
    AuthenticationError,
    ConnectAPIError,
    InvalidInput,
    NotAConnectServer,
    NotFound,
    PermissionDenied,
    ServerUnavailable,
    ServerUnreachable,
)

DEFAULT_TIMEOUT = 60  # seconds without a byte from the server; long polls add their wait; env CONNECT_REQUEST_TIMEOUT
RETRIED_METHODS = ("GET", "HEAD")  # idempotent: asking twice changes nothing on the server
RETRIED_STATUSES = (429, 502, 503, 504)  # too many requests, or a proxy saying the server is not there now
MAX_RETRY_AFTER = 30.0  # seconds: a Retry-After asking more is cut to this (a publish must not hang for hours)
DEFAULT_RETRIES = 4  # after the first attempt: 5 in all; CONNECT_RETRIES overrides
DEFAULT_BACKOFF = 0.5  # seconds before the first retry, doubled each time; CONNECT_RETRY_BACKOFF overrides
MAX_BACKOFF = 4.0  # seconds: no single wait is longer

# What to do about a login page where Connect's API should answer (three ways to meet one).
LOGIN_ADVICE = ("a proxy or single sign-on in front of Connect wants a browser login, so use an address that "
                "reaches Connect directly (ask your administrator).")

# Connect error codes (the `code` of `{code, error, payload}`), not HTTP statuses.
CODE_INVALID_KEY = 30
CODE_AUTH_REQUIRED = 24
CODE_NOT_FOUND = 4
CODE_NAME_IN_USE = 26
CODE_APP_MODE_CHANGE = 48


def api_url(server_url, path):
    """`{server}/__api__/{path}`, keeping any sub-path of the server URL (join, never replace)."""
    return server_url.rstrip("/") + "/__api__/" + path.lstrip("/")


def _looks_like_html(response):
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _looks_like_login(response):
    """A single sign-on or proxy login page: reached by a redirect, or a page with a password field."""
    if response.history:
        return True
    text = response.content[:20000].lower()
    return b'type="password"' in text or b"type='password'" in text or b"sign in" in text or b"log in" in text


def retry_after(response, now=None):
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


def retry_wait(scheduled, asked):
    """The wait before a retry: the schedule's, or longer when the server asked (capped)."""
    if asked is None:
        return scheduled
    return max(scheduled, min(asked, MAX_RETRY_AFTER))


def retry_schedule(environ=None):
    """The waits (seconds) before each retry of a read: 0.5, 1, 2, 4 unless the environment says otherwise.

    CONNECT_RETRIES is the number of retries (0 turns them off); CONNECT_RETRY_BACKOFF the first
    wait, doubled each time up to MAX_BACKOFF (tests set it to 0.05).
    """
    environ = os.environ if environ is None else environ
    retries = _env_number(environ, "CONNECT_RETRIES", DEFAULT_RETRIES, int, "a whole number of retries")
    backoff = _env_number(environ, "CONNECT_RETRY_BACKOFF", DEFAULT_BACKOFF, float, "a number of seconds")
    return [min(MAX_BACKOFF, backoff * 2 ** i) for i in range(retries)]


def request_timeout(environ=None):
    """Seconds to wait for a byte from the server: CONNECT_REQUEST_TIMEOUT, else DEFAULT_TIMEOUT."""
    environ = os.environ if environ is None else environ
    timeout = _env_number(environ, "CONNECT_REQUEST_TIMEOUT", DEFAULT_TIMEOUT, float, "a number of seconds")
    if not timeout:
        raise InvalidInput("CONNECT_REQUEST_TIMEOUT must be a positive number of seconds, not %r."
                           % environ.get("CONNECT_REQUEST_TIMEOUT"))
    return timeout


def _env_number(environ, name, default, kind, what):
    value = environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = kind(value)
        if number < 0:
            raise ValueError
        return number
    except ValueError:
        raise InvalidInput("%s must be %s (0 or more), not %r." % (name, what, value))


_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}


def _times(n):
    return _TIMES.get(n, "%d times" % n)


def _ca_file(ca_cert):
    """requests wants a file: a saved PEM text (rsconnect-python keeps the text) goes to a temp file."""
    if not ca_cert:
        return None
    if "-----BEGIN" not in ca_cert:
        return os.path.expanduser(ca_cert)
    fd, path = tempfile.mkstemp(prefix="rsconnect-ca-", suffix=".pem")
    with os.fdopen(fd, "w") as f:
        f.write(ca_cert)
    atexit.register(lambda: os.path.exists(path) and os.unlink(path))
    return path


class ConnectClient:
    """A Connect server seen through one user's API key."""

    def __init__(self, url, api_key, insecure=False, ca_cert=None, timeout=None):
        if not url or "://" not in url:
            raise InvalidInput('"%s" is not a server URL: give the full address, like https://connect.example.com/.'
                               % url)
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
        self.verify = None
        if insecure:
            self.verify = self.session.verify = False
            with contextlib.suppress(Exception):
                import urllib3

                urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif ca_cert:
            self.verify = self.session.verify = _ca_file(ca_cert)
        # Left at True otherwise, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE still apply.

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing -------------------------------------------------------------------------

    def request(self, method, path, *, json=None, params=None, data=None, headers=None, stream=False,
                timeout=None, expect_json=True):
        response = self._send(method, path, dict(json=json, params=params, data=data, headers=headers,
                                                 stream=stream, timeout=timeout or self.timeout))
        if response.status_code >= 400:
            raise self._error(response, method, path)
        if stream or not expect_json:
            return response
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._not_json(response, method, path)

    def _send(self, method, path, kwargs):
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
                    raise ServerUnreachable("%s did not answer %s %s %s over %.0f s (%s): the server or the "
                                            "network is failing; try again later."
                                            % (self.url, method, path.split("?")[0], _times(attempt),
                                               time.monotonic() - started, _reason(e)))
                raise self._unreachable(e, method, path, sending=not retried)
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
            raise ServerUnavailable("%s answered %s %s with HTTP %d %s: %s."
                                    % (self.url, method, path.split("?")[0], response.status_code, said, why),
                                    status=response.status_code)
        if 300 <= response.status_code < 400:
            raise self._redirected(response, method, path)
        return response

    def _not_json(self, response, method, path):
        """The error for a 2xx answer that is not JSON: a login page, or not Connect at all."""
        if _looks_like_html(response) and _looks_like_login(response):
            return NotAConnectServer("%s answered %s %s with a login page%s where Connect answers JSON: %s"
                                     % (self.url, method, path, _via(response), LOGIN_ADVICE))
        if _looks_like_html(response):
            return NotAConnectServer("%s answered with an HTML page where Connect answers JSON: this URL does "
                                     "not look like a Connect server (check the address and any sub-path)."
                                     % self.url)
        return NotAConnectServer("%s answered %s %s with something other than JSON: this URL does not look "
                                 "like a Connect server." % (self.url, method, path))

    def _unreachable(self, exc, method, path, sending):
        """The error for a request that got no answer."""
        if isinstance(exc, requests.exceptions.SSLError):
            return ServerUnreachable("The TLS certificate of %s could not be verified (%s): pass --cacert FILE "
                                     "with the server's CA, or --insecure if you trust this network."
                                     % (self.url, _reason(exc)))
        if isinstance(exc, requests.exceptions.Timeout):
            return ServerUnreachable("%s did not answer in time: check that the server is up and try again."
                                     % self.url)
        if isinstance(exc, requests.exceptions.ConnectionError):
            if sending and self.answered:
                return ServerUnreachable("The connection to %s broke during %s %s (%s): nothing was saved here; "
                                         "check that the server is up and publish again."
                                         % (self.url, method, path, _reason(exc)))
            return ServerUnreachable("Could not connect to %s (%s): check the URL and that the server is running."
                                     % (self.url, _reason(exc)))
        if isinstance(exc, requests.exceptions.InvalidURL):
            return ServerUnreachable('"%s" is not a valid server URL.' % self.url)
        return ServerUnreachable("The request %s %s to %s failed (%s): check the URL and try again."
                                 % (method, path, self.url, _reason(exc)))

    def _redirected(self, response, method, path):
        """A write that was redirected (writes never follow redirects: a body must not go elsewhere)."""
        location = urljoin(response.url, response.headers.get("Location", ""))
        suffix = "__api__/" + path.lstrip("/")
        moved = urlsplit(location)
        if suffix in location and moved.path.endswith(suffix.split("?")[0]):
            base = location[:location.index(suffix)]
            return NotAConnectServer("%s redirected %s %s to %s: use %s as the server URL."
                                     % (self.url, method, path, location, base))
        return NotAConnectServer("%s redirected %s %s to %s, probably a login page: %s"
                                 % (self.url, method, path, location, LOGIN_ADVICE))

    def _error(self, response, method, path):
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if _looks_like_html(response) and _looks_like_login(response) and status in (401, 403):
                return NotAConnectServer("%s answered %s %s with a login page (HTTP %d): %s"
                                         % (self.url, method, path, status, LOGIN_ADVICE))
            if _looks_like_html(response) or status == 404:
                return NotAConnectServer("%s answered %s %s with HTTP %d and no Connect error: this URL does not "
                                         "look like a Connect server (check the address and any sub-path)."
                                         % (self.url, method, path, status))
            return ConnectAPIError("%s failed with HTTP %d: try again, or ask the server's administrator."
                                   % (path, status), status=status)
        code, error, payload = body.get("code"), body.get("error") or "", body.get("payload")
        detail = error.rstrip(".") or "no reason given"
        fields = dict(status=status, code=code, error=error, payload=payload)
        if status == 401 or code in (CODE_INVALID_KEY, CODE_AUTH_REQUIRED):
            return AuthenticationError("%s rejected the API key (%s): check the key, or create a new one in "
                                       "Connect under your name > API Keys." % (self.url, detail), **fields)
        if status == 403:
            return PermissionDenied("Connect refused %s %s (%s): you need to be the owner or a collaborator "
                                    "with a publisher role." % (method, path, detail), **fields)
        if status == 404:
            return NotFound("Connect found nothing at %s (%s)." % (path, detail), **fields)
        return ConnectAPIError("Connect refused %s %s with HTTP %d, code %s: %s." % (method, path, status, code,
                                                                                     detail), **fields)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    # -- server ---------------------------------------------------------------------------

    def server_settings(self):
        settings = self.get("server_settings")
        if not isinstance(settings, dict):
            raise NotAConnectServer("%s did not return Connect's server settings: this URL does not look like a "
                                    "Connect server." % self.url)
        return settings

    def python_settings(self):
        """`{"installations": [{"version": ...}], "api_enabled": ...}`."""
        return self.get("v1/server_settings/python") or {}

    def python_versions(self):
        return [i.get("version") for i in self.python_settings().get("installations") or [] if i.get("version")]

    def me(self):
        """The user that owns the API key."""
        return self.get("v1/user")

    # -- content --------------------------------------------------------------------------

    def content_create(self, name=None, title=None, description=None, access_type=None):
        # Older servers reject unknown fields (code 121): send only the documented ones that are set.
        body = {k: v for k, v in dict(name=name, title=title, description=description,
                                      access_type=access_type).items() if v is not None}
        return self.request("POST", "v1/content", json=body)

    def content_list(self, name=None, owner_guid=None):
        params = {k: v for k, v in dict(name=name, owner_guid=owner_guid).items() if v}
        return self.get("v1/content", params=params or None) or []

    def content_get(self, guid):
        return self.get("v1/content/%s" % guid)

    def content_get_by_id(self, content_id):
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
        raise NotFound("There is no content with id %s on %s (or you cannot see it)." % (content_id, self.url),
                       status=404, code=CODE_NOT_FOUND)

    def content_update(self, guid, **fields):
        return self.request("PATCH", "v1/content/%s" % guid, json=fields)

    def content_delete(self, guid):
        self.request("DELETE", "v1/content/%s" % guid)

    # -- bundles, deploys, tasks ----------------------------------------------------------

    def bundle_upload(self, guid, fileobj, progress: Optional[ProgressCallback] = None):
        """Upload a .tar.gz from an open binary file; requests streams it (never read into memory).

        `progress` hears of the bytes sent (phase "upload"), counted as requests reads them.
        """
        path, headers = "v1/content/%s/bundles" % guid, {"Content-Type": "application/gzip"}
        try:
            length = os.fstat(fileobj.fileno()).st_size - fileobj.tell()
        except (AttributeError, OSError, ValueError):  # an unsized stream: sent chunked, its size unknown
            return self.request("POST", path, data=fileobj, headers=headers)
        meter = Meter(progress, UPLOAD, length)
        meter.start()
        answer = self.request("POST", path, data=CountingReader(fileobj, meter, length), headers=headers)
        meter.finish()
        return answer

    def bundle_list(self, guid):
        return self.get("v1/content/%s/bundles" % guid) or []

    def bundle_get(self, guid, bundle_id):
        return self.get("v1/content/%s/bundles/%s" % (guid, bundle_id))

    def bundle_download(self, guid, bundle_id, fileobj):
        """Write the bundle's .tar.gz to an open binary file, in chunks."""
        response = self.get("v1/content/%s/bundles/%s/download" % (guid, bundle_id), stream=True)
        with contextlib.closing(response):
            for chunk in response.iter_content(64 * 1024):
                fileobj.write(chunk)

    def deploy(self, guid, bundle_id):
        """Start deploying a bundle; returns the task id."""
        answer = self.request("POST", "v1/content/%s/deploy" % guid, json={"bundle_id": str(bundle_id)})
        return answer["task_id"]

    def task(self, task_id, first=0, wait=0):
        """The task's output from line `first` on; `wait` seconds of long poll (0-20)."""
        params = {"first": int(first)}
        if wait:
            params["wait"] = int(wait)
        return self.get("v1/tasks/%s" % task_id, params=params, timeout=self.timeout + (wait or 0))

    # -- environment variables ------------------------------------------------------------

    def environment_get(self, guid):
        """The names of the content's environment variables (Connect never returns values)."""
        return self.get("v1/content/%s/environment" % guid) or []

    def environment_patch(self, guid, values):
        """Set the given variables (`{name: value}`; None deletes), leave the others."""
        body = [{"name": k, "value": v} for k, v in values.items()]
        return self.request("PATCH", "v1/content/%s/environment" % guid, json=body)

    def environment_put(self, guid, values):
        """Replace all variables with the given ones."""
        body = [{"name": k, "value": v} for k, v in values.items()]
        return self.request("PUT", "v1/content/%s/environment" % guid, json=body)


def _via(response):
    """' (via http://sso/login)' when a redirect led to the page."""
    return " (via %s)" % response.url.split("?")[0] if response.history else ""


def _reason(exc):
    """The useful part of a requests error: 'Connection refused', 'self-signed certificate', ..."""
    text = str(exc)
    for pattern in (r"certificate verify failed: ([^(')\]]+)", r"\[Errno -?\d+\] ([^'\")\]]+)",
                    r"(Connection reset by peer|Broken pipe|Remote end closed connection without response)",
                    r"(timed out)", r"(Connection aborted)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return "no answer"
