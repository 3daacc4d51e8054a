"""`rsconnect`: the command line. Commands read their input, call the core, format the answer.

The commands live in `commands/`: servers.py (add, list, remove, details), deploy.py
(deploy notebook|html, write-manifest notebook) and apps.py (deploy and write-manifest
api|flask|fastapi|dash|streamlit|bokeh, deploy manifest).

Start-up stays light: nothing here imports requests (connect/, imported by the commands that
talk to a server), nbformat/nbconvert (HTML snapshots only) or tornado. `local-server` is loaded
only when it runs; its module imports the server application (tornado, the runner) for its options.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from . import __version__
from .commands import apps as _app_commands  # noqa: F401  (adds its commands to the groups below)
from .commands.deploy import deploy_group, write_manifest_group
from .commands.servers import add, details, list_servers, remove


class LazyGroup(click.Group):
    """A group whose `lazy` commands are imported when they run (or their own help is shown).

    `rsconnect --help` lists them with the one-line help given here, without importing them;
    tests/cli checks that line against the command's own docstring.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})  # name -> ("module:attribute", first paragraph of its help)
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # a stand-in for the help's command list
            return click.Command(cmd_name, help=self.lazy[cmd_name][1])
        return self.load(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        # Ctrl-C: one line instead of click's "Aborted!" or a traceback; 130 is the shell's code for SIGINT.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            if ctx.invoked_subcommand == "local-server":  # it stops itself on SIGINT; elsewhere, click's way
                raise
            click.echo("", err=True)  # past the "^C" the terminal echoed
            click.echo(INTERRUPTED_DEPLOY if ctx.invoked_subcommand == "deploy" else INTERRUPTED, err=True)
            ctx.exit(130)

    def load(self, cmd_name: str) -> click.Command:
        module, attribute = self.lazy[cmd_name][0].split(":")
        command: click.Command = getattr(importlib.import_module(module, __package__), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


# Records and saved servers are written only after a deploy succeeded, in one atomic replace.
INTERRUPTED_DEPLOY = (
    "Interrupted: nothing was changed locally; the content on the server may have been created "
    "or partly updated, so publish again to finish."
)
INTERRUPTED = "Interrupted: nothing was changed locally."

LAZY_COMMANDS = {
    "local-server": (
        ".localconnect.cli:local_server",
        "Run the Connect-compatible local server in the foreground (Ctrl-C stops it).",
    ),
}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsconnect")
def main() -> None:
    """Publish notebooks, Python APIs and apps to Posit Connect."""


main.add_command(add)
main.add_command(list_servers)
main.add_command(remove)
main.add_command(details)
main.add_command(deploy_group)
main.add_command(write_manifest_group)
