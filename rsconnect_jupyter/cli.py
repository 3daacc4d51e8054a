"""`rsconnect`: the command line. Commands read their input, call the core, format the answer."""
import click

from . import __version__
from .localconnect.cli import local_server


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsconnect")
def main():
    """Publish notebooks, Python APIs and apps to Posit Connect."""


main.add_command(local_server)
