"""What the local server's parts share: its options (`rsconnect local-server`'s) and its state (the
data folder, the database, sessions, tasks, the runner), handed to every handler. Its own module so
that the handlers, actions.py and jobs.py can name the type without importing the application."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from . import apps, bundles, interpreters, sessions, throttle
from .bundles import BundleLimits
from .db import Database
from .git_repos import Repositories
from .layout import Layout
from .mail import Mailer
from .renders import Renders
from .runner import Runner
from .scheduler import Scheduler
from .tasks import INTERRUPTED, Tasks
from .visits import Visits

DEFAULT_MAX_BUNDLE_SIZE = 2 * 1024**3
# The Connect release whose API this server speaks: 2025.06.0 is the first with drafts (deploy with
# "activate": false, previews at /content/{guid}/_bundle{id}/), 2025.10.0 the first that runs Panel
# apps (python-panel); public clients check it to use them.
CONNECT_VERSION = "2025.10.0"


def default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "rsconnect-jupyter", "local-server")


def open_database(data_dir: str) -> Database:
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    return Database(Layout(data_dir).database)


@dataclass(frozen=True)
class ServerOptions:
    """How the server runs: `rsconnect local-server`'s options (localconnect/cli.py), by their names."""

    host: str = "127.0.0.1"
    port: int = 3939
    data_dir: str | None = None  # default: default_data_dir()
    pythons: Sequence[str] = ()  # offered besides those on PATH and under ~/.pyenv
    max_bundle_size: int = DEFAULT_MAX_BUNDLE_SIZE
    environments_dir: str | None = None  # default: DATA_DIR/environments
    max_bundle_files: int = bundles.DEFAULT_MAX_FILES
    max_unpacked_size: int = bundles.DEFAULT_MAX_UNPACKED
    app_start_timeout: float = 120
    certfile: str | None = None  # HTTPS with this certificate and key
    keyfile: str | None = None
    # Password guessing (throttle.py): failed tries in a window, then a lock; the tests shorten them.
    signin_free_tries: int = throttle.Limits.free_tries
    signin_max_tries: int = throttle.Limits.max_tries
    signin_window: float = throttle.Limits.window
    signin_lock: float = throttle.Limits.lock
    signin_delay: float = throttle.Limits.first_delay
    # OAuth without signing in (throttle.py): registrations, and failed token requests, per address.
    oauth_register_limit: int = throttle.REGISTER_LIMITS.max_tries
    oauth_token_failures: int = throttle.TOKEN_FAILURE_LIMITS.max_tries
    oauth_lock: float = throttle.TOKEN_FAILURE_LIMITS.lock
    smtp: str | None = None  # HOST:PORT to mail reports through; None: mail is off
    schedule_tick: float = 30  # seconds between the scheduler's looks for due schedules
    repository_poll: float = 300  # seconds between looks for new commits of git-backed content

    @property
    def signin_limits(self) -> throttle.Limits:
        return throttle.Limits(
            free_tries=self.signin_free_tries,
            max_tries=self.signin_max_tries,
            window=self.signin_window,
            lock=self.signin_lock,
            first_delay=self.signin_delay,
            max_delay=max(
                self.signin_delay, throttle.Limits.max_delay * self.signin_delay / throttle.Limits.first_delay
            ),
        )

    @property
    def oauth_limits(self) -> tuple[throttle.Limits, throttle.Limits]:
        """(client registrations, failed token requests), per address."""
        register = throttle.REGISTER_LIMITS
        token = throttle.TOKEN_FAILURE_LIMITS
        return (
            throttle.Limits(
                free_tries=self.oauth_register_limit,
                max_tries=self.oauth_register_limit,
                window=register.window,
                lock=self.oauth_lock,
                first_delay=0.0,
                max_delay=0.0,
            ),
            throttle.Limits(
                free_tries=min(token.free_tries, self.oauth_token_failures),
                max_tries=self.oauth_token_failures,
                window=token.window,
                lock=self.oauth_lock,
                first_delay=token.first_delay,
                max_delay=token.max_delay,
            ),
        )

    @property
    def url(self) -> str:
        """The server's own URL (the links in the reports it mails)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return "%s://%s:%d/" % ("https" if self.certfile else "http", host, self.port)

    @property
    def limits(self) -> BundleLimits:
        return {"max_files": self.max_bundle_files, "max_unpacked": self.max_unpacked_size}


class State:
    """Everything the handlers share."""

    def __init__(self, options: ServerOptions) -> None:
        self.layout = Layout(options.data_dir or default_data_dir(), options.environments_dir)
        os.makedirs(self.layout.data_dir, mode=0o700, exist_ok=True)  # new folders: private to this user
        self.db = Database(self.layout.database)
        self.secret = sessions.load_secret(self.layout.secret_file)
        self.sessions = sessions.Sessions(self.db, self.secret)
        https = bool(options.certfile)
        self.cookie_name = sessions.cookie_name(options.port, https)
        self.browser_cookie = sessions.cookie_name(options.port, https, "browser")  # the sign-in form's token
        self.known_cookie = sessions.cookie_name(options.port, https, "known")  # signed in here before
        self.throttle = throttle.Throttle(options.signin_limits)
        register_limits, token_limits = options.oauth_limits
        self.register_throttle = throttle.Throttle(register_limits)
        self.token_throttle = throttle.Throttle(token_limits)
        self.tasks = Tasks(self.db)
        self.visits = Visits(self.db)  # visits to content, written in batches (usage metrics)
        self.interpreters = interpreters.discover(options.pythons)
        self.max_bundle_size = options.max_bundle_size
        self.limits: BundleLimits = options.limits
        self.runner = Runner(
            self.db,
            self.layout,
            self.tasks,
            self.interpreters,
            self.limits,
            app_start_timeout=options.app_start_timeout,
        )
        self.repositories = Repositories(
            os.path.join(self.layout.data_dir, "content"), self.limits, self.max_bundle_size
        )
        self.url = options.url
        self.mailer = Mailer(options.smtp)
        self.renders = Renders(self.db, self.layout, self.tasks, self.runner, self.mailer, self.url)
        self.scheduler = Scheduler(self.db, self.renders, options.schedule_tick)

    def recover(self) -> None:
        """Tasks a previous run left unfinished failed; their half-done files go."""
        self.tasks.mark_interrupted()
        self.db.fail_unfinished_renderings(INTERRUPTED)
        apps.kill_leftovers(os.path.join(self.layout.data_dir, "content"))
        self.layout.clean_leftovers()

    def server_settings(self) -> dict[str, Any]:
        return {
            "version": CONNECT_VERSION,
            "build": "rsconnect-jupyter %s local server" % __version__,
            "hostname": "localhost",
            "about": "rsconnect-jupyter local Connect-compatible server",
            "authentication": {
                "handles_credentials": False,
                "handles_login": False,
                "name": "API key",
                "notice": "",
                "warning_delay": 0,
                "unique_usernames": True,
            },
            "license": {
                "allow-apis": True,
                "current-user-execution": False,
                "enable-launcher": False,
                "oauth-integrations": False,
            },
            "runtimes": ["python"],
            "git_enabled": True,  # git-backed content (git_content.py), when git is installed
            "git_available": shutil.which("git") is not None,
            "execution_type": "native",
            "enable_runtime_constraints": False,
            "enable_image_management": False,
            "default_image_selection_enabled": False,
            "default_environment_management_selection": True,
            "default_r_environment_management": True,
            "default_py_environment_management": True,
            "oauth_integrations_enabled": False,
        }
