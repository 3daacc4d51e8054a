"""`rsconnect deploy notebook | html`."""
import json
from pathlib import Path

import click

from .. import deploy as core
from ..exceptions import InvalidInput
from .common import (content_options, handle_errors, output_options, python_options, report, resolve_server,
                     server_options, start_publish)


@click.group("deploy")
def deploy_group():
    """Publish content to Connect."""


@deploy_group.command("notebook")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options
@python_options()
@click.option("--static", is_flag=True, help="Publish an HTML snapshot of the notebook instead of its source.")
@click.option("--execute", is_flag=True, help="With --static: run the notebook before taking the snapshot.")
@click.option("--hide-all-input", is_flag=True, help="Hide the input of every code cell.")
@click.option("--hide-tagged-input", is_flag=True, help='Hide the input of code cells tagged "hide_input".')
@click.option("--ignore-python-version", is_flag=True,
              help="Deploy even when the server has no Python with this MAJOR.MINOR.")
@output_options
@click.pass_context
@handle_errors
def deploy_notebook(ctx, notebook, extra_files, name, server, api_key, insecure, cacert, title, environment, new,
                    app_id, python, force_generate, static, execute, hide_all_input, hide_tagged_input,
                    ignore_python_version, verbose, quiet):
    """Publish a notebook with its source (Connect rebuilds the environment and renders it), or an
    HTML snapshot of it with --static. EXTRA_FILES are included; they must be in the notebook's folder."""
    if execute and not static:
        raise InvalidInput("--execute applies to HTML snapshots: add --static, or leave it out (Connect renders "
                           "notebooks published with source).")
    out, values = start_publish(ctx, quiet, verbose, new, app_id, environment)
    target = resolve_server(name, server, api_key, insecure, cacert, deployed_path=Path(notebook))
    core.check_notebook(notebook, extra_files)
    snapshot = None
    if not static:
        out.log("Reading the Python environment of %s ..." % (python or "this Python"))
        snapshot = core.environment_snapshot(python, Path(notebook).parent, force_generate)
        out.detail("requirements.txt:\n" + snapshot["requirements"])
    deployment = core.publish_notebook(
        target, notebook, static=static, title=title, environment=values, new=new, app_id=app_id,
        extra_files=extra_files, python=python, snapshot=snapshot, force_generate=force_generate,
        hide_all_input=hide_all_input, hide_tagged_input=hide_tagged_input, execute=execute,
        ignore_python_version=ignore_python_version, log=out.log, progress=out.progress)
    report(out, deployment)


@deploy_group.command("html")
@click.argument("path", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@server_options
@content_options
@output_options
@click.pass_context
@handle_errors
def deploy_html(ctx, path, extra_files, name, server, api_key, insecure, cacert, title, environment, new, app_id,
                verbose, quiet):
    """Publish an existing HTML file; EXTRA_FILES (images, styles) must be in its folder."""
    out, values = start_publish(ctx, quiet, verbose, new, app_id, environment)
    target = resolve_server(name, server, api_key, insecure, cacert, deployed_path=Path(path))
    deployment = core.publish_html(target, path, title=title, environment=values, new=new, app_id=app_id,
                                   extra_files=extra_files, log=out.log, progress=out.progress)
    report(out, deployment)


@click.group("write-manifest")
def write_manifest_group():
    """Write manifest.json (and requirements.txt) for content, without publishing it."""


@write_manifest_group.command("notebook")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("extra_files", nargs=-1, type=click.Path())
@python_options()
@click.option("--hide-all-input", is_flag=True, help="Hide the input of every code cell.")
@click.option("--hide-tagged-input", is_flag=True, help='Hide the input of code cells tagged "hide_input".')
@click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
@click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
@handle_errors
def write_manifest_notebook(notebook, extra_files, python, force_generate, hide_all_input, hide_tagged_input,
                            overwrite, verbose):
    """Write manifest.json for a notebook with source, beside it (requirements.txt too, if missing)."""
    from .. import bundle

    snapshot = core.environment_snapshot(python, Path(notebook).parent, force_generate)
    written = bundle.write_notebook_manifest(notebook, snapshot, extra_files, hide_all_input, hide_tagged_input,
                                             overwrite)
    for path in written:
        click.echo("Wrote %s" % path)
    if verbose:
        click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))
