"""What the commands share: server options, turning errors into one sentence, progress output."""
import functools
import importlib
import sys
import threading
from pathlib import Path

import click

from ..exceptions import DeployFailed, InvalidInput, RSConnectError
from ..store import DeploymentStore, ServerStore, normalize_url
from .progress import for_stderr


def server_options(func):
    """-n/--name, -s/--server, -k/--api-key, -i/--insecure, -c/--cacert."""
    options = [
        click.option("-n", "--name", help="Nickname of a saved server (see \"rsconnect list\")."),
        click.option("-s", "--server", envvar="CONNECT_SERVER",
                     help="Server URL, e.g. https://connect.example.com/ (env: CONNECT_SERVER)."),
        click.option("-k", "--api-key", envvar="CONNECT_API_KEY",
                     help="API key of your Connect account (env: CONNECT_API_KEY). Never printed."),
        click.option("-i", "--insecure", is_flag=True, help="Do not verify the server's TLS certificate."),
        click.option("-c", "--cacert", type=click.Path(exists=True, dir_okay=False),
                     help="PEM file with the certificate authority of the server's TLS certificate."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def content_options(func=None, *, title_default="the file name without extension"):
    """Options of every content type: title, environment variables, target."""
    if func is None:
        return lambda f: content_options(f, title_default=title_default)
    options = [
        click.option("-t", "--title", help="Title of the content (default: %s)." % title_default),
        click.option("-E", "--environment", "environment", multiple=True, metavar="NAME=VALUE|NAME",
                     help="Set an environment variable on the content; NAME alone copies the local value. "
                          "Repeatable. Values are never printed."),
        click.option("-N", "--new", is_flag=True, help="Publish new content instead of updating the previous one."),
        click.option("-a", "--app-id", help="Update this content (numeric id or GUID)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def python_options(what="the notebook", beside="beside the notebook"):
    """-p/--python and -g/--force-generate: where the package list and Python version come from."""
    def decorate(func):
        func = click.option("-g", "--force-generate", is_flag=True,
                            help="List the installed packages even if a requirements.txt is %s." % beside)(func)
        func = click.option("-p", "--python", envvar="RETICULATE_PYTHON", type=click.Path(dir_okay=False),
                            help="The Python whose packages and version %s needs (default: this one; "
                                 "env: RETICULATE_PYTHON)." % what)(func)
        return func
    return decorate


def output_options(func):
    func = click.option("-q", "--quiet", is_flag=True, help="Print only the content URL.")(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Print more detail (bundle files, manifest).")(func)
    return func


def read_cacert(path):
    """rsconnect-python keeps the certificate's text (not its path) in servers.json; so do we."""
    if not path:
        return None
    return Path(path).read_text(encoding="utf-8")


def resolve_server(name=None, server=None, api_key=None, insecure=False, cacert=None, deployed_path=None):
    """The server by the CLI's rules: named (-n, or -s URL), else the one this file was deployed to,
    else the default or only saved server."""
    store = ServerStore()
    ca_cert = read_cacert(cacert)
    if not name and not server and deployed_path is not None:
        saved = {normalize_url(s.url): s for s in store.list()}
        for record in DeploymentStore(deployed_path).all():
            match = saved.get(normalize_url((record.get("server_url") or "").split("#")[0]))
            if match:
                name = match.name
                break
    return store.resolve(name=name, url=server, api_key=api_key, insecure=insecure, ca_cert=ca_cert)


def start_publish(ctx, quiet, verbose, new, app_id, environment):
    """What every deploy command checks first, before any slow step: returns (output, -E values)."""
    from ..deploy import environment_values

    # requests (about 70 ms of imports) is needed only once we talk to the server: import it in the
    # background while the environment snapshot's subprocess runs. The import lock makes the
    # first real use wait for it.
    threading.Thread(target=importlib.import_module, args=("rsconnect_jupyter.connect",)).start()
    out = ctx.obj = Output(quiet, verbose)
    if new and app_id:
        raise InvalidInput("--new and --app-id contradict each other: pass one of them.")
    return out, environment_values(environment)


def report(out, deployment):
    """The result on stdout: the URL alone with -q, else the title and both URLs."""
    if out.quiet:
        out.result(deployment.content_url)
        return
    out.result("Published %s" % deployment.title)
    out.result("Content URL:   %s" % deployment.content_url)
    out.result("Dashboard URL: %s" % deployment.dashboard_url)


class Output:
    """Progress on stderr (styled on a terminal, plain lines when piped); results on stdout."""

    def __init__(self, quiet=False, verbose=False):
        self.quiet = quiet
        self.verbose = verbose
        self.lines = []  # everything logged, to show after a failure in quiet mode
        self.tty = sys.stderr.isatty()
        self.progress = for_stderr(quiet)  # the bundle's build and upload: a bar, a few lines, or nothing

    def log(self, message):
        self.lines.append(message)
        if self.quiet and not message.startswith("Warning:"):  # warnings show even with -q (on stderr)
            return
        if self.tty and not message.startswith("    "):
            message = click.style(message, bold=True)
        click.echo(message, err=True)

    def detail(self, message):
        if self.verbose and not self.quiet:
            click.echo(message, err=True)

    def result(self, text):
        click.echo(text)


def handle_errors(func):
    """Every RSConnectError ends the command with its one sentence and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DeployFailed as e:
            out = click.get_current_context().find_object(Output)
            if out is not None and out.quiet and e.log:
                click.echo("\n".join("    " + line for line in e.log), err=True)
            raise click.ClickException(str(e))
        except RSConnectError as e:
            raise click.ClickException(str(e))

    return wrapper
