"""`rsconnect deploy voila NOTEBOOK` and `rsconnect write-manifest voila NOTEBOOK` (jupyter-voila).

Imported only when one of them runs (or their group's help is shown): the groups in deploy.py
name them as lazy commands.
"""

from __future__ import annotations

import json
from dataclasses import replace

import click

from .. import deploy as core
from ..options import CheckOptions, EnvironmentOptions, FilesOptions, ServerChoice
from .common import (
    ContentArgs,
    Output,
    content_options,
    handle_errors,
    output_options,
    python_options,
    report,
    server_options,
    start_publish,
)
from .deploy import strict_option


@click.command("voila")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options
@python_options()
@click.option(
    "--ignore-python-version", is_flag=True, help="Deploy even when the server has no Python with this MAJOR.MINOR."
)
@strict_option
@output_options
@handle_errors
def deploy_voila(
    notebook: str,
    extra_files: tuple[str, ...],
    server: ServerChoice,
    content: ContentArgs,
    env: EnvironmentOptions,
    ignore_python_version: bool,
    before_upload: CheckOptions,
    out: Output,
) -> None:
    """Publish a notebook as an interactive Voila dashboard (app mode jupyter-voila): Connect serves it
    with Voila, running it for each visitor; its requirements must list voila. voila.json beside it
    and EXTRA_FILES (in the notebook's folder) are included."""
    target, content_options_ = start_publish(out, server, content)
    deployment = core.publish_voila(
        target,
        notebook,
        FilesOptions(extra_files=extra_files),
        content_options_,
        replace(env, ignore_python_version=ignore_python_version),
        out.feedback(),
        before_upload,
    )
    report(out, deployment)


@click.command("voila")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@python_options()
@click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
@click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
@handle_errors
def write_manifest_voila(
    notebook: str,
    extra_files: tuple[str, ...],
    env: EnvironmentOptions,
    overwrite: bool,
    verbose: bool,
) -> None:
    """Write manifest.json for a Voila dashboard, beside the notebook (requirements.txt too, if missing)."""
    from pathlib import Path

    from ..bundle import voila

    core.check_notebook(notebook, extra_files)
    snapshot = core.environment_snapshot(
        env.python, Path(notebook).parent, env.force_generate, env.requirements_file, env.package_installer
    )
    written = voila.write_voila_manifest(notebook, snapshot, extra_files, overwrite)
    for path in written:
        click.echo("Wrote %s" % path)
    if verbose:
        click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))
