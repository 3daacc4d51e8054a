"""The local server's application: routes, first start, start-up recovery and shutdown (its options
and state: state.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import ssl
import sys
from typing import Any, Callable

import tornado.httpserver
import tornado.web

from . import auth, handlers, sessions
from .git_content import RepositoryPoller
from .state import ServerOptions, State

log = logging.getLogger("localconnect")


def routes() -> list[tuple[str, type[tornado.web.RequestHandler]]]:
    """The route table: (path pattern, handler). tests/reliability/test_server_access.py checks
    every entry, so a new route must say there who may use it."""
    guid = r"(?P<guid>[0-9a-fA-F-]{36})"
    api = r"/__api__/"
    return [
        (r"/", handlers.RootHandler),
        (r"/__login__", handlers.LoginHandler),
        (r"/__logout__", handlers.LogoutHandler),
        (r"/__assets__/(?P<kind>requirejs|mathjax|widgets)/(?P<asset>.*)", handlers.AssetsHandler),
        (r"/connect/?", handlers.DashboardHandler),
        (r"/connect/clients", handlers.SignedInClientsHandler),
        (r"/connect/clients/(?P<grant_id>\d+)/sign-out", handlers.SignOutClientHandler),
        (r"/\.well-known/oauth-authorization-server", handlers.OAuthMetadataHandler),
        (r"/__oauth__/register", handlers.OAuthRegisterHandler),
        (r"/__oauth__/authorize", handlers.AuthorizeHandler),
        (r"/__oauth__/token", handlers.OAuthTokenHandler),
        (r"/__oauth__/device_authorization", handlers.OAuthDeviceAuthorizationHandler),
        (r"/__oauth__/device", handlers.DeviceHandler),
        (r"/__oauth__/revoke", handlers.OAuthRevokeHandler),
        (r"/connect/apps/" + guid + r"/?", handlers.DashboardItemHandler),
        (r"/connect/apps/" + guid + r"/tasks/(?P<task_id>[A-Za-z0-9_-]{1,64})", handlers.DashboardTaskHandler),
        (
            r"/connect/apps/" + guid + r"/bundles/(?P<bundle_id>\d+)/(?P<action>activate|delete)",
            handlers.BundleActionHandler,
        ),
        (api + r"server_settings", handlers.ServerSettingsHandler),
        (api + r"v1/server_settings/python", handlers.PythonSettingsHandler),
        (api + r"v1/server_settings/quarto", handlers.QuartoSettingsHandler),
        (api + r"(?:v1/user|me)", handlers.UserHandler),
        (api + r"v1/users", handlers.UsersHandler),
        (api + r"v1/users/(?P<guid>[^/]+)", handlers.UsersHandler),
        (api + r"v1/content", handlers.ContentListHandler),
        (api + r"v1/content/" + guid, handlers.ContentHandler),
        (api + r"v1/content/" + guid + r"/bundles", handlers.BundlesHandler),
        (api + r"v1/content/" + guid + r"/bundles/(?P<bundle_id>\d+)", handlers.BundleHandler),
        (api + r"v1/content/" + guid + r"/bundles/(?P<bundle_id>\d+)/download", handlers.BundleDownloadHandler),
        (api + r"v1/content/" + guid + r"/deploy", handlers.DeployHandler),
        (api + r"v1/content/" + guid + r"/build", handlers.BuildHandler),
        (api + r"v1/content/" + guid + r"/lockfile", handlers.LockfileHandler),
        (api + r"v1/content/" + guid + r"/environment", handlers.EnvironmentHandler),
        (api + r"v1/content/" + guid + r"/permissions", handlers.PermissionsHandler),
        (api + r"v1/content/" + guid + r"/permissions/(?P<permission_id>\d+)", handlers.PermissionHandler),
        (api + r"v1/content/" + guid + r"/vanity", handlers.VanityHandler),
        (api + r"v1/content/" + guid + r"/repository", handlers.RepositoryHandler),
        (api + r"v1/content/" + guid + r"/repository/bundle", handlers.RepositoryBundleHandler),
        (api + r"v1/vanities", handlers.VanitiesHandler),
        (api + r"v1/content/" + guid + r"/tags", handlers.ContentTagsHandler),
        (api + r"v1/content/" + guid + r"/tags/(?P<tag_id>\d+)", handlers.ContentTagHandler),
        (api + r"v1/tags", handlers.TagsHandler),
        (api + r"v1/tags/(?P<tag_id>\d+)", handlers.TagHandler),
        (api + r"v1/tags/(?P<tag_id>\d+)/content", handlers.TagContentHandler),
        (api + r"v1/content/" + guid + r"/jobs", handlers.JobsHandler),
        (api + r"v1/content/" + guid + r"/jobs/(?P<key>[^/]+)", handlers.JobHandler),
        (api + r"v1/content/" + guid + r"/jobs/(?P<key>[^/]+)/log", handlers.JobLogHandler),
        (api + r"v1/tasks/(?P<task_id>[^/]+)", handlers.TaskHandler),
        (api + r"applications/(?P<app_id>[^/]+)", handlers.ApplicationHandler),
        (api + r"applications/" + guid + r"/variants", handlers.VariantsHandler),
        (api + r"variants/(?P<variant_id>\d+)", handlers.VariantHandler),
        (api + r"variants/(?P<variant_id>\d+)/render", handlers.VariantRenderHandler),
        (api + r"variants/(?P<variant_id>\d+)/renderings", handlers.VariantRenderingsHandler),
        (api + r"variants/(?P<variant_id>\d+)/sender", handlers.VariantSenderHandler),
        (api + r"variants/(?P<variant_id>\d+)/schedules", handlers.VariantSchedulesHandler),
        (api + r"schedules", handlers.SchedulesHandler),
        (api + r"schedules/(?P<schedule_id>\d+)", handlers.ScheduleHandler),
        (api + r"v1/groups", handlers.GroupsHandler),
        (api + r"v1/content/" + guid + r"/packages", handlers.ContentPackagesHandler),
        (api + r"v1/packages", handlers.ServerPackagesHandler),
        (api + r"v1/instrumentation/content/visits", handlers.VisitsHandler),
        (api + r"v1/instrumentation/content/hits", handlers.HitsHandler),
        (api + r"v1/instrumentation/shiny/usage", handlers.ShinyUsageHandler),
        (api + r"v1/system/caches/runtime", handlers.RuntimeCachesHandler),
        (api + r"v1/oauth/integrations", handlers.OAuthIntegrationsHandler),
        (api + r"v1/oauth/sessions", handlers.OAuthSessionsHandler),
        (api + r"v1/content/" + guid + r"/oauth/integrations/associations", handlers.ContentAssociationsHandler),
        (api + r"v1/environments", handlers.EnvironmentsHandler),
        (api + r".*", handlers.ApiNotFoundHandler),
        (r"/content/" + guid, handlers.ContentRedirectHandler),
        (r"/content/" + guid + r"/_bundle(?P<bundle_id>\d+)/(?P<path>.*)", handlers.BundlePreviewHandler),
        (r"/content/" + guid + r"/_rendering(?P<rendering_id>\d+)/?", handlers.RenderingPageHandler),
        (r"/content/" + guid + r"/(?P<path>.*)", handlers.ContentFilesHandler),
        (r"/(?P<vpath>.+)", handlers.VanityPathHandler),
    ]


HERE = os.path.dirname(os.path.abspath(__file__))


def make_app(state: State) -> tornado.web.Application:
    # WebSocket messages relayed to apps may be large (Streamlit sends whole dataframes).
    return tornado.web.Application(
        routes(),
        state=state,
        log_function=log_request,
        websocket_max_message_size=1024**3,
        cookie_secret=state.secret,
        template_path=os.path.join(HERE, "templates"),
        static_path=os.path.join(HERE, "static"),
        static_url_prefix="/__static__/",
    )


def log_request(handler: tornado.web.RequestHandler) -> None:
    """One line per request: method, path (never the query string or headers: no keys), status."""
    status = handler.get_status()
    request = handler.request
    logger = logging.getLogger("localconnect.access")
    level = logging.INFO if status < 500 else logging.ERROR
    logger.log(level, "%d %s %s %.1fms", status, request.method, request.path, 1000.0 * request.request_time())


def first_start(state: State, url: str, say: Callable[[str], Any]) -> str | None:
    """Create the administrator on first start and write its key to DATA/admin-api-key (0600)."""
    if state.db.count_users():
        return None
    _, key = auth.create_user(state.db, "admin", "administrator")
    # A password to sign in to the pages with; it is in the file, never in the output.
    password = secrets.token_urlsafe(12)
    sessions.set_password(state.db, "admin", password)
    write_private(state.layout.admin_password_file, password)
    write_private(state.layout.admin_key_file, key)  # last: launch.py waits for this file
    return key


def write_private(path: str, text: str) -> None:
    """Write a secret to a file only this user may read (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)


