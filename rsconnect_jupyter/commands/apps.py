"""`rsconnect deploy TYPE` (each type of apps.APP_TYPES), `deploy manifest`, and `write-manifest TYPE`.

Imported only when one of them runs (or their group's help is shown): the groups in deploy.py
find them in DEPLOY_COMMANDS and WRITE_MANIFEST_COMMANDS.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from .. import apps, bundle
from .. import deploy as core
from ..exceptions import InvalidInput
from ..options import AppOptions, EnvironmentOptions, FilesOptions, ServerChoice
from .common import (
    ContentArgs,
    F,
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
    with_options,
)


@dataclass(frozen=True)
class AppArgs:
    """-e/--entrypoint and -x/--exclude as given."""

    entrypoint: str | None
    excludes: Sequence[str]


def app_options(func: F) -> F:
    """-e/--entrypoint and -x/--exclude, as `app: AppArgs`."""
    func = grouped("app", ("entrypoint", "excludes"), AppArgs)(func)
    return with_options(
        func,
        [
            click.option(
                "-e",
                "--entrypoint",
                metavar="MODULE[:OBJECT]",
                help="The module that starts the app, and the object in it (default: the first of app, "
                "application, main, api that exists, else the only .py file; object: app).",
            ),
            click.option(
                "-x",
                "--exclude",
                "excludes",
                multiple=True,
                metavar="GLOB",
                help='Leave out files matching GLOB, relative to DIRECTORY; ** spans folders ("**/*.csv"), '
                "a folder name leaves out all of it. Repeatable.",
            ),
        ],
    )


def make_deploy_command(app_type: str) -> click.Command:
    app_mode = apps.APP_TYPES[app_type]

    @click.argument("directory", type=click.Path(file_okay=False))
    @click.argument("extra_files", nargs=-1, type=click.Path())
    @server_options
    @content_options(title_default="the directory's name")
    @app_options
    @python_options("the app", "in DIRECTORY")
    @ignore_python_version_option
    @output_options
    @handle_errors
    def command(
        directory: str,
        extra_files: tuple[str, ...],
        server: ServerChoice,
        content: ContentArgs,
        app: AppArgs,
        env: EnvironmentOptions,
        out: Output,
    ) -> None:
        target, content_options_ = start_publish(out, server, content)
        deployment = core.publish_app(
            target,
            directory,
            AppOptions(app_mode, app.entrypoint),
            FilesOptions(extra_files=extra_files, excludes=app.excludes),
            content_options_,
            env,
            out.feedback(),
        )
        report(out, deployment)

    command.__doc__ = (
        "Publish %s from DIRECTORY (app mode %s). The whole directory is bundled, minus version control, "
        "caches, virtual environments and -x globs; EXTRA_FILES (inside DIRECTORY) are always included."
        % (apps.APP_TYPE_HELP[app_type], app_mode)
    )
    return click.command(app_type)(command)


def make_write_manifest_command(app_type: str) -> click.Command:
    app_mode = apps.APP_TYPES[app_type]

    @click.argument("directory", type=click.Path(file_okay=False))
    @click.argument("extra_files", nargs=-1, type=click.Path())
    @app_options
    @python_options("the app", "in DIRECTORY")
    @click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
    @click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
    @handle_errors
    def command(
        directory: str,
        extra_files: tuple[str, ...],
        app: AppArgs,
        env: EnvironmentOptions,
        overwrite: bool,
        verbose: bool,
    ) -> None:
        resolved = core.check_app(directory, app_mode, app.entrypoint, extra_files, app.excludes)
        manifest_path = Path(directory) / "manifest.json"
        if manifest_path.exists() and not overwrite:  # before the (slower) environment snapshot
            raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
        snapshot = core.environment_snapshot(
            env.python, Path(directory), env.force_generate, env.requirements_file, env.package_installer
        )
        core.app_files(directory, snapshot, extra_files, app.excludes, log=lambda m: click.echo(m, err=True))
        written = bundle.write_app_manifest(
            directory, app_mode, resolved, snapshot, extra_files, app.excludes, overwrite
        )
        for path in written:
            click.echo("Wrote %s" % path)
        if verbose:
            click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))

    command.__doc__ = (
        "Write manifest.json for %s in DIRECTORY (requirements.txt too, if missing), for "
        '"rsconnect deploy manifest" or Git-backed publishing.' % apps.APP_TYPE_HELP[app_type]
    )
    return click.command(app_type)(command)


@click.command("manifest")
@click.argument("manifest", type=click.Path())
@server_options
@content_options(title_default="the primary file's name without extension, or the folder's name for an API or app")
@click.option(
    "--ignore-python-version",
    is_flag=True,
    help="Deploy even when the server has no Python with the manifest's MAJOR.MINOR.",
)
@output_options
@handle_errors
def deploy_manifest(
    manifest: str, server: ServerChoice, content: ContentArgs, ignore_python_version: bool, out: Output
) -> None:
    """Publish exactly the files a manifest.json lists, as the app mode it says (MANIFEST may also be the
    folder that holds it). The title defaults to its primary file's name, or the folder's for an API or app."""
    target, content_options_ = start_publish(out, server, content)
    deployment = core.publish_manifest(
        target,
        manifest,
        content_options_,
        EnvironmentOptions(ignore_python_version=ignore_python_version),
        out.feedback(),
    )
    report(out, deployment)


# By command name, for the groups' LazyGroup (commands/deploy.py).
DEPLOY_COMMANDS = {**{name: make_deploy_command(name) for name in apps.APP_TYPES}, "manifest": deploy_manifest}
WRITE_MANIFEST_COMMANDS = {name: make_write_manifest_command(name) for name in apps.APP_TYPES}
