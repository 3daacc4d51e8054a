"""`rsconnect`: the command line. Commands read their input, call the core, format the answer.

The commands live in `commands/`: servers.py (add, list, remove, details), deploy.py
(deploy notebook|html, write-manifest notebook) and apps.py (deploy and write-manifest
api|flask|fastapi|dash|streamlit|bokeh, deploy manifest).
"""
import click

from . import __version__
from .commands import apps as _app_commands  # noqa: F401  (adds its commands to the groups below)
from .commands.deploy import deploy_group, write_manifest_group
from .commands.servers import add, details, list_servers, remove
from .localconnect.cli import local_server


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsconnect")
def main():
    """Publish notebooks, Python APIs and apps to Posit Connect."""


main.add_command(add)
main.add_command(list_servers)
main.add_command(remove)
main.add_command(details)
main.add_command(deploy_group)
main.add_command(write_manifest_group)
main.add_command(local_server)
