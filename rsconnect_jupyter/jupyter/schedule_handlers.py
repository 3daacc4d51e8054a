"""The publish dialog's "Schedule" section: show, save or remove the schedule of the content a notebook
was published to, and run it again now (rsconnect_jupyter/schedules.py does the work; these only read
the fields).

    POST content/schedule      {server, guid}                      -> the schedule, who gets mail, the runs
    POST content/schedule/save {server, guid, every, at, timezone, days, start, email} or {..., off: true}
    POST content/run           {server, guid}                      -> a job, followed like a publish
    POST content/schedule/check {every, at, timezone, days, start, email} -> {} or the sentence refusing it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from tornado import web

from .. import rules
from .fields import Fields
from .handlers import JSONHandlerMixin, guarded
from .jobs import JOBS

if TYPE_CHECKING:
    from ..schedules import ScheduleRequest


def _content(name: str, guid: str) -> Any:
    from .. import versions
    from .actions import saved_server

    return versions.content_of(saved_server(name), guid)


def schedule_state(name: str, guid: str) -> dict[str, Any]:
    from .. import schedules

    content = _content(name, guid)
    found = schedules.current(content)
    variant = content.client.default_variant(content.guid) or {}
    return {"schedule": found, "email": schedules.audience(variant, found), "runs": schedules.history(content)[:10]}


def save_schedule(name: str, guid: str, request: ScheduleRequest | None) -> dict[str, Any]:
    from .. import schedules

    content = _content(name, guid)
    if request is None:
        schedules.remove(content)
    else:
        schedules.set_schedule(content, request)
    return schedule_state(name, guid)


def run_now(name: str, guid: str, log: Callable[[str], None]) -> dict[str, Any]:
    from .. import schedules

    content = _content(name, guid)
    run = schedules.run_now(content, log)
    return {"run": run, "content_url": content.item.get("content_url")}


class ScheduleHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "guid")
        await self.respond(schedule_state, f.string("server"), f.string("guid", max_length=64))


def check_schedule(request: ScheduleRequest) -> dict[str, Any]:
    from .. import schedules

    schedules.to_connect(request)  # InvalidInput: the sentence the dialog shows
    return {}


def read_schedule(f: Fields) -> ScheduleRequest:
    from ..schedules import ScheduleRequest

    return ScheduleRequest(
        every=f.string("every", max_length=64),
        at=f.string("at", False, max_length=16),
        timezone=f.string("timezone", False, "UTC", max_length=64) or "UTC",
        days=tuple(f.string_list("days")),
        start=f.string("start", False, max_length=16),
        email=f.string("email", False, "nobody", choices=rules.SCHEDULE_EMAIL_CHOICES) or "nobody",
    )


class SaveScheduleHandler(JSONHandlerMixin):
    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("server", "guid", "every", "at", "timezone", "days", "start", "email", "off")
        request = None if f.boolean("off") else read_schedule(f)
        await self.respond(save_schedule, f.string("server"), f.string("guid", max_length=64), request)


class CheckScheduleHandler(JSONHandlerMixin):
    """A schedule chosen before a publish, checked before anything is uploaded (as `deploy notebook
    --every` checks it): one that cannot be kept stops the publish, and nothing is published."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        f = self.fields("every", "at", "timezone", "days", "start", "email")
        await self.respond(check_schedule, read_schedule(f))


class RunNowHandler(JSONHandlerMixin):
    """Run the notebook again now: a job whose log streams to the dialog, as a publish's does."""

    @web.authenticated
    @guarded
    async def post(self) -> None:
        from .actions import saved_server

        f = self.fields("server", "guid")
        name, guid = f.string("server"), f.string("guid", max_length=64)
        server = await self.run(saved_server, name)

        def work(log_line: Callable[[str], None]) -> dict[str, Any]:
            return run_now(name, guid, log_line)

        job = JOBS.start(work, describe, secrets=[server.api_key])
        self.answer({"job_id": job.id}, status=202)


def describe(exc: BaseException) -> str:
    from .actions import describe_error

    return describe_error(exc)


SCHEDULE_ROUTES: list[tuple[str, type[JSONHandlerMixin]]] = [
    ("content/schedule", ScheduleHandler),
    ("content/schedule/save", SaveScheduleHandler),
    ("content/schedule/check", CheckScheduleHandler),
    ("content/run", RunNowHandler),
]
