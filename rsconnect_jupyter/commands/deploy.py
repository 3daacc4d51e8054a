"""`rsconnect deploy notebook | html`, `write-manifest notebook`; both groups, which load the app
commands (commands/apps.py) only when one of them runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import apps
from .. import deploy as core
from ..exceptions import InvalidInput
from ..options import CheckOptions, EnvironmentOptions, FilesOptions, NotebookOptions, ServerChoice
from .common import (
    ContentArgs,
    Output,
    content_options,
    grouped,
    handle_errors,
    ignore_python_version_option,
    output_options,
    python_options,
    report,
    server_options,
    start_publish,
)
from .lazy import LazyCommand, LazyGroup
from .schedule import ScheduleArgs, say_schedule, schedule_options

HIDE_ALL_INPUT = click.option("--hide-all-input", is_flag=True, help="Hide the input of every code cell.")
HIDE_TAGGED_INPUT = click.option(
    "--hide-tagged-input", is_flag=True, help='Hide the input of code cells tagged "hide_input".'
)


def strict_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--strict, handed to the command as `before_upload: CheckOptions`: the checks before upload
    (checks.py) warn; with it they refuse, before any request."""
    flag = click.option(
        "--strict",
        is_flag=True,
        help="Refuse to publish when the checks before upload find a problem (else they warn).",
    )
    return flag(grouped("before_upload", ("strict",), CheckOptions)(func))


# `deploy TYPE` and `write-manifest TYPE` for each app type, `deploy manifest`, and Voila's.
APP_COMMANDS = {name: LazyCommand(".commands.apps", "DEPLOY_COMMANDS") for name in (*apps.APP_TYPES, "manifest")}
APP_MANIFEST_COMMANDS = {name: LazyCommand(".commands.apps", "WRITE_MANIFEST_COMMANDS") for name in apps.APP_TYPES}
APP_COMMANDS["voila"] = LazyCommand(".commands.voila", "deploy_voila")  # a notebook, not a directory
APP_MANIFEST_COMMANDS["voila"] = LazyCommand(".commands.voila", "write_manifest_voila")
APP_COMMANDS["quarto"] = LazyCommand(".commands.quarto", "deploy_quarto")  # a document or a project
APP_MANIFEST_COMMANDS["quarto"] = LazyCommand(".commands.quarto", "write_manifest_quarto")
APP_COMMANDS["git"] = LazyCommand(".commands.git", "deploy_git")  # the server clones it: no local files
APP_COMMANDS["bundle"] = LazyCommand(".commands.bundle_deploy", "deploy_bundle")  # a .tar.gz as it is
APP_COMMANDS["pyproject"] = LazyCommand(".commands.bundle_deploy", "deploy_pyproject")  # [tool.rsconnect]


@click.group("deploy", cls=LazyGroup, lazy=APP_COMMANDS)
def deploy_group() -> None:
    """Publish content to Connect."""


@deploy_group.command("notebook")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options
@python_options()
@click.option("--static", is_flag=True, help="Publish an HTML snapshot of the notebook instead of its source.")
@click.option("--execute", is_flag=True, help="With --static: run the notebook before taking the snapshot.")
@HIDE_ALL_INPUT
@HIDE_TAGGED_INPUT
@grouped("rendering", ("static", "execute", "hide_all_input", "hide_tagged_input"), NotebookOptions)
@ignore_python_version_option
@strict_option
@schedule_options
@output_options
@handle_errors
def deploy_notebook(
    notebook: str,
    extra_files: tuple[str, ...],
    server: ServerChoice,
    content: ContentArgs,
    env: EnvironmentOptions,
    rendering: NotebookOptions,
    before_upload: CheckOptions,
    out: Output,
    schedule: ScheduleArgs,
) -> None:
    """Publish a notebook with its source (Connect rebuilds the environment and renders it), or an
    HTML snapshot of it with --static. EXTRA_FILES are included; they must be in the notebook's folder."""
    if rendering.execute and not rendering.static:
        raise InvalidInput(
            "--execute applies to HTML snapshots: add --static, or leave it out (Connect renders "
            "notebooks published with source)."
        )
    from .. import schedules, versions

    scheduled = schedule.request()
    if scheduled is not None:
        if rendering.static:
            raise InvalidInput(
                "A snapshot (--static) cannot be run again or scheduled: leave out --static to publish the "
                "notebook with its source, which Connect can re-run on a schedule."
            )
        schedules.to_connect(scheduled)  # a schedule that cannot be kept stops before the upload
    target, content_options_ = start_publish(out, server, content)
    deployment = core.publish_notebook(
        target,
        notebook,
        rendering,
        FilesOptions(extra_files=extra_files),
        content_options_,
        env,
        out.feedback(),
        before_upload,
    )
    report(out, deployment)
    if scheduled is not None:
        found = schedules.set_schedule(versions.find_content(deployment.content_guid, server), scheduled)
        say_schedule(found, schedule.email)


@deploy_group.command("html")
@click.argument("path", type=click.Path())
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options
@click.option(
    "-e", "--entrypoint", metavar="PAGE", help="For a folder: the page the site opens on (default: index.html)."
)
@click.option(
    "-x", "--exclude", "excludes", multiple=True, metavar="GLOB", help="For a folder: leave out files matching GLOB."
)
@output_options
@handle_errors
def deploy_html(
    path: str,
    extra_files: tuple[str, ...],
    server: ServerChoice,
    content: ContentArgs,
    entrypoint: str | None,
    excludes: tuple[str, ...],
    out: Output,
) -> None:
    """Publish an existing HTML file (with its NAME_files/ folder, as Quarto renders one), or a folder of
    rendered pages such as a Quarto site's _site/ (a site when it has several pages); EXTRA_FILES
    (images, styles) must be in its folder."""
    target, content_options_ = start_publish(out, server, content)
    files = FilesOptions(extra_files=extra_files, excludes=excludes)
    if Path(path).is_dir():
        from ..publish_quarto import publish_site

        deployment = publish_site(target, path, entrypoint, files, content_options_, out.feedback())
    else:
        if entrypoint or excludes:
            raise InvalidInput(
                "-e/--entrypoint and -x/--exclude apply to a folder of pages: leave them out for a file."
            )
        deployment = core.publish_html(target, path, files, content_options_, out.feedback())
    report(out, deployment)


@click.group("write-manifest", cls=LazyGroup, lazy=APP_MANIFEST_COMMANDS)
def write_manifest_group() -> None:
    """Write manifest.json (and requirements.txt) for content, without publishing it."""


@write_manifest_group.command("notebook")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@python_options()
@HIDE_ALL_INPUT
@HIDE_TAGGED_INPUT
@click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
@click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
@handle_errors
def write_manifest_notebook(
    notebook: str,
    extra_files: tuple[str, ...],
    env: EnvironmentOptions,
    hide_all_input: bool,
    hide_tagged_input: bool,
    overwrite: bool,
    verbose: bool,
) -> None:
    """Write manifest.json for a notebook with source, beside it (requirements.txt too, if missing)."""
    from .. import bundle

    snapshot = core.environment_snapshot(
        env.python, Path(notebook).parent, env.force_generate, env.requirements_file, env.package_installer
    )
    written = bundle.write_notebook_manifest(
        notebook, snapshot, extra_files, hide_all_input, hide_tagged_input, overwrite
    )
    for path in written:
        click.echo("Wrote %s" % path)
    if verbose:
        click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))
