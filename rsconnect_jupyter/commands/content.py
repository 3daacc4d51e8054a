"""`rsconnect content versions | activate | remove-version`: the source versions of published
content, from the terminal (versions.py does the work)."""

from __future__ import annotations

import click

from .. import versions as core
from ..options import ServerChoice
from .common import handle_errors, server_options

TARGET = click.argument("target", metavar="TARGET")
BUNDLE = click.argument("bundle_id", metavar="BUNDLE_ID")


@click.group("content")
def content_group() -> None:
    """Published content: find it, fetch its source and environment, its versions and schedules.

    TARGET is the content's GUID, its numeric id, or a file you deployed (its record names the
    content on that server)."""


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    return "%d %s" % (value, unit) if unit == "B" else "%.1f %s" % (value, unit)


@content_group.command("versions")
@TARGET
@server_options
@handle_errors
def versions(target: str, server: ServerChoice) -> None:
    """List the content's bundles, newest first; the live one is marked with *."""
    content = core.find_content(target, server)
    rows = core.versions(content)
    click.echo("%s (%s)" % (content.item.get("title") or content.item.get("name"), content.guid))
    if not rows:
        click.echo("No versions yet: the content was never deployed.")
        return
    click.echo("  %-8s %-26s %-10s %s" % ("VERSION", "CREATED", "SIZE", "PYTHON"))
    for v in rows:
        click.echo(
            "%s %-8s %-26s %-10s %s%s"
            % (
                "*" if v.live else " ",
                v.bundle_id,
                v.created,
                human_size(v.size),
                v.python or "-",
                "  (live)" if v.live else "",
            )
        )


@content_group.command("activate")
@TARGET
@BUNDLE
@server_options
@handle_errors
def activate(target: str, bundle_id: str, server: ServerChoice) -> None:
    """Make an older version live again (and follow its deploy)."""
    content = core.find_content(target, server)
    after = core.activate(content, bundle_id, lambda line: click.echo(line, err=True))
    click.echo("Version %s of %s is live." % (bundle_id, after.item.get("title") or after.guid))
    click.echo("Content URL: %s" % after.item.get("content_url"))


@content_group.command("remove-version")
@TARGET
@BUNDLE
@server_options
@handle_errors
def remove_version(target: str, bundle_id: str, server: ServerChoice) -> None:
    """Delete a version that is not live."""
    content = core.find_content(target, server)
    core.remove(content, bundle_id)
    click.echo("Removed version %s of %s." % (bundle_id, content.item.get("title") or content.guid))


def _add_schedule_commands() -> None:
    from .schedule import history, render, schedule

    for command in (schedule, render, history):
        content_group.add_command(command)


_add_schedule_commands()


def _add_repository_commands() -> None:
    from .git import repository_group

    content_group.add_command(repository_group)


_add_repository_commands()


def _add_content_tools() -> None:
    from .content_tools import COMMANDS

    for command in COMMANDS:
        content_group.add_command(command)


_add_content_tools()
