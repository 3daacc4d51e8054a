"""`rsconnect local-server`: run the Connect-compatible local server, and manage its users."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from . import bundles, throttle
from .state import DEFAULT_MAX_BUNDLE_SIZE, ServerOptions, default_data_dir

DATA_DIR_HELP = "Folder for the server's state, bundles and environments [default: %s]." % default_data_dir()


@click.group("local-server", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=3939, show_default=True, type=int, help="Port to listen on.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=DATA_DIR_HELP)
@click.option(
    "--python",
    "pythons",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A Python interpreter to offer besides those on PATH and under ~/.pyenv (repeatable).",
)
@click.option(
    "--max-bundle-size",
    type=int,
    default=DEFAULT_MAX_BUNDLE_SIZE,
    show_default=True,
    help="Largest bundle upload accepted, in bytes.",
)
@click.option(
    "--environments-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of the Python environments built for content [default: DATA_DIR/environments]; "
    "several servers may share one.",
)
@click.option(
    "--max-bundle-files",
    type=int,
    default=bundles.DEFAULT_MAX_FILES,
    show_default=True,
    help="Most files a bundle may hold.",
)
@click.option(
    "--max-unpacked-size",
    type=int,
    default=bundles.DEFAULT_MAX_UNPACKED,
    show_default=True,
    help="Largest total size of a bundle's files once unpacked, in bytes (stops gzip bombs).",
)
@click.option(
    "--app-start-timeout",
    type=float,
    default=120,
    show_default=True,
    help="Seconds an API or app may take to answer after it starts before its deploy fails.",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Serve HTTPS with this certificate (PEM; it may hold the key too).",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="The certificate's private key (PEM), when it is not in --certfile.",
)
@click.option(
    "--signin-max-tries",
    type=click.IntRange(1),
    default=throttle.Limits.max_tries,
    show_default=True,
    help="Failed sign-ins per account (and per address) within --signin-window before sign-in is "
    "refused for --signin-lock seconds; after 3 each answer waits longer.",
)
@click.option(
    "--signin-window",
    type=click.FloatRange(min=0, min_open=True),
    default=throttle.Limits.window,
    show_default=True,
    help="Seconds a failed sign-in is remembered.",
)
@click.option(
    "--signin-lock",
    type=click.FloatRange(min=0, min_open=True),
    default=throttle.Limits.lock,
    show_default=True,
    help="Seconds sign-in stays refused (429) once --signin-max-tries is reached.",
)
@click.option(
    "--signin-delay",
    type=click.FloatRange(min=0),
    default=throttle.Limits.first_delay,
    show_default=True,
    help="Seconds the first slowed answer waits; it doubles with each further failure (at most 16 times this).",
)
@click.option(
    "--oauth-register-limit",
    type=click.IntRange(1),
    default=throttle.REGISTER_LIMITS.max_tries,
    show_default=True,
    help="OAuth clients one address may register in an hour; more are refused (429) for a while.",
)
@click.option(
    "--oauth-token-failures",
    type=click.IntRange(1),
    default=throttle.TOKEN_FAILURE_LIMITS.max_tries,
    show_default=True,
    help="Failed OAuth token requests per address in 10 minutes before the token endpoint refuses "
    "that address for --oauth-lock seconds; after 10 each answer waits longer.",
)
@click.option(
    "--oauth-lock",
    type=click.FloatRange(min=0, min_open=True),
    default=throttle.TOKEN_FAILURE_LIMITS.lock,
    show_default=True,
    help="Seconds the OAuth registration or token endpoint stays refused (429) for an address once "
    "it reached --oauth-register-limit or --oauth-token-failures.",
)
@click.option(
    "--smtp",
    default=None,
    metavar="HOST:PORT",
    help="Mail scheduled reports through this SMTP server (plain SMTP, no login) [default: mail is off].",
)
@click.option(
    "--schedule-tick",
    type=click.FloatRange(min=0.1),
    default=30,
    show_default=True,
    help="Seconds between the scheduler's looks for due schedules (a run starts at most this late).",
)
@click.option(
    "--repository-poll",
    type=click.FloatRange(min=0.1),
    default=300,
    show_default=True,
    help="Seconds between looks for new commits of git-backed content whose polling is on.",
)
@click.pass_context
def local_server(ctx: click.Context, **options: Any) -> None:
    """Run the Connect-compatible local server in the foreground (Ctrl-C stops it).

    On first start it creates an administrator, writes its API key to DATA_DIR/admin-api-key and
    its password (to sign in to /connect/) to DATA_DIR/admin-password, and saves the server as
    "local" for `rsconnect deploy`. It listens on 127.0.0.1 unless --host says otherwise.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .app import serve

    settings = ServerOptions(**options)  # the options above, by their names
    try:
        serve(settings, say=click.echo)
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException("Cannot start the server on %s:%d: %s" % (settings.host, settings.port, e)) from e


@local_server.command("add-user")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["publisher", "viewer", "administrator"]), default="publisher", show_default=True
)
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="Also ask for a password (twice), to sign in to the server's pages in a browser.",
)
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=DATA_DIR_HELP)
def add_user(name: str, role: str, ask_password: bool, data_dir: str | None) -> None:
    """Create a user and print its API key (the last word of the output)."""
    from . import auth, passwords, sessions
    from .state import open_database

    password = read_password(name) if ask_password else None
    db = open_database(data_dir or default_data_dir())
    try:
        user, key = auth.create_user(db, name, role)
        if password is not None:
            sessions.set_password(db, name, password)
    except (ValueError, LookupError, passwords.PasswordError) as e:
        raise click.ClickException(str(e)) from e
    finally:
        db.close()
    click.echo("Created %s %s (guid %s)%s." % (role, name, user["guid"], " with a password" if password else ""))
    click.echo("API key: %s" % key)


@local_server.command("set-password")
@click.argument("name")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help=DATA_DIR_HELP)
def set_password(name: str, data_dir: str | None) -> None:
    """Set or change a user's password (asked twice; read from standard input when it is not a
    terminal). The user's open sessions end."""
    from . import sessions
    from .layout import Layout
    from .state import open_database

    password = read_password(name)
    layout = Layout(data_dir or default_data_dir())
    db = open_database(layout.data_dir)
    try:
        sessions.set_password(db, name, password)
    except LookupError as e:
        raise click.ClickException(str(e.args[0])) from e
    finally:
        db.close()
    if name == "admin" and os.path.exists(layout.admin_password_file):
        os.remove(layout.admin_password_file)  # the first password no longer works: no stale copy
        click.echo("Removed %s (it held the first password)." % layout.admin_password_file)
    click.echo("Set the password of %s. Sign in at /__login__ (or /connect/)." % name)


def read_password(name: str) -> str:
    """A new password, asked twice and checked before anything is written."""
    from . import passwords

    if sys.stdin.isatty():
        password: str = click.prompt("Password for %s" % name, hide_input=True, confirmation_prompt=True)
    else:
        # Piped in (`printf '%s\n%s\n' "$PW" "$PW" | ...`): two lines, read without prompts (getpass
        # would print a warning that it cannot hide the input, with its file and line).
        password = sys.stdin.readline().rstrip("\r\n")
        if sys.stdin.readline().rstrip("\r\n") != password:
            raise click.ClickException("The two passwords differ: give the same password on two lines.")
    try:
        passwords.check_new(password)
    except passwords.PasswordError as e:
        raise click.ClickException(str(e)) from e
    return password
