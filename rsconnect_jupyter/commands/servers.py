"""`rsconnect add | list | remove | details`: the saved servers."""

from __future__ import annotations

import click

from .. import deploy
from ..exceptions import InvalidInput
from ..options import ServerChoice
from ..store import ServerStore
from .common import handle_errors, server_options, tls_options


@click.command("add")
@click.option("-n", "--name", required=True, help="Nickname for the server.")
@click.option("-s", "--server", required=True, envvar="CONNECT_SERVER", help="Server URL (env: CONNECT_SERVER).")
@click.option(
    "-k",
    "--api-key",
    required=True,
    envvar="CONNECT_API_KEY",
    help="API key of your Connect account (env: CONNECT_API_KEY). Stored at mode 0600, never printed.",
)
@tls_options
@click.option("--default", "make_default", is_flag=True, help="Use this server when none is named.")
@handle_errors
def add(name: str, server: str, api_key: str, insecure: bool, cacert: str | None, make_default: bool) -> None:
    """Check a server and key (a publisher's or an administrator's), then save them under a nickname."""
    from ..servers import add_server

    added = add_server(name, server, api_key, insecure=insecure, ca_cert=cacert, default=True if make_default else None)
    click.echo(
        '%s server "%s" (%s) as %s.'
        % ("Updated" if added.replaced else "Added", name, server, added.user.get("username"))
    )
    if added.server.secrets_in == "keyring":
        click.echo("Its API key is kept in the system keyring.")
    else:
        click.echo("No usable system keyring here: its API key is kept in servers.json (mode 0600).")


@click.command("list")
def list_servers() -> None:
    """List the saved servers, how each signs in and where its secret is (never the secret)."""
    servers = ServerStore().list()
    if not servers:
        click.echo('No saved servers: add one with "rsconnect add" or "rsconnect login".')
        return
    for s in servers:
        flags = [f for f, on in (("default", s.default), ("insecure", s.insecure), ("custom CA", s.ca_cert)) if on]
        if s.oauth_client_id and not (s.access_token or s.refresh_token):
            signs_in = "OAuth, signed out"
        else:
            signs_in = "%s in %s" % (
                s.signs_in_with,
                "the system keyring" if s.secrets_in == "keyring" else "servers.json",
            )
        click.echo("%s  %s  [%s]%s" % (s.name, s.url, signs_in, "  (%s)" % ", ".join(flags) if flags else ""))


@click.command("remove")
@click.option("-n", "--name", help="Nickname of the server to forget.")
@click.option("-s", "--server", help="URL of the server to forget.")
@handle_errors
def remove(name: str | None, server: str | None) -> None:
    """Forget a saved server."""
    which = name or server
    if not which:
        raise InvalidInput("Say which server to forget: -n NAME or -s URL.")
    if not ServerStore().remove(which):
        raise InvalidInput('No saved server is called "%s": "rsconnect list" shows the saved servers.' % which)
    click.echo('Removed server "%s".' % which)


@click.command("details")
@server_options
@handle_errors
def details(server: ServerChoice) -> None:
    """Show a server's version, Python versions and your account."""
    target = deploy.choose_server(server)
    client = deploy.client_for(target)
    settings = client.server_settings()
    user = client.me()
    click.echo("Server:   %s%s" % (target.url, ' ("%s")' % target.name if target.name != target.url else ""))
    click.echo("Version:  %s" % (settings.get("version") or "not reported"))
    click.echo("Python:   %s" % (", ".join(client.python_versions()) or "none"))
    click.echo("User:     %s (%s)" % (user.get("username"), user.get("user_role")))
