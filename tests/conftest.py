"""Shared fixtures: a real local Connect-compatible server over HTTP on 127.0.0.1.

Every test session gets its own XDG_CONFIG_HOME (saved servers) and data folder, so nothing
touches the developer's own files.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from rsconnect_jupyter.localconnect import launch
from rsconnect_jupyter.localconnect.launch import free_port  # noqa: F401  (tests import it from here)
from tests import cpu_report

HERE = Path(__file__).parent

# Saved secrets go to servers.json in every test, never into the keyring of the developer's desktop
# (a D-Bus session in the environment would make it usable): the keyring tests start a keyring of
# their own and take this back in the environments they hand out (tests/keyring_session.py).
os.environ["RSCONNECT_KEYRING"] = "0"


@dataclass
class LocalServer:
    url: str  # ends with "/"
    api_key: str  # the administrator's key
    data_dir: Path
    process: subprocess.Popen
    log_path: Path

    @property
    def admin_password(self):
        """The password `admin` signs in with (written at first start, like the API key)."""
        return (self.data_dir / "admin-password").read_text().strip()

    def cli(self, *args, password=None, check=False):
        """`rsconnect local-server ARGS --data-dir DATA` on this server's data folder; a password is
        typed on standard input twice, as a person confirms it."""
        return subprocess.run(
            [sys.executable, "-m", "rsconnect_jupyter", "local-server", *args, "--data-dir", str(self.data_dir)],
            check=check,
            capture_output=True,
            text=True,
            input=None if password is None else "%s\n%s\n" % (password, password),
            timeout=120,
        )

    def add_user(self, name, role="publisher", password=None):
        """Create a user with the CLI (with a password when given) and return its API key."""
        args = ["add-user", name, "--role", role] + (["--password"] if password is not None else [])
        out = self.cli(*args, password=password, check=True).stdout
        return out.strip().splitlines()[-1].split()[-1]

    def get(self, url, key=None, **kwargs):
        """GET a content URL as a program does: with an API key (the administrator's unless given)."""
        headers = kwargs.pop("headers", {})
        headers["Authorization"] = "Key " + (key or self.api_key)
        kwargs.setdefault("timeout", 60)
        return requests.get(url, headers=headers, **kwargs)

    def session_cookie(self, username="admin", password=None):
        """Sign in on /__login__ and return the session cookie (a dict for Playwright's add_cookies)."""
        session = requests.Session()
        page = session.get(self.url + "__login__", timeout=60)  # its form's token, bound to a cookie
        token = page.text.split('name="signin" value="', 1)[1].split('"', 1)[0]
        r = session.post(
            self.url + "__login__",
            data={
                "username": username,
                "password": password or self.admin_password,
                "next": "/connect/",
                "signin": token,
            },
            allow_redirects=False,
            timeout=60,
        )
        assert r.status_code == 302, r.text[:500]
        (cookie,) = [c for c in session.cookies if c.name.startswith("rsconnect_local_session_")]
        # As the server set it: HttpOnly and SameSite=Lax (a page's scripts cannot read it)
        return {"name": cookie.name, "value": cookie.value, "url": self.url, "httpOnly": True, "sameSite": "Lax"}

    def sign_in(self, context, username="admin", password=None):
        """Sign a Playwright browser context in, as a person who signed in on the login page."""
        context.add_cookies([self.session_cookie(username, password)])

    def api(self, method, path, key=None, **kwargs):
        headers = kwargs.pop("headers", {})
        headers["Authorization"] = "Key " + (key or self.api_key)
        return requests.request(method, self.url + "__api__/" + path, headers=headers, timeout=60, **kwargs)

    def log(self):
        return self.log_path.read_text(errors="replace")


def start_local_server(data_dir, env=None, extra_args=()):
    process, url, key, log_path = launch.start_local_server(
        data_dir, env=env or os.environ.copy(), extra_args=extra_args
    )
    return LocalServer(url, key, Path(data_dir), process, log_path)


def stop_local_server(server):
    launch.stop(server.process)


# -- tiers, and how the workers share the suite -----------------------------------------------
BROWSER_FIXTURES = {"browser", "page", "browsers"}  # browsers: tests/hub's recording contexts
# The hub's tests share one environment and one hub: the folder goes to one worker as a whole.
GROUPS = ("tests/hub",)
# Modules whose tests share no module-scoped setup: each test is a unit, so the README's install
# blocks (a fresh environment each, minutes on a loaded machine) run on several workers, not one.
APART = ("tests/install/test_readme_install.py",)
# Units that start before the rest: the longest (the hub, which one worker runs whole, first; then
# fresh environments and builds).
FIRST = ("tests/hub", "tests/install/")


def _group(nodeid):
    """The unit of work a worker takes: a group folder, else the test's module (its module-scoped
    fixtures, such as a server of its own or tests/install's build, then start once, not once per
    worker), or the test itself in an APART module."""
    path = nodeid.split("::", 1)[0]
    if path in APART:
        return nodeid
    return next((group for group in GROUPS if path.startswith(group + "/")), path)


def _cost(item):
    """A rough weight of a test, to hand out the longest units first (no durations on a clean clone)."""
    if item.get_closest_marker("browser") or item.get_closest_marker("slow"):
        return 10
    return 1 if item.get_closest_marker("quick") is None else 0.2


def pytest_addoption(parser):
    cpu_report.add_option(parser)


def pytest_configure(config):
    cpu_report.configure(config)


def pytest_itemcollected(item):
    """Mark tests by what they use, so `-m quick` works whatever markers a test file sets: browser
    (a browser fixture), install (tests/install, test_lab_install.py), hub (the hub's environment),
    and quick for the rest that is not slow."""
    names = set(item.fixturenames)
    if BROWSER_FIXTURES & names and not item.get_closest_marker("browser"):
        item.add_marker(pytest.mark.browser)
    if item.nodeid.startswith("tests/install/") or item.path.name == "test_lab_install.py":
        item.add_marker(pytest.mark.install)
    if "hub_env" in names:
        item.add_marker(pytest.mark.hub)
    if not any(item.get_closest_marker(m) for m in ("browser", "install", "hub", "slow")):
        item.add_marker(pytest.mark.quick)


@pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture
def pytest_collection_modifyitems(config, items):
    """The units of work (_group) longest first, the install and hub ones before all, so no long
    unit starts last on a worker. The order within a unit is kept."""
    costs = {}
    for item in items:
        costs[_group(item.nodeid)] = costs.get(_group(item.nodeid), 0) + _cost(item)

    def rank(item):
        unit = _group(item.nodeid)
        first = next((i for i, prefix in enumerate(FIRST) if unit.startswith(prefix)), len(FIRST))
        # A unit stays in one piece (its module-scoped fixtures start once, with or without workers).
        return first, -costs[unit], unit

    items.sort(key=rank)


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadscope` (scripts/test), a unit of work is _group's: a group folder or a module."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleAndGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _group(nodeid)

    return ByModuleAndGroup(config, log)


@pytest.fixture(scope="session", autouse=True)
def isolated_config(tmp_path_factory):
    """Saved servers and other per-user state go to a folder of this test session."""
    config = tmp_path_factory.mktemp("xdg-config")
    data = tmp_path_factory.mktemp("xdg-data")
    old = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(config)
    os.environ["XDG_DATA_HOME"] = str(data)
    yield config
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def local_server(tmp_path_factory, isolated_config):
    """One local server for the whole session (environments are cached in its data dir)."""
    server = start_local_server(tmp_path_factory.mktemp("local-connect"))
    yield server
    stop_local_server(server)


class LocalServers:
    """Start servers of their own (own data folder, own options); all are stopped at the end."""

    def __init__(self):
        self.running = []

    def start(self, data_dir, env=None, extra_args=()):
        server = start_local_server(data_dir, env=env, extra_args=extra_args)
        self.running.append(server)
        return server

    def stop(self, server):
        if server in self.running:
            self.running.remove(server)
        stop_local_server(server)

    def stop_all(self):
        for server in list(self.running):
            self.stop(server)


@pytest.fixture(scope="session")
def local_servers(isolated_config):
    """A factory for extra local servers (restart tests, special limits), stopped at session end."""
    servers = LocalServers()
    yield servers
    servers.stop_all()


# -- headless Chromium for the browser tests (tests/extension, tests/lab) ----------------------

CHROMIUM = "/usr/bin/chromium"  # Debian's; scripts/test installs it. Never a downloaded browser.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def poll_every_100_ms() -> None:
    """Playwright runs a `wait_for_function` check on every animation frame unless told otherwise:
    a JupyterLab page that waits for a publish so costs Chromium about 0.1 CPU-second a second, a
    check every 100 ms a sixth of that. Tests that ask for a polling keep theirs."""
    from playwright.sync_api import Frame, Page

    for cls in (Page, Frame):
        wait = cls.wait_for_function
        if getattr(wait, "polls_every_100_ms", False):
            continue

        def wait_for_function(self, expression, *, arg=None, timeout=None, polling=100, _wait=wait):
            return _wait(self, expression, arg=arg, timeout=timeout, polling=polling)

        wait_for_function.polls_every_100_ms = True
        cls.wait_for_function = wait_for_function


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    poll_every_100_ms()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    page.console_errors = []  # the page's console errors, for failure messages
    page.on("console", lambda m: page.console_errors.append(m.text[:300]) if m.type == "error" else None)
    yield page
    context.close()
