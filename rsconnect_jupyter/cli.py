"""`rsconnect`: the command line. Commands read their input, call the core, format the answer.

The commands live in `commands/`: servers.py (add, list, remove, details), deploy.py
(deploy notebook|html, write-manifest notebook), voila.py, apps.py (deploy and write-manifest
api|flask|fastapi|dash|streamlit|bokeh|shiny|gradio, deploy manifest) and content.py (content
versions|activate|remove-version).

Start-up stays light: every command is imported only when it runs (commands/lazy.py), so
`rsconnect deploy notebook` imports neither the app commands nor the app publishers; nothing here
imports requests (connect/, imported by the commands that talk to a server), nbformat/nbconvert
(HTML snapshots only) or tornado. `local-server` is not even imported for `rsconnect --help` (its
line is given here): its module imports the server application (tornado, the runner) for its options.
"""

from __future__ import annotations

import atexit
import gc
from typing import Any

import click

from ._version import __version__
from .commands.lazy import LazyCommand, LazyGroup
from .startup import skip_slow_unused_imports

skip_slow_unused_imports()  # a command's process is ours: nbformat then imports a second faster


class MainGroup(LazyGroup):
    """`rsconnect`: its commands loaded lazily (commands/lazy.py), and Ctrl-C answered in one line."""

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


# At exit, Python runs its cycle collector over every object still alive before releasing them all
# anyway: about 20 ms after a deploy (requests and the core loaded). gc.freeze() exempts them. atexit
# runs this after the handlers registered later (last in, first out); objects are still finalized by
# reference counting as the modules are torn down.
atexit.register(gc.freeze)

# Records and saved servers are written only after a deploy succeeded, in one atomic replace.
INTERRUPTED_DEPLOY = (
    "Interrupted: nothing was changed locally; the content on the server may have been created "
    "or partly updated, so publish again to finish."
)
INTERRUPTED = "Interrupted: nothing was changed locally."

LAZY_COMMANDS = {
    "add": LazyCommand(".commands.servers", "add"),
    "content": LazyCommand(".commands.content", "content_group"),
    "deploy": LazyCommand(".commands.deploy", "deploy_group"),
    "details": LazyCommand(".commands.servers", "details"),
    "list": LazyCommand(".commands.servers", "list_servers"),
    "login": LazyCommand(".commands.signin", "login"),
    "logout": LazyCommand(".commands.signin", "logout"),
    "local-server": LazyCommand(
        ".localconnect.cli",
        "local_server",
        "Run the Connect-compatible local server in the foreground (Ctrl-C stops it).",
    ),
    "remove": LazyCommand(".commands.servers", "remove"),
    "write-manifest": LazyCommand(".commands.deploy", "write_manifest_group"),
}


@click.group(cls=MainGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsconnect")
def main() -> None:
    """Publish notebooks, Python APIs and apps to Posit Connect."""
