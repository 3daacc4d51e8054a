"""The HTTP session of a ConnectClient: TLS, `request()`, and the retries of reads.

One requests Session per client, so cookies set by a deploy (sticky load balancers) go back on
the task polls, proxies and CA bundles come from the environment as requests reads them
(HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), and connections are reused. Every failure becomes
one of the typed errors of `exceptions.py` (see errors.py).

Reads (GET, HEAD) are retried with a short exponential backoff when a proxy answers 502, 503 or
504 or the server answers 429 (waiting at least what a Retry-After asks, up to 30 s), and, once
the server has answered this client at least once, when the connection breaks or times out (a
first refused connection is a wrong URL or a stopped server: said at once). Writes (POST, PATCH,
PUT, DELETE) are never retried: an upload or a deploy must not happen twice.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import requests

from .._version import __version__
from ..exceptions import InvalidInput, ServerUnavailable, ServerUnreachable
from .errors import ErrorMapping, _reason
from .retry import RETRIED_METHODS, RETRIED_STATUSES, _times, request_timeout, retry_after, retry_schedule, retry_wait

_Session = TypeVar("_Session", bound="Session")


def api_url(server_url: str, path: str) -> str:
    """`{server}/__api__/{path}`, keeping any sub-path of the server URL (join, never replace)."""
    return server_url.rstrip("/") + "/__api__/" + path.lstrip("/")


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


class Session(ErrorMapping):
    """A Connect server's API at `url`, seen through one user's API key (the resources build on it)."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        insecure: bool = False,
        ca_cert: str | None = None,
        timeout: float | None = None,
        bearer: str | None = None,
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
        elif bearer:  # an OAuth access token (signin.py), used as Connect takes it
            self.session.headers["Authorization"] = "Bearer " + bearer
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

    def __enter__(self: _Session) -> _Session:
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
    ) -> Any:
        """The decoded JSON answer (None for an empty one), or with `stream` the `requests.Response`
        itself. The resource classes (content.py, ...) give the JSON its shape."""
        response = self._send(
            method,
            path,
            dict(json=json, params=params, data=data, headers=headers, stream=stream, timeout=timeout or self.timeout),
        )
        if response.status_code >= 400:
            raise self._error(response, method, path)
        if stream:
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

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)