def save_server(url: str, key: str, say: Callable[[str], Any]) -> None:
    """Save this server as nickname `local` for the `rsconnect` client, unless that name is taken."""
    from . import saved_servers

    try:
        if saved_servers.add_if_missing("local", url, key):
            say('Saved this server as "local" (rsconnect deploy ... -n local).')
    except Exception as e:  # the server runs fine without it
        say('Could not save this server as "local": %s' % e)


def serve(options: ServerOptions, say: Callable[[str], Any] = print) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s %(message)s")
    state = State(options)
    state.recover()
    state.scheduler.start()
    poller = RepositoryPoller(state, options.repository_poll)
    poller.start()
    try:
        asyncio.run(_serve(state, options, say))
    finally:
        poller.stop()
        state.visits.flush()
        state.scheduler.stop()
        state.runner.stop()
        # Running jobs end quickly once their commands are killed; the database stays open for
        # them to record that (Python joins the pool's threads at exit).
        state.runner.pool.shutdown(wait=False, cancel_futures=True)
    say("Stopped.")


def tls_context(options: ServerOptions) -> ssl.SSLContext | None:
    """HTTPS when --certfile is given (--keyfile when the key is not in the certificate file)."""
    if not options.certfile:
        if options.keyfile:
            raise ValueError("--keyfile needs --certfile: give both, or neither for plain HTTP.")
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(options.certfile, options.keyfile)
    except (OSError, ssl.SSLError) as e:
        raise ValueError("Cannot use the certificate %s: %s" % (options.certfile, e)) from e
    return context


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


