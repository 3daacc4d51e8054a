"""`rsconnect deploy api|flask|fastapi|dash|streamlit|bokeh|manifest` and `write-manifest` for each type."""
import json
from pathlib import Path

import click

from .. import apps
from .. import bundle
from .. import deploy as core
from ..exceptions import InvalidInput
from .common import (content_options, handle_errors, output_options, python_options, report, resolve_server,
                     server_options, start_publish)
from .deploy import deploy_group, write_manifest_group


def app_options(func):
    """-e/--entrypoint and -x/--exclude."""
    options = [
        click.option("-e", "--entrypoint", metavar="MODULE[:OBJECT]",
                     help="The module that starts the app, and the object in it (default: the first of app, "
                          "application, main, api that exists, else the only .py file; object: app)."),
        click.option("-x", "--exclude", "excludes", multiple=True, metavar="GLOB",
                     help="Leave out files matching GLOB, relative to DIRECTORY; ** spans folders (\"**/*.csv\"), "
                          "a folder name leaves out all of it. Repeatable."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_deploy_command(app_type):
    app_mode = apps.APP_TYPES[app_type]

    @click.argument("directory", type=click.Path(file_okay=False))
    @click.argument("extra_files", nargs=-1, type=click.Path())
    @server_options
    @content_options(title_default="the directory's name")
    @app_options
    @python_options("the app", "in DIRECTORY")
    @click.option("--ignore-python-version", is_flag=True,
                  help="Deploy even when the server has no Python with this MAJOR.MINOR.")
    @output_options
    @click.pass_context
    @handle_errors
    def command(ctx, directory, extra_files, name, server, api_key, insecure, cacert, title, environment, new,
                app_id, entrypoint, excludes, python, force_generate, ignore_python_version, verbose, quiet):
        out, values = start_publish(ctx, quiet, verbose, new, app_id, environment)
        resolved = core.check_app(directory, app_mode, entrypoint, extra_files, excludes)
        target = resolve_server(name, server, api_key, insecure, cacert,
                                deployed_path=core.app_deployed_path(directory))
        out.log("Reading the Python environment of %s ..." % (python or "this Python"))
        snapshot = core.environment_snapshot(python, Path(directory), force_generate)
        out.detail("requirements.txt:\n" + snapshot["requirements"])
        deployment = core.publish_app(
            target, directory, app_mode, entrypoint=resolved, title=title, environment=values, new=new,
            app_id=app_id, extra_files=extra_files, excludes=excludes, python=python, snapshot=snapshot,
            force_generate=force_generate, ignore_python_version=ignore_python_version, log=out.log,
            progress=out.progress)
        report(out, deployment)

    command.__doc__ = (
        "Publish %s from DIRECTORY (app mode %s). The whole directory is bundled, minus version control, "
        "caches, virtual environments and -x globs; EXTRA_FILES (inside DIRECTORY) are always included."
        % (apps.APP_TYPE_HELP[app_type], app_mode))
    return deploy_group.command(app_type)(command)


def make_write_manifest_command(app_type):
    app_mode = apps.APP_TYPES[app_type]

    @click.argument("directory", type=click.Path(file_okay=False))
    @click.argument("extra_files", nargs=-1, type=click.Path())
    @app_options
    @python_options("the app", "in DIRECTORY")
    @click.option("--overwrite", is_flag=True, help="Replace an existing manifest.json.")
    @click.option("-v", "--verbose", is_flag=True, help="Print the manifest.")
    @handle_errors
    def command(directory, extra_files, entrypoint, excludes, python, force_generate, overwrite, verbose):
        resolved = core.check_app(directory, app_mode, entrypoint, extra_files, excludes)
        manifest_path = Path(directory) / "manifest.json"
        if manifest_path.exists() and not overwrite:  # before the (slower) environment snapshot
            raise InvalidInput("%s already exists: pass --overwrite to replace it." % manifest_path)
        snapshot = core.environment_snapshot(python, Path(directory), force_generate)
        core.app_files(directory, snapshot, extra_files, excludes, log=lambda m: click.echo(m, err=True))
        written = bundle.write_app_manifest(directory, app_mode, resolved, snapshot, extra_files, excludes,
                                            overwrite)
        for path in written:
            click.echo("Wrote %s" % path)
        if verbose:
            click.echo(json.dumps(json.loads(written[-1].read_text()), indent=2))

    command.__doc__ = ("Write manifest.json for %s in DIRECTORY (requirements.txt too, if missing), for "
                       "\"rsconnect deploy manifest\" or Git-backed publishing." % apps.APP_TYPE_HELP[app_type])
    return write_manifest_group.command(app_type)(command)


for _type in apps.APP_TYPES:
    make_deploy_command(_type)
    make_write_manifest_command(_type)


@deploy_group.command("manifest")
@click.argument("manifest", type=click.Path())
@server_options
@content_options(title_default="the primary file's name without extension, or the folder's name for an API or app")
@click.option("--ignore-python-version", is_flag=True,
              help="Deploy even when the server has no Python with the manifest's MAJOR.MINOR.")
@output_options
@click.pass_context
@handle_errors
def deploy_manifest(ctx, manifest, name, server, api_key, insecure, cacert, title, environment, new, app_id,
                    ignore_python_version, verbose, quiet):
    """Publish exactly the files a manifest.json lists, as the app mode it says (MANIFEST may also be the
    folder that holds it). The title defaults to its primary file's name, or the folder's for an API or app."""
    out, values = start_publish(ctx, quiet, verbose, new, app_id, environment)
    path, parsed, files = core.check_manifest(manifest)
    out.detail("Files: %s" % ", ".join(f.arcname for f in files))
    target = resolve_server(name, server, api_key, insecure, cacert, deployed_path=path)
    deployment = core.publish_manifest(target, path, title=title, environment=values, new=new, app_id=app_id,
                                       ignore_python_version=ignore_python_version, log=out.log, progress=out.progress)
    report(out, deployment)
