"""The OAuth endpoints a stranger reaches without signing in, limited per address as the sign-in form
is (localconnect/throttle.py), tried as a flooder or a guesser would: many client registrations
from one address, and many made-up codes and refresh tokens at the token endpoint. The limits are
shortened through the server's options (3 registrations, 4 failed token requests, a 2 s lock),
never by faking time."""

import time

import pytest
import requests

from tests.localserver.oauth_helpers import (
    DEVICE_GRANT,
    Browser,
    approve_code,
    metadata,
    pkce,
    register,
    start_device,
    token,
)

pytestmark = pytest.mark.slow

REGISTRATIONS, FAILURES, LOCK = 3, 4, 2.0
ARGS = ["--oauth-register-limit", str(REGISTRATIONS), "--oauth-token-failures", str(FAILURES)]
ARGS += ["--oauth-lock", str(LOCK)]
REDIRECT = "http://127.0.0.1:4567/callback"


@pytest.fixture
def server(local_servers, tmp_path):
    s = local_servers.start(tmp_path / "limits", extra_args=ARGS)
    yield s
    local_servers.stop(s)


def registration(server, name="Flood"):
    body = {"client_name": name, "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}
    return requests.post(metadata(server)["registration_endpoint"], json=body, timeout=60)


def assert_refused(r):
    assert r.status_code == 429, r.text
    assert r.json()["error"] == "temporarily_unavailable" and "try again in" in r.json()["error_description"]
    assert 0 < int(r.headers["Retry-After"]) <= LOCK
    assert r.headers["Cache-Control"] == "no-store"


def wait_out(server, attempt):
    """Call `attempt` as soon as the server allows (it says when: Retry-After)."""
    deadline = time.monotonic() + LOCK + 30
    while True:
        r = attempt()
        if r.status_code != 429:
            return r
        assert time.monotonic() < deadline, "still refused after %s s" % (LOCK + 30)
        time.sleep(float(r.headers["Retry-After"]) / 4)


def test_registering_many_clients_from_one_address_is_refused_for_a_while(server):
    # refused metadata stores nothing, so it does not count
    bad = requests.post(metadata(server)["registration_endpoint"], json={"client_name": ""}, timeout=60)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client_metadata"
    answers = [registration(server, "Flood %d" % i) for i in range(REGISTRATIONS)]
    assert [r.status_code for r in answers] == [201] * REGISTRATIONS, [r.text for r in answers]
    assert_refused(registration(server, "One too many"))
    # once the lock is over, a client registers again
    assert wait_out(server, lambda: registration(server, "Later")).status_code == 201


def test_guessing_codes_and_refresh_tokens_is_refused_then_the_right_code_works_after_the_lock(server):
    server.add_user("limit-pia", "publisher", password="pia-password-1")
    client_id = register(server)
    verifier, challenge = pkce()
    answer = approve_code(Browser(server, "limit-pia", "pia-password-1"), client_id, challenge, REDIRECT)
    exchange = dict(grant_type="authorization_code", client_id=client_id, code_verifier=verifier, redirect_uri=REDIRECT)

    guesses = [token(server, **dict(exchange, code="guess-%d" % i)) for i in range(FAILURES - 1)]
    guesses.append(token(server, grant_type="refresh_token", client_id=client_id, refresh_token="guess"))
    assert [(r.status_code, r.json()["error"]) for r in guesses] == [(400, "invalid_grant")] * FAILURES
    # the limit is reached: even the right code is refused (and not used up) until the lock ends
    assert_refused(token(server, **dict(exchange, code=answer["code"])))
    assert_refused(token(server, **dict(exchange, code="guess-again")))
    r = wait_out(server, lambda: token(server, **dict(exchange, code=answer["code"])))
    assert r.status_code == 200 and r.json()["access_token"], r.text


def test_waiting_for_approval_is_no_guess(server):
    """A device sign-in polled many times (too fast, even) is never refused: only guesses count."""
    client_id = register(server)
    started = start_device(server, client_id)
    poll = dict(grant_type=DEVICE_GRANT, client_id=client_id, device_code=started["device_code"])
    errors = [token(server, **poll).json()["error"] for _ in range(FAILURES * 3)]
    assert set(errors) <= {"authorization_pending", "slow_down"} and "slow_down" in errors, errors
