"""`rsconnect local-server` (placeholder until the local server lands)."""
import click


@click.group("local-server", invoke_without_command=True)
def local_server():
    """Run the Connect-compatible local server."""
    raise click.ClickException("not built yet")
