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


class Recorder:
    """Every response a browser context received: (url, body) of those with a text body."""

    def __init__(self):
        self.responses = []

    def __call__(self, response):
        try:
            body = response.body()
        except Exception:  # redirects and aborted requests have no body
            body = b""
        self.responses.append((response.url, body + ("\n" + repr(response.headers)).encode()))


@pytest.fixture
def browsers(browser):
    """New browser contexts (one per person), each recording what it received; closed afterwards."""
    made = []

    def new(recorder):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.on("response", recorder)
        page = context.new_page()
        page.set_default_timeout(60000)
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text[:300]) if m.type == "error" else None)
        made.append(context)
        return page

    yield new
    for context in made:
        context.close()
