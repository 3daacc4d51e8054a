"""`rsconnect deploy bundle FILE` and `rsconnect deploy pyproject DIRECTORY`, as rsconnect-python
1.32 spells them (thin: publish_bundle.py and publish_pyproject.py do the work)."""

from __future__ import annotations

import click

from ..options import EnvironmentOptions, ServerChoice
from .common import (
    IGNORE_PYTHON_VERSION,
    ContentArgs,
    Output,
    content_options,
    handle_errors,
    ignore_python_version_option,
    output_options,
    python_options,
    report,
    server_options,
    start_publish,
)


@click.command("bundle")
@click.argument("file", type=click.Path(dir_okay=False))
@server_options
@content_options(title_default="the primary file's name, else FILE's name without .tar.gz")
@click.option("--ignore-python-version", is_flag=True, help=IGNORE_PYTHON_VERSION)
@output_options
@handle_errors
def deploy_bundle(
    file: str, server: ServerChoice, content: ContentArgs, ignore_python_version: bool, out: Output
) -> None:
    """Publish a .tar.gz bundle as it is (one saved with "rsconnect content download-bundle", say):
    its manifest.json says what it is; nothing in it is changed. Copies content between servers."""
    from ..publish_bundle import publish_bundle

    target, options = start_publish(out, server, content)
    env = EnvironmentOptions(ignore_python_version=ignore_python_version)
    report(out, publish_bundle(target, file, options, env, out.feedback()))


@click.command("pyproject")
@click.argument("directory", type=click.Path(file_okay=False))
@server_options
@content_options(title_default="[tool.rsconnect] title, else the entrypoint's or the directory's name")
@python_options("the project", "in DIRECTORY, after [tool.rsconnect] requirements_file and pyproject.toml")
@ignore_python_version_option
@output_options
@handle_errors
def deploy_pyproject(
    directory: str,
    server: ServerChoice,
    content: ContentArgs,
    env: EnvironmentOptions,
    out: Output,
) -> None:
    """Publish DIRECTORY as its pyproject.toml's [tool.rsconnect] table says: app_mode and
    entrypoint (required), title and requirements_file (optional)."""
    from ..publish_pyproject import publish_pyproject

    target, options = start_publish(out, server, content)
    report(out, publish_pyproject(target, directory, options, env, out.feedback()))
