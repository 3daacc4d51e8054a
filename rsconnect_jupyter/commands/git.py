"""`rsconnect deploy git` and `rsconnect content repository show | set | remove | redeploy`: git-backed
content from the terminal, with rsconnect-python 1.32's options (thin: repositories.py does the work)."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING

import click

from ..exceptions import InvalidInput
from ..options import ServerChoice
from .common import ContentArgs, Output, content_options, handle_errors, output_options, report, server_options

if TYPE_CHECKING:
    from ..versions import Content

BRANCH_HELP = "The branch to deploy from [default: main]."
DIRECTORY_HELP = "The folder of the repository that holds manifest.json, such as reports/q4 [default: the top]."


def _one_url(url: str | None, repository: str | None) -> str:
    if url and repository and url != repository:
        raise InvalidInput("Give the repository once: as REPO_URL or with --repository, not both.")
    if not (url or repository):
        raise InvalidInput(
            "Name the repository: rsconnect deploy git https://git.example.com/you/reports.git (or --repository)."
        )
    return str(url or repository)


@click.command("git")
@click.argument("repo_url", metavar="[REPO_URL]", required=False)
@click.option("-r", "--repository", help="The repository's URL (the same as REPO_URL, as rsconnect-python takes it).")
@click.option("-b", "--branch", default="main", help=BRANCH_HELP)
@click.option("-d", "--directory", "--subdirectory", "directory", default=".", help=DIRECTORY_HELP)
@click.option(
    "--polling/--no-polling",
    default=True,
    help="Let the server look for new commits on the branch and deploy them on its own [default: on].",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Do not check that the content (or the draft) answers its URL after the deploy.",
)
@server_options
@content_options(title_default="the repository's name, and the folder")
@output_options
@handle_errors
def deploy_git(
    repo_url: str | None,
    repository: str | None,
    branch: str,
    directory: str,
    polling: bool,
    no_verify: bool,
    server: ServerChoice,
    content: ContentArgs,
    out: Output,
) -> None:
    """Publish content that the server clones from a git repository (http(s):// or file://) and
    deploys from the manifest.json in --directory; with polling on, new commits are deployed as
    they come. Write the manifest with `rsconnect write-manifest` and commit it first."""
    from .. import repositories as core
    from .common import start_publish

    source = core.GitSource(_one_url(repo_url, repository), branch, directory, polling)
    target, options = start_publish(out, server, content)
    report(out, core.publish_git(target, source, options, out.feedback(), verify=not no_verify))


@click.group("repository")
def repository_group() -> None:
    """The git repository of git-backed content: show it, change it, stop following it, or deploy its
    latest commit now.

    TARGET is the content's GUID or numeric id (or give the GUID with -g/--guid, as rsconnect-python does)."""


def _target(target: str | None, guid: str | None) -> str:
    if target and guid and target != guid:
        raise InvalidInput("Name the content once: as TARGET or with --guid, not both.")
    if not (target or guid):
        raise InvalidInput("Name the content: its GUID or numeric id (see `rsconnect content versions`).")
    return str(target or guid)


def _content(target: str | None, guid: str | None, server: ServerChoice) -> Content:
    from ..versions import find_content

    return find_content(_target(target, guid), server)


TARGET = click.argument("target", metavar="TARGET", required=False)
GUID = click.option("-g", "--guid", help="The content's GUID (instead of TARGET).")


@repository_group.command("show")
@TARGET
@GUID
@server_options
@handle_errors
def show(target: str | None, guid: str | None, server: ServerChoice) -> None:
    """Print the content's repository as JSON: URL, branch, directory, polling, last commit and error."""
    from .. import repositories as core

    found = core.show(_content(target, guid, server))
    click.echo(json.dumps(found, indent=2))


@repository_group.command("set")
@TARGET
@GUID
@click.option("-r", "--repository", help="The repository's URL.")
@click.option("-b", "--branch", help="The branch to deploy from.")
@click.option("-d", "--directory", "--subdirectory", "directory", help=DIRECTORY_HELP)
@click.option("--polling/--no-polling", default=None, help="Whether the server looks for new commits on its own.")
@server_options
@handle_errors
def set_repository(
    target: str | None,
    guid: str | None,
    repository: str | None,
    branch: str | None,
    directory: str | None,
    polling: bool | None,
    server: ServerChoice,
) -> None:
    """Point the content at a repository, or change its branch, directory or polling. The server
    fetches the repository again and refuses one it cannot use; deploy the change with `redeploy`."""
    given = {"repository": repository, "branch": branch, "directory": directory, "polling": polling}
    from .. import repositories as core

    changes = {k: v for k, v in given.items() if v is not None}
    found = core.set_source(_content(target, guid, server), changes)
    click.echo(json.dumps(found, indent=2))


@repository_group.command("remove")
@TARGET
@GUID
@click.option("-f", "--force", is_flag=True, help="Do not ask for confirmation.")
@server_options
@handle_errors
def remove(target: str | None, guid: str | None, force: bool, server: ServerChoice) -> None:
    """Stop following the repository: the content stays deployed as it is, no longer git-backed."""
    from .. import repositories as core

    content = _content(target, guid, server)
    if not force:
        click.confirm("Stop following the repository of %s?" % (content.item.get("title") or content.guid), abort=True)
    core.remove(content)
    click.echo("%s is no longer git-backed; it stays deployed as it is." % (content.item.get("title") or content.guid))


@repository_group.command("redeploy")
@TARGET
@GUID
@click.option("--ref", help="The branch, tag or commit to deploy [default: the content's branch].")
@server_options
@handle_errors
def redeploy(target: str | None, guid: str | None, ref: str | None, server: ServerChoice) -> None:
    """Have the server fetch the repository now and deploy its latest commit (or --ref)."""
    from .. import repositories as core

    content = _content(target, guid, server)
    bundle_id, after = core.redeploy(content, ref, lambda line: click.echo(line, err=True))
    click.echo("Deployed bundle %s of %s." % (bundle_id, after.item.get("title") or after.guid))
    click.echo("Content URL: %s" % after.item.get("content_url"))


# rsconnect-python's name for `remove`, kept out of the help
_delete = copy.copy(remove)
_delete.hidden = True
repository_group.add_command(_delete, "delete")
