"""Password guessing against the sign-in form (localconnect/throttle.py), as a guesser does it: many
wrong passwords in a row for one account, one account from many addresses (127.0.0.N), then many
accounts from one address. The server's windows are shortened through its options (a lock of 2 s,
a first delay of 0.3 s), never by faking time, so the test waits seconds, not minutes.
"""

import time

import pytest
import requests

from tests.localserver.signin_helpers import Person, login, signin_form

pytestmark = pytest.mark.slow

LOCK = 2.0
DELAY = 0.3
MAX_TRIES = 5
ARGS = ["--signin-max-tries", str(MAX_TRIES), "--signin-window", "60", "--signin-lock", str(LOCK)]
ARGS += ["--signin-delay", str(DELAY)]


@pytest.fixture(scope="module")
def server(local_servers, tmp_path_factory):
    s = local_servers.start(tmp_path_factory.mktemp("throttle"), extra_args=ARGS)
    yield s
    local_servers.stop(s)


def timed_login(server, name, password, session=None):
    started = time.monotonic()
    if session is None:
        r = login(server, name, password)
    else:
        token = signin_form(server, session)
        data = {"username": name, "password": password, "next": "/connect/", "signin": token}
        r = session.post(server.url + "__login__", data=data, allow_redirects=False, timeout=60)
    return r, time.monotonic() - started


def wait_out_the_lock(server, name, password):
    """Sign in with the right password as soon as the server allows (it says when: Retry-After)."""
    deadline = time.monotonic() + LOCK + 10
    while True:
        r, _ = timed_login(server, name, password)
        if r.status_code != 429:
            return r
        assert time.monotonic() < deadline, "still locked out after %s s" % (LOCK + 10)
        time.sleep(float(r.headers["Retry-After"]) / 4)


def test_guessing_one_password_is_slowed_then_refused_for_a_short_while(server):
    ann = Person(server, "th-ann", "viewer", "ann-throttle-pass-1f")
    answers = [timed_login(server, ann.name, "wrong-password-%d" % i) for i in range(MAX_TRIES)]
    assert [r.status_code for r, _ in answers] == [403] * MAX_TRIES
    # from the fourth, each answer waits longer (at least 0.3 s, then 0.6 s); only lower bounds, since
    # a loaded machine adds time to every answer and never takes any away
    assert answers[3][1] >= DELAY and answers[4][1] >= 2 * DELAY, [t for _, t in answers]
    # locked: even the right password is refused, with when to come back
    refused, took = timed_login(server, ann.name, ann.password)
    assert refused.status_code == 429, refused.text[:300]
    assert 1 <= int(refused.headers["Retry-After"]) <= LOCK
    # refused before any check or delay (the next delay would be 4 x 0.3 s)
    assert "Too many failed sign-ins" in refused.text and took < 4 * DELAY
    assert not refused.cookies
    # the rightful user gets in once the lock is over (2 s here, a minute by default)
    assert wait_out_the_lock(server, ann.name, ann.password).status_code == 302


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections from another loopback address (127.0.0.N): guesses from many machines."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def from_address(address):
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def test_guessing_one_account_from_many_addresses_is_refused(server):
    dana = Person(server, "th-dana", "viewer", "dana-throttle-pass-4c")
    for i in range(MAX_TRIES):  # one guess from each address: only the account connects them
        r, _ = timed_login(server, dana.name, "guess-%d" % i, session=from_address("127.0.0.%d" % (10 + i)))
        assert r.status_code == 403
    refused, _ = timed_login(server, dana.name, dana.password, session=from_address("127.0.0.20"))
    assert refused.status_code == 429 and refused.headers["Retry-After"], refused.status_code
    assert wait_out_the_lock(server, dana.name, dana.password).status_code == 302


def test_guessing_many_accounts_from_one_address_is_refused(server):
    bob = Person(server, "th-bob", "viewer", "bob-throttle-pass-2e")
    for i in range(MAX_TRIES):  # a different user name each time: only the address connects them
        r, _ = timed_login(server, "th-nobody-%d" % i, "guess-%d" % i)
        assert r.status_code == 403
    refused, _ = timed_login(server, bob.name, bob.password)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert wait_out_the_lock(server, bob.name, bob.password).status_code == 302


def test_a_guesser_does_not_lock_the_person_out_of_her_own_browser(server):
    cleo = Person(server, "th-cleo", "viewer", "cleo-throttle-pass-3d")
    hers = requests.Session()  # her browser: she signed in here before
    r, _ = timed_login(server, cleo.name, cleo.password, session=hers)
    assert r.status_code == 302
    for i in range(MAX_TRIES):
        timed_login(server, cleo.name, "guess-%d" % i)
    assert timed_login(server, cleo.name, cleo.password)[0].status_code == 429  # the guesser is locked out
    again, took = timed_login(server, cleo.name, cleo.password, session=hers)
    # she is not, and her answer is not slowed (the guesser's next would wait 4 x 0.3 s)
    assert again.status_code == 302 and took < 4 * DELAY, (again.status_code, took)
    wait_out_the_lock(server, cleo.name, cleo.password)
