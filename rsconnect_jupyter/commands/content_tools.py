"""`rsconnect content search | describe | download-bundle | get-lockfile | venv | build`: find
published content, fetch its source and its environment, build it again (thin: search.py,
versions.py and lockfile.py do the work)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from ..options import ServerChoice
from .common import F, grouped, handle_errors, server_options, with_options

if TYPE_CHECKING:
    from ..search import SearchFilters

TARGET = click.argument("target", metavar="TARGET")
OVERWRITE = click.option("--overwrite", "-w", is_flag=True, help="Replace the output file if it exists.")


def filters(
    title_contains: str | None,
    owner: str | None,
    content_type: Sequence[str],
    tag: Sequence[str],
    published: bool,
    unpublished: bool,
    order_by: str | None,
) -> SearchFilters:
    from ..search import SearchFilters as Filters

    return Filters(title_contains, owner, tuple(content_type), tuple(tag), published, unpublished, order_by)


def search_options(func: F) -> F:
    """rsconnect-python's search options (--title-contains, --content-type, --published,
    --unpublished, --order-by) plus --owner and --tag, as `filters: SearchFilters`."""
    names = ("title_contains", "owner", "content_type", "tag", "published", "unpublished", "order_by")
    func = grouped("filters", names, filters)(func)
    return with_options(
        func,
        [
            click.option("--title-contains", metavar="TEXT", help="Titles that contain TEXT (any case)."),
            click.option("--owner", metavar="USER", help="Content owned by USER (a user name or GUID)."),
            click.option(
                "--content-type",
                metavar="MODE",
                multiple=True,
                help="Content of this app mode (jupyter-static, python-api, ...); repeat for any of several.",
            ),
            click.option(
                "--tag", metavar="NAME", multiple=True, help="Content tagged NAME; repeat for any of several."
            ),
            click.option("--published", is_flag=True, help="Only content with a live version."),
            click.option("--unpublished", is_flag=True, help="Only content never deployed."),
            click.option(
                "--order-by", type=click.Choice(["created", "last_deployed"]), help="Newest first, by this time."
            ),
        ],
    )


@click.command("search")
@search_options
@click.option("--json", "as_json", is_flag=True, help="Print Connect's JSON of each item, as rsconnect-python does.")
@server_options
@handle_errors
def search(filters: SearchFilters, as_json: bool, server: ServerChoice) -> None:
    """Find content on the server: every item your key can see that matches all the filters given."""
    from .. import search as core
    from ..target import choose_server, client_for

    found = core.search(client_for(choose_server(server)), filters)
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("No content matches.", err=True)
        return
    click.echo("%-36s  %-18s  %-12s  %-7s  %s" % ("GUID", "APP MODE", "OWNER", "LIVE", "TITLE"))
    for item in found:
        owner = (item.get("owner") or {}).get("username") or "-"
        live = item.get("bundle_id") or "-"
        shown = (item.get("guid"), item.get("app_mode"), owner, live, item.get("title") or item.get("name"))
        click.echo("%-36s  %-18s  %-12s  %-7s  %s" % shown)


@click.command("describe")
@TARGET
@server_options
@handle_errors
def describe(target: str, server: ServerChoice) -> None:
    """Print the content item as Connect describes it (JSON)."""
    from ..versions import find_content

    click.echo(json.dumps(find_content(target, server).item, indent=2))


@click.command("download-bundle")
@TARGET
@click.option("--bundle-id", metavar="ID", help="The version to download (default: the live one).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="The .tar.gz file to write.")
@OVERWRITE
@server_options
@handle_errors
def download_bundle(target: str, bundle_id: str | None, output: str, overwrite: bool, server: ServerChoice) -> None:
    """Download a version's source bundle (.tar.gz): its files and manifest.json, as uploaded."""
    from ..versions import download, find_content

    downloaded = download(find_content(target, server), output, bundle_id, overwrite)
    click.echo("Saved version %s as %s." % (downloaded, output))


@click.command("get-lockfile")
@TARGET
@click.option(
    "--output",
    "-o",
    default="requirements.txt.lock",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The file to write; - prints it.",
)
@OVERWRITE
@server_options
@handle_errors
def get_lockfile(target: str, output: str, overwrite: bool, server: ServerChoice) -> None:
    """Download the lockfile of the environment the content runs with (requirements.txt style)."""
    from ..lockfile import lockfile, write_lockfile
    from ..versions import find_content

    content = find_content(target, server)
    if output == "-":
        click.echo(lockfile(content).text, nl=False)
        return
    lock = write_lockfile(content, output, overwrite)
    click.echo("Saved the lockfile of %s (Python %s) as %s." % (content.guid, lock.python or "unknown", output))


@click.command("venv")
@TARGET
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False))
@server_options
@handle_errors
def venv(target: str, directory: str, server: ServerChoice) -> None:
    """Make DIR a virtual environment like the one the content runs with (its lockfile, installed
    with uv, on the same Python MAJOR.MINOR)."""
    from ..lockfile import make_venv
    from ..versions import find_content

    lock = make_venv(find_content(target, server), directory, lambda line: click.echo(line, err=True))
    click.echo("Environment ready (Python %s): source %s/bin/activate" % (lock.python or "unknown", directory))


@click.command("build")
@TARGET
@click.option("--bundle-id", metavar="ID", help="The version to build (default: the live one).")
@click.option("--draft", is_flag=True, help="Build it without making it live.")
@server_options
@handle_errors
def build(target: str, bundle_id: str | None, draft: bool, server: ServerChoice) -> None:
    """Build a version again on the server, without uploading anything (its environment is made
    again from its manifest), and follow the build's log."""
    from ..versions import build as core_build
    from ..versions import find_content

    after = core_build(find_content(target, server), bundle_id, not draft, lambda line: click.echo(line, err=True))
    shown = bundle_id or after.item.get("bundle_id")
    click.echo("Built version %s of %s%s." % (shown, after.item.get("title") or after.guid, "" if draft else ": live"))


COMMANDS = (search, describe, download_bundle, get_lockfile, venv, build)
