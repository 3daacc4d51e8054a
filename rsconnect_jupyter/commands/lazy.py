"""A click group whose commands are imported only when one of them runs.

`rsconnect deploy notebook` then imports neither the app commands nor the saved servers' ones:
each module costs start-up time, paid on every command.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click

PACKAGE = __name__.split(".")[0]  # rsconnect_jupyter, which LazyCommand.module is relative to


class LazyCommand(NamedTuple):  # not a dataclass: a frozen one costs 0.5 ms of start-up to define
    """Where a command lives: `module` (relative to rsconnect_jupyter) and its `attribute` there, a
    click command or a mapping of them by command name. `short_help` is the help listing's line
    for it; without one, the listing imports the command (only `--help` pays for that)."""

    module: str
    attribute: str
    short_help: str | None = None


class LazyGroup(click.Group):
    """A group whose `lazy` commands are imported when they run (or their own help is shown).

    The group's `--help` lists them in click's order and words, with the `short_help` given or,
    without one, with the command's own help; tests/cli checks a given line against the
    command's docstring.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        short_help = self.lazy[cmd_name].short_help
        if self._listing and short_help is not None:  # a stand-in for the help's command list
            return click.Command(cmd_name, help=short_help)
        return self.load(cmd_name)

    def load(self, cmd_name: str) -> click.Command:
        where = self.lazy[cmd_name]
        found = getattr(importlib.import_module(where.module, PACKAGE), where.attribute)
        command: click.Command = found[cmd_name] if isinstance(found, Mapping) else found
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False
