"""`rsconnect content schedule | render | history`: scheduled reports from the terminal (thin: the
rules and calls are schedules.py's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ..options import ServerChoice
from ..rules import SCHEDULE_EMAIL_CHOICES, SCHEDULE_EVERY_HELP
from .common import grouped, handle_errors, server_options, with_options

if TYPE_CHECKING:
    from ..schedules import ScheduleRequest

TARGET = click.argument("target", metavar="TARGET")


@dataclass(frozen=True)
class ScheduleArgs:
    """--every, --at, --timezone, --days, --start and --email as given."""

    every: str | None
    at: str | None
    timezone: str
    days: str | None
    start: str | None
    email: str

    def request(self) -> ScheduleRequest | None:
        """The core's request, or None when no --every was given (nothing to schedule)."""
        from ..schedules import ScheduleRequest as Request

        if not self.every:
            return None
        days = (self.days,) if self.days else ()
        return Request(
            every=self.every, at=self.at, timezone=self.timezone, days=days, start=self.start, email=self.email
        )


def schedule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--every, --at, --timezone, --days, --start, --email, as `schedule: ScheduleArgs`: for
    `content schedule` and `deploy notebook`."""
    func = grouped("schedule", ("every", "at", "timezone", "days", "start", "email"), ScheduleArgs)(func)
    return with_options(
        func,
        [
            click.option("--every", metavar="WHEN", help="Run the notebook again every: %s." % SCHEDULE_EVERY_HELP),
            click.option("--at", "at", metavar="HH:MM", help="The time of day of each run (daily and longer)."),
            click.option(
                "--timezone",
                metavar="TZ",
                default="UTC",
                show_default=True,
                help="The timezone of --at and --start (an IANA name such as Europe/Paris).",
            ),
            click.option("--days", metavar="DAYS", help="With --every week: the days to run on (mon,wed,fri)."),
            click.option("--start", metavar="YYYY-MM-DD", help="The first day of the schedule [default: today]."),
            click.option(
                "--email",
                type=click.Choice(SCHEDULE_EMAIL_CHOICES),
                default="nobody",
                show_default=True,
                help="Mail each run's result to these people.",
            ),
        ],
    )


def say_schedule(found: dict[str, Any] | None, mail_to: str) -> None:
    if found is None:
        click.echo("Not scheduled.")
        return
    click.echo("Runs %s; next run %s." % (found["words"], found["next_run"]))
    click.echo("Results are mailed to: %s." % mail_to)


@click.command("schedule")
@TARGET
@schedule_options
@click.option("--off", is_flag=True, help="Remove the schedule.")
@server_options
@handle_errors
def schedule(target: str, schedule: ScheduleArgs, off: bool, server: ServerChoice) -> None:
    """Show the schedule of a notebook published with its source; with --every, set it; --off removes it."""
    from .. import schedules as core
    from .. import versions

    content = versions.find_content(target, server)
    wanted = schedule.request()
    if off:
        if wanted:
            raise click.UsageError("Give --every to set a schedule, or --off to remove it, not both.")
        click.echo("Schedule removed." if core.remove(content) else "It was not scheduled.")
        return
    if wanted:
        say_schedule(core.set_schedule(content, wanted), schedule.email)
        return
    shown = core.current(content)
    variant = content.client.default_variant(content.guid) or {}
    say_schedule(shown, core.audience(variant, shown))


@click.command("render")
@TARGET
@server_options
@handle_errors
def render(target: str, server: ServerChoice) -> None:
    """Run the notebook again now, following its log; its output becomes the live one."""
    from .. import schedules as core
    from .. import versions

    content = versions.find_content(target, server)
    run = core.run_now(content, lambda line: click.echo(line, err=True))
    click.echo("Run %s succeeded: %s" % (run.get("id"), content.item.get("content_url")))


@click.command("history")
@TARGET
@server_options
@handle_errors
def history(target: str, server: ServerChoice) -> None:
    """List the notebook's past runs, newest first."""
    from .. import schedules as core
    from .. import versions

    content = versions.find_content(target, server)
    runs = core.history(content)
    if not runs:
        click.echo("No runs yet.")
        return
    click.echo("%-6s %-28s %-10s %-9s %s" % ("RUN", "STARTED", "HOW", "RESULT", "OUTPUT"))
    for run in runs:
        click.echo(
            "%-6s %-28s %-10s %-9s %s"
            % (
                run["id"],
                run["start_time"],
                "scheduled" if run["trigger"] == "schedule" else "run now",
                run["status"],
                run["url"] or run["error"],
            )
        )
