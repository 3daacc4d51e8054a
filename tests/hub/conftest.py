"""Fixtures for the hub tests: the hub's environment (the guide's install block), two Unix users,
a running hub, and browser contexts that keep every response they received (to search for keys)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.hub.hub_servers import HubUsers, cached_hub_env, start_hub, stop_hub


@pytest.fixture(scope="session")
def hub_env():
    # Not under pytest's temporary folder: that is readable by root only, and the single-user
    # servers run from this environment as the hub's users. Kept for the next run (hub_servers.py).
    return cached_hub_env()


@pytest.fixture(scope="session")
def hub_users():
    # As a real hub: JupyterHub starts each person's server as their Unix user, and the tests add
    # those users. A failure that says so, rather than a skip.
    assert os.geteuid() == 0, "tests/hub need root (useradd, and a hub that starts servers as other users)"
    users = HubUsers()
    try:
        yield users
    finally:
        users.remove_all()


@pytest.fixture(scope="session")
def two_users(hub_users):
    return hub_users.add("user1x"), hub_users.add("user2x")


@pytest.fixture(scope="session")
def hub(hub_env, two_users):
    workdir = Path(tempfile.mkdtemp(prefix="rsc-hub-srv-"))  # this run's hub database and cookie secret
    hub = start_hub(hub_env, workdir)
    try:
        yield hub
    finally:
        stop_hub(hub)
        shutil.rmtree(workdir, ignore_errors=True)


NO_BODY = {204, 205}  # with 1xx, 3xx and HEAD: responses that have no body


class Recorder:
    """Every response a browser context received, as (url, body and headers), each body read as its
    request finishes (as signin_helpers.Visit does): a body is gone once its page navigates away,
    so one read later could be empty and hide a key. `seen()` fails if any body could not be read.

    Chromium still drops a body now and then (a kernel logo it served from its memory cache, in one
    CI run of 1,500 tests): a GET whose body is gone is asked again, in the same browser context
    (its cookies, so as the same person), and that answer is searched instead. Anything else unread
    fails the test."""

    def __init__(self):
        self.responses = []
        self.unread = []
        self.context = None  # set by the `browsers` fixture: where to ask again for a dropped GET

    def __call__(self, request):
        response = request.response()
        if response is None:
            return
        headers = ("\n" + repr(response.headers)).encode()
        if (
            request.method == "HEAD"
            or response.status < 200
            or 300 <= response.status < 400
            or response.status in NO_BODY
        ):
            self.responses.append((response.url, headers))  # no body to read
            return
        try:
            body = response.body()
        except Exception as e:  # any failure to read: asked again or reported by seen()
            self.unread.append((request.method, response.url, str(e).splitlines()[0]))
            return
        self.responses.append((response.url, body + headers))

    def _ask_again(self):
        still = []
        for method, url, error in self.unread:
            if method == "GET" and self.context is not None:
                again = self.context.request.get(url, max_redirects=0)
                if again.ok:
                    self.responses.append((url, again.body() + ("\n" + repr(again.headers)).encode()))
                    continue
                error += "; asked again: %d" % again.status
            still.append((method, url, error))
        self.unread = still

    @staticmethod
    def settle(page):
        """Read the bodies of everything the page has loaded so far, before the test moves on.

        The sync API runs event handlers only while the test calls into Playwright, so responses
        that finished while the test polled over plain HTTP wait in a queue; had the next call been
        a navigation, their bodies would be gone when read. `wait_for_load_state` alone does not
        drain that queue (once the state was reached it returns without asking the browser);
        a round trip to the page does, in order, before anything else is sent."""
        page.wait_for_load_state("networkidle")
        page.evaluate("0")

    def seen(self):
        """Every response's URL and text; fails if a body could not be read."""
        self._ask_again()
        assert not self.unread, "%d bodies not read: %s" % (
            len(self.unread),
            "; ".join("%s %s (%s)" % (method, url.split("?")[0], error) for method, url, error in self.unread),
        )
        return self.responses


def another_page(context):
    """A new tab in a person's browser: a second UI opens here, so the first page never navigates
    away while bodies it received may still be unread (a body is gone once its page navigates)."""
    page = context.new_page()
    page.set_default_timeout(60000)
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text[:300]) if m.type == "error" else None)
    return page


@pytest.fixture
def browsers(browser):
    """New browser contexts (one per person), each recording what it received; closed afterwards."""
    made = []

    def new(recorder):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.on("requestfinished", recorder)
        recorder.context = context
        made.append(context)
        return another_page(context)

    yield new
    for context in made:
        context.close()