async def _serve(state: State, options: ServerOptions, say: Callable[[str], Any]) -> None:
    # Stop cleanly on SIGTERM from the start: whoever reads the first lines (a launcher, a test)
    # may stop the server at once, and must not kill it half-way through its first start.
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stopping.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl-C raises KeyboardInterrupt instead
            pass
    host, port = options.host, options.port
    context = tls_context(options)
    server = tornado.httpserver.HTTPServer(make_app(state), max_body_size=handlers.API_BODY_LIMIT, ssl_options=context)
    server.listen(port, host)
    scheme = "https" if context else "http"
    url = "%s://%s:%d/" % (scheme, "127.0.0.1" if host in ("", "0.0.0.0", "::") else host, port)
    key = first_start(state, url, say)
    say("rsconnect-jupyter local server (Connect-compatible) at %s" % url)
    if not is_loopback(host) and context is None:
        say(
            "Warning: listening on %s without TLS: other machines can reach this server, and passwords, "
            "API keys and sessions cross the network in the clear. Give --certfile and --keyfile for HTTPS." % host
        )
    say("Data folder: %s" % state.layout.data_dir)
    say("Python: %s" % (", ".join(i.version for i in state.interpreters) or "none found"))
    if not state.mailer.on:
        state.mailer.say_off_once()  # once: a report that would be mailed later says nothing more
    if key is not None:
        # The key goes to a terminal only: a redirected log never holds a key. It is in the file anyway.
        if sys.stdout.isatty():
            say("Administrator API key: %s" % key)
        say("The administrator's API key is in %s" % state.layout.admin_key_file)
        say("Sign in to %sconnect/ as admin with the password in %s" % (url, state.layout.admin_password_file))
        save_server(url, key, say)
    elif state.db.one("SELECT 1 AS found FROM passwords LIMIT 1") is None:
        # A data folder from before sign-in existed: nobody has a password yet.
        say(
            "No one can sign in to the pages yet: rsconnect local-server set-password admin --data-dir %s"
            % state.layout.data_dir
        )
    sys.stdout.flush()
    try:
        await stopping.wait()
    finally:
        server.stop()
        state.runner.stop()  # kill running deploy commands; their tasks are marked failed at next start
