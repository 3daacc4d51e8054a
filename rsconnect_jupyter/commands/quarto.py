"""`rsconnect deploy quarto FILE_OR_DIRECTORY` and `rsconnect write-manifest quarto FILE_OR_DIRECTORY`
(quarto-static, quarto-shiny), with rsconnect-python 1.32's options.

Imported only when one of them runs: the groups in deploy.py name them as lazy commands.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

import click

from .. import bundle
from ..options import EnvironmentOptions, Feedback, FilesOptions, ServerChoice
from ..publish_quarto import QuartoOptions, prepare, publish_quarto
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


def quarto_options(func: F) -> F:
    """-q/--quarto PATH (as `quarto: QuartoOptions`) and -x/--exclude (as `excludes`)."""
    func = grouped("quarto", ("quarto",), QuartoOptions)(func)
    return with_options(
        func,
        [
            click.option(
                "--quarto",
                metavar="PATH",
                help="The Quarto that inspects the source (default: quarto on PATH; without one, the engines "
                "are read from the files: .ipynb is jupyter, a .qmd's ```{python} chunks jupyter, ```{r} knitr).",
            ),
            click.option(
                "-x",
                "--exclude",
                "excludes",
                multiple=True,
                metavar="GLOB",
                help="Leave out files of a project matching GLOB (relative to it; ** spans folders). Repeatable.",
            ),
        ],
    )


@click.command("quarto")
@click.argument("file_or_directory", type=click.Path())
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options(title_default="the document's or the project folder's name")
@quarto_options
@python_options("the document", "in its folder")
@ignore_python_version_option
@output_options
@handle_errors
def deploy_quarto(
    file_or_directory: str,
    extra_files: tuple[str, ...],
    server: ServerChoice,
    content: ContentArgs,
    quarto: QuartoOptions,
    excludes: Sequence[str],
    env: EnvironmentOptions,
    out: Output,
) -> None:
    """Publish a Quarto document (.qmd, or .ipynb rendered by Quarto) or project folder as source, for
    Connect to render (app mode quarto-static, or quarto-shiny for `server: shiny`). A server without
    Quarto refuses it before anything is sent: publish the rendered output with "deploy html" instead."""
    target, content_options_ = start_publish(out, server, content)
    deployment = publish_quarto(
        target,
        file_or_directory,
        quarto,
        FilesOptions(extra_files=extra_files, excludes=excludes),
        content_options_,
        env,
        out.feedback(),
    )
    report(out, deployment)


@click.command("quarto")
@click.argument("file_or_directory", type=click.Path())
@click.argument("extra_files", nargs=-1, type=click.Path())
@quarto_options
@python_options("the document", "in its folder")
@click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
@click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
@handle_errors
def write_manifest_quarto(
    file_or_directory: str,
    extra_files: tuple[str, ...],
    quarto: QuartoOptions,
    excludes: Sequence[str],
    env: EnvironmentOptions,
    overwrite: bool,
    verbose: bool,
) -> None:
    """Write manifest.json for a Quarto document (in its folder) or project (requirements.txt too when
    the jupyter engine needs one and there is none), as "deploy quarto" would send it."""
    say = Feedback(log=lambda m: click.echo(m, err=True))
    content, snapshot = prepare(file_or_directory, quarto, replace(env), say)
    written = bundle.write_quarto_manifest(content, snapshot, extra_files, excludes, overwrite)
    for path in written:
        click.echo("Wrote %s" % path)
    if verbose:
        click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))
