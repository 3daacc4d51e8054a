"""What the commands share: server options, turning errors into one sentence, progress output.

Each group of options reaches a command as one typed object (see `grouped`): -n/-s/-k/-i/-c as
a `ServerChoice`, -t/-E/-N/-a as `ContentArgs`, -p/-g/-r/--package-installer as `EnvironmentOptions`, -v/-q as the
`Output`. The command hands them to the core, which alone checks the input.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from ..exceptions import DeployFailed, RSConnectError
from ..options import (
    ACCESS_TYPES,
    TLS,
    ContentOptions,
    EnvironmentOptions,
    Feedback,
    ServerChoice,
    SharingOptions,
    Target,
)
from .progress import for_stderr

if TYPE_CHECKING:
    from ..deploy import Deployment

F = TypeVar("F", bound=Callable[..., Any])


def grouped(into: str, names: Sequence[str], build: Callable[..., Any]) -> Callable[[F], F]:
    """Hand the command `into=build(**those options)` instead of the options `names` one by one.

    click reads the options from the function it is given; `functools.wraps` carries them over.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[into] = build(**{name: kwargs.pop(name) for name in names})
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def with_options(func: F, options: Sequence[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def server_choice(
    name: str | None = None,
    server: str | None = None,
    api_key: str | None = None,
    insecure: bool = False,
    cacert: str | None = None,
) -> ServerChoice:
    """The server the options name; the core chooses it (saved, given, or the one deployed to)."""
    return ServerChoice(name=name, url=server, api_key=api_key, tls=TLS(insecure=insecure, ca_cert=read_cacert(cacert)))


def server_options(func: F) -> F:
    """-n/--name, -s/--server, -k/--api-key, -i/--insecure, -c/--cacert, as `server: ServerChoice`."""
    func = grouped("server", ("name", "server", "api_key", "insecure", "cacert"), server_choice)(func)
    return with_options(
        func,
        [
            click.option("-n", "--name", help='Nickname of a saved server (see "rsconnect list").'),
            click.option(
                "-s",
                "--server",
                envvar="CONNECT_SERVER",
                help="Server URL, e.g. https://connect.example.com/ (env: CONNECT_SERVER).",
            ),
            click.option(
                "-k",
                "--api-key",
                envvar="CONNECT_API_KEY",
                help="API key of your Connect account (env: CONNECT_API_KEY). Never printed.",
            ),
            *TLS_OPTIONS,
        ],
    )


# How the server's certificate is checked: the same two options wherever a server is named or saved.
TLS_OPTIONS: list[Callable[[F], F]] = [
    click.option("-i", "--insecure", is_flag=True, help="Do not verify the server's TLS certificate."),
    click.option(
        "-c",
        "--cacert",
        type=click.Path(exists=True, dir_okay=False),
        help="PEM file with the certificate authority of the server's TLS certificate.",
    ),
]


def tls_options(func: F) -> F:
    """-i/--insecure and -c/--cacert, given to the command as `insecure` and `cacert`."""
    return with_options(func, TLS_OPTIONS)


@dataclass(frozen=True)
class ContentArgs:
    """-t, -E, -N and -a as given; `start_publish` checks them and makes the core's objects."""

    title: str | None
    environment: Sequence[str]
    new: bool
    app_id: str | None
    access: str | None = None
    viewer: Sequence[str] = ()
    collaborator: Sequence[str] = ()
    vanity: str | None = None
    tag: Sequence[str] = ()
    draft: bool = False


def content_options(func: F | None = None, *, title_default: str = "the file name without extension") -> Any:
    """Options of every content type: title, environment variables, target; as `content: ContentArgs`."""
    if func is None:
        return lambda f: content_options(f, title_default=title_default)
    func = grouped(
        "content",
        ("title", "environment", "new", "app_id", "access", "viewer", "collaborator", "vanity", "tag", "draft"),
        ContentArgs,
    )(func)
    return with_options(
        func,
        [
            click.option("-t", "--title", help="Title of the content (default: %s)." % title_default),
            click.option(
                "-E",
                "--environment",
                "environment",
                multiple=True,
                metavar="NAME=VALUE|NAME",
                help="Set an environment variable on the content; NAME alone copies the local value. "
                "Repeatable. Values are never printed.",
            ),
            click.option("-N", "--new", is_flag=True, help="Publish new content instead of updating the previous one."),
            click.option("-a", "--app-id", help="Update this content (numeric id or GUID)."),
            click.option(
                "--access",
                type=click.Choice(ACCESS_TYPES),
                help="Who may see it: all (no login), logged_in, or acl (the people on its list).",
            ),
            click.option(
                "--viewer",
                multiple=True,
                metavar="USER",
                help="Let this user (username or e-mail) see it. Repeatable.",
            ),
            click.option(
                "--collaborator",
                multiple=True,
                metavar="USER",
                help="Make this user (username or e-mail) a collaborator. Repeatable.",
            ),
            click.option("--vanity", metavar="PATH", help="Serve it at this path of the server too, e.g. /sales/q4/."),
            click.option(
                "--tag",
                multiple=True,
                metavar="NAME",
                help="Tag it (a tag name, or PARENT/NAME in the tag tree). Repeatable.",
            ),
            click.option(
                "--draft",
                is_flag=True,
                help="Upload and build without making it live (Connect 2025.06+); activate it later.",
            ),
        ],
    )


IGNORE_PYTHON_VERSION = "Deploy even when the server has no Python with this MAJOR.MINOR."


def ignore_python_version_option(func: F) -> F:
    """--ignore-python-version, handed to the command inside `env: EnvironmentOptions` (so give
    `python_options` above it, which builds `env`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["env"] = replace(kwargs["env"], ignore_python_version=kwargs.pop("ignore_python_version"))
        return func(*args, **kwargs)

    return click.option("--ignore-python-version", is_flag=True, help=IGNORE_PYTHON_VERSION)(wrapper)  # type: ignore[return-value]


def python_options(what: str = "the notebook", beside: str = "beside the notebook") -> Callable[[F], F]:
    """-p/--python, -g/--force-generate, -r/--requirements-file and --package-installer, as
    `env: EnvironmentOptions`: where the package list and Python version come from."""

    def decorate(func: F) -> F:
        names = ("python", "force_generate", "requirements_file", "package_installer")
        func = grouped("env", names, EnvironmentOptions)(func)
        func = click.option(
            "--package-installer",
            type=click.Choice(["uv", "pip"], case_sensitive=False),  # rsconnect-python 1.32 asks for UV or PIP
            help="The installer the server uses for the packages (recorded in manifest.json; default: the server's).",
        )(func)
        func = click.option(
            "-r",
            "--requirements-file",
            metavar="PATH",
            help="The file that lists the packages: a requirements.txt-style file, pylock.toml, uv.lock or "
            "pyproject.toml (default: the first of requirements.txt, pylock.toml, uv.lock, pyproject.toml "
            "%s, else the installed packages)." % beside,
        )(func)
        func = click.option(
            "-g",
            "--force-generate",
            is_flag=True,
            help="List the installed packages even if a requirements.txt, pylock.toml, uv.lock or "
            "pyproject.toml is %s." % beside,
        )(func)
        func = click.option(
            "-p",
            "--python",
            envvar="RETICULATE_PYTHON",
            type=click.Path(dir_okay=False),
            help="The Python whose packages and version %s needs (default: this one; env: RETICULATE_PYTHON)." % what,
        )(func)
        return func

    return decorate


def output_options(func: F) -> F:
    """-v/--verbose and -q/--quiet, as `out: Output`."""
    func = grouped("out", ("quiet", "verbose"), lambda quiet, verbose: Output(quiet, verbose))(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Print only the content URL.")(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Print more detail (bundle files, manifest).")(func)
    return func


def read_cacert(path: str | None) -> str | None:
    """-c/--cacert: the certificate's text, read by the core's rule (servers.ca_cert_text)."""
    from ..servers import ca_cert_text

    return ca_cert_text(path)


def start_publish(out: Output, server: ServerChoice, content: ContentArgs) -> tuple[Target, ContentOptions]:
    """What every deploy command checks first, before any slow step: the target and the content's options."""
    from ..deploy import check_request, environment_values

    # requests (about 70 ms of imports) is needed only once we talk to the server: import it in the
    # background while the environment snapshot's subprocess runs. The import lock makes the
    # first real use wait for it.
    threading.Thread(target=importlib.import_module, args=("rsconnect_jupyter.connect",)).start()
    click.get_current_context().obj = out
    target = Target(server=server, app_id=content.app_id, new=content.new)
    sharing = SharingOptions(
        access=content.access,
        viewers=tuple(content.viewer),
        collaborators=tuple(content.collaborator),
        vanity=content.vanity,
        tags=tuple(content.tag),
    )
    options = ContentOptions(title=content.title, sharing=sharing, draft=content.draft)
    options = check_request(target, options)  # the core's rules: new or update, title, sharing
    return target, replace(options, environment=environment_values(content.environment))


def report(out: Output, deployment: Deployment) -> None:
    """The result on stdout: the URL alone with -q, else the title and both URLs."""
    if deployment.draft_url:
        # A draft: the content URL still serves the live version; say how to make this one live.
        if out.quiet:
            out.result(deployment.draft_url)
            return
        out.result("Published a draft of %s (not live yet)" % deployment.title)
        out.result("Draft URL:     %s" % deployment.draft_url)
        out.result("Make it live:  rsconnect content activate %s %s" % (deployment.content_guid, deployment.bundle_id))
        return
    if out.quiet:
        out.result(deployment.content_url)
        return
    out.result("Published %s" % deployment.title)
    out.result("Content URL:   %s" % deployment.content_url)
    out.result("Dashboard URL: %s" % deployment.dashboard_url)


class Output:
    """Progress on stderr (styled on a terminal, plain lines when piped); results on stdout."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.lines: list[str] = []  # everything logged, to show after a failure in quiet mode
        self.tty = sys.stderr.isatty()
        self.progress = for_stderr(quiet)  # the bundle's build and upload: a bar, a few lines, or nothing

    def feedback(self) -> Feedback:
        """Where the core reports a publish: these lines, details with -v, the progress bar."""
        return Feedback(log=self.log, detail=self.detail, progress=self.progress)

    def log(self, message: str) -> None:
        self.lines.append(message)
        if self.quiet and not message.startswith("Warning:"):  # warnings show even with -q (on stderr)
            return
        if self.tty and not message.startswith("    "):
            message = click.style(message, bold=True)
        click.echo(message, err=True)

    def detail(self, message: str) -> None:
        if self.verbose and not self.quiet:
            click.echo(message, err=True)

    def result(self, text: str | None) -> None:
        click.echo(text)


def handle_errors(func: F) -> F:
    """Every RSConnectError ends the command with its one sentence and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeployFailed as e:
            out = click.get_current_context().find_object(Output)
            if out is not None and out.quiet and e.log:
                click.echo("\n".join("    " + line for line in e.log), err=True)
            raise click.ClickException(str(e)) from e
        except RSConnectError as e:
            raise click.ClickException(str(e)) from e

    return wrapper  # type: ignore[return-value]
