"""`rsconnect login | logout`: sign in to Connect with OAuth instead of an API key, spelled as
rsconnect-python 1.32 spells them. The rules are signin.py's; this only reads options and prints."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..exceptions import InvalidInput
from ..store import Server, config_dir
from .common import handle_errors, tls_options

if TYPE_CHECKING:
    from .. import signin


def _pending_path(name: str) -> Path:
    return config_dir() / ("pending-login-%s.json" % "".join(c if c.isalnum() or c in "-_." else "_" for c in name))


def _where(server: Server) -> str:
    if server.secrets_in == "keyring":
        return "Its tokens are kept in the system keyring."
    return "No usable system keyring here: its tokens are kept in servers.json (mode 0600)."


def _saved(pending: signin.Pending, tokens: dict[str, object], no_set_default: bool) -> None:
    from .. import signin

    server, user = signin.save(pending, tokens, default=False if no_set_default else None)
    click.echo('Logged in to "%s" (%s) as %s.' % (server.name, server.url, user.get("username")))
    click.echo(_where(server))


@click.command("login")
@click.argument("server_arg", metavar="SERVER", required=False)
@click.option("-s", "--server", envvar="CONNECT_SERVER", help="The URL of the Connect server (env: CONNECT_SERVER).")
@click.option("-n", "--name", help="Nickname for the server (default: its host name).")
@tls_options
@click.option(
    "--use-device-code",
    is_flag=True,
    help="Show a code to approve on the server's page from any browser (for machines without a usable browser).",
)
@click.option("--no-wait", is_flag=True, help="Start a device sign-in, print its code and URL as JSON, and exit.")
@click.option("--finish", is_flag=True, help="Finish a device sign-in started with --no-wait (select it with -n).")
@click.option("--no-set-default", is_flag=True, help="Do not make this server the default.")
@handle_errors
def login(
    server_arg: str | None,
    server: str | None,
    name: str | None,
    insecure: bool,
    cacert: str | None,
    use_device_code: bool,
    no_wait: bool,
    finish: bool,
    no_set_default: bool,
) -> None:
    """Sign in to a Connect server (2026.02 or later) in the browser and save it: no API key needed.

    Tokens go to the system keyring when one works and refresh on their own; every command can then
    use the server by its nickname (-n NAME)."""
    from .. import signin  # here: requests loads only when a command runs, not for --help

    if finish:
        if not name:
            raise InvalidInput("Say which sign-in to finish: --finish -n NAME.")
        _finish(name, no_set_default)
        return
    given = click.get_current_context().get_parameter_source("server") == click.core.ParameterSource.COMMANDLINE
    if server_arg and server and given and server_arg != server:  # CONNECT_SERVER yields to SERVER
        raise InvalidInput("Give the server once: as SERVER or as -s URL.")
    url = server_arg or server
    if not url:
        raise InvalidInput("Give the server to sign in to: rsconnect login https://connect.example.com/ -n NAME.")
    pending = signin.begin(name, url, insecure=insecure, ca_cert=cacert)
    if no_wait or use_device_code:
        code = signin.start_device(pending)
        if no_wait:
            _save_pending(pending, code)
            click.echo(
                json.dumps(
                    {
                        "status": "pending",
                        "name": pending.name,
                        "user_code": code.user_code,
                        "verification_uri": code.verification_uri,
                        "verification_uri_complete": code.verification_uri_complete,
                        "expires_in": int(code.expires_at - time.time()),
                    }
                )
            )
            return
        click.echo("\nOpen this URL in your browser:\n\n  %s\n" % code.verification_uri_complete)
        click.echo("Enter the code: %s\n" % code.user_code)
        click.echo("Waiting for you to approve...")
        tokens = signin.wait_for_device(pending, code)
    else:
        tokens = signin.browser_login(pending, click.echo)
    _saved(pending, tokens, no_set_default)


def _save_pending(pending: signin.Pending, code: signin.DeviceCode) -> None:
    """The device sign-in under way, for --finish: 0600, removed when finished."""
    path = _pending_path(pending.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "url": pending.url,
        "insecure": pending.tls.insecure,
        "ca_cert": pending.tls.ca_cert,
        "client_id": pending.client_id,
        "device_code": code.device_code,
        "user_code": code.user_code,
        "interval": code.interval,
        "expires_at": code.expires_at,
    }
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)


def _finish(name: str, no_set_default: bool) -> None:
    from .. import signin

    path = _pending_path(name)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        raise InvalidInput(
            'No sign-in of "%s" is waiting: start one with "rsconnect login URL -n %s --no-wait".' % (name, name)
        ) from None
    try:
        pending = signin.begin(name, state["url"], insecure=bool(state["insecure"]), ca_cert=state["ca_cert"])
        pending.client_id = state["client_id"]
        code = signin.DeviceCode(
            user_code=state["user_code"],
            verification_uri="",
            verification_uri_complete="",
            expires_at=float(state["expires_at"]),
            interval=float(state["interval"]),
            device_code=state["device_code"],
        )
        tokens = signin.wait_for_device(pending, code)
    finally:
        path.unlink(missing_ok=True)
    _saved(pending, tokens, no_set_default)


@click.command("logout")
@click.argument("name_arg", metavar="NAME", required=False)
@click.option("-n", "--name", help="The nickname of the server to sign out of.")
@handle_errors
def logout(name_arg: str | None, name: str | None) -> None:
    """Sign out of a server saved with "rsconnect login": the server ends the tokens and they are
    forgotten here. The server stays saved; "rsconnect login" signs in again."""
    which = name_arg or name
    if not which:
        raise InvalidInput("Say which server to sign out of: rsconnect logout NAME.")
    from ..signin import logout as end_sign_in

    server = end_sign_in(which)
    click.echo('Logged out of "%s" (%s).' % (server.name, server.url))
