"""Variants, runs and schedules as Connect has them (the unversioned API posit-sdk 0.17 uses), and
`v1/groups` (this server has no groups: an empty page, as Connect answers when there are none).

- `GET applications/{guid}/variants`: the content's one variant (its id is the content's id);
  `GET|POST variants/{id}` reads it or sets who the report is mailed to;
- `POST variants/{id}/render`: run the notebook now (a task, as a deploy's);
  `GET variants/{id}/renderings`: the runs, newest first;
- `POST variants/{id}/sender?email=me|collaborators|collaborators_viewers|all&rendering_id=N`: mail a run;
- `GET variants/{id}/schedules`, `POST schedules`, `GET|POST|DELETE schedules/{id}` (a POST to an
  existing schedule replaces it whole, as on Connect);
- `/content/{guid}/_rendering{id}/`: a kept run's HTML, for those who may see the content.
Shapes: fixtures applications_*_variants.json, schedules_*.json, variants_*_render.json.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import tornado.web

from ... import schedule_rules
from .. import auth, errors, models, renders
from ..db_schema import now
from .base import BaseHandler, send_file
from .pages import require_view

if TYPE_CHECKING:
    from ..db_schedules import RenderingRow, ScheduleRow
    from ..rows import ContentRow, UserRow

SCHEDULE_FIELDS = ("type", "schedule", "start_time", "timezone", "email", "activate")
MAIL_FIELDS = ("email_collaborators", "email_viewers", "email_all")


def _nanoseconds(start: str, end: str | None) -> int | None:
    if not end:
        return None
    spent = schedule_rules.parse_time(end) - schedule_rules.parse_time(start)
    return int(spent.total_seconds() * 1e9)


def variant_json(db: Any, content: ContentRow) -> dict[str, Any]:
    good: RenderingRow | None = db.last_good_rendering(content["guid"])
    mail = db.variant_mail(content["guid"])
    return {
        "id": content["id"],
        "app_id": content["id"],
        "key": models.variant_key(content["guid"]),
        "bundle_id": int(content["bundle_id"]) if content["bundle_id"] else None,
        "is_default": True,
        "name": "default",
        "email_collaborators": bool(mail["email_collaborators"]),
        "email_viewers": bool(mail["email_viewers"]),
        "email_all": bool(mail["email_all"]),
        "created_time": content["created_time"],
        "rendering_id": good["id"] if good else None,
        "render_time": good["end_time"] if good else None,
        "render_duration": _nanoseconds(good["started_time"], good["end_time"]) if good else None,
        "visibility": "public",
        "owner_id": 0,
    }


def schedule_json(row: ScheduleRow, content: ContentRow) -> dict[str, Any]:
    return {
        "id": row["id"],
        "app_id": content["id"],
        "variant_id": content["id"],
        "type": row["type"],
        "schedule": row["schedule"],
        "start_time": row["start_time"],
        "next_run": row["next_run"],
        "timezone": row["timezone"],
        "activate": bool(row["activate"]),
        "email": bool(row["email"]),
    }


def rendering_json(row: RenderingRow, server_url: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "variant_id": None,  # filled by the caller
        "bundle_id": int(row["bundle_id"]),
        "trigger": row["trigger"],
        "start_time": row["started_time"],
        "end_time": row["end_time"],
        "status": row["status"],
        "exit_code": row["exit_code"],
        "error": row["error"],
        "task_id": row["task_id"],
        "url": "%scontent/%s/_rendering%d/" % (server_url, row["content_guid"], row["id"]) if row["output"] else None,
    }


class _VariantBase(BaseHandler):
    def variant_content(self, user: UserRow, variant_id: str, change: bool = False) -> ContentRow:
        content = self.db.content_by_id(int(variant_id)) if len(variant_id) < 19 else None
        if content is None:
            raise errors.not_found("Variant %s" % variant_id)
        return self.content_for(user, content["guid"], change=change)

    def renderable(self, content: ContentRow) -> None:
        """Connect's refusal for content that is never rendered, with what to publish instead."""
        refusal = renders.can_render(content)
        if refusal:
            raise errors.ConnectError(400, errors.INVALID_VALUE, refusal)


class VariantsHandler(_VariantBase):
    def get(self, guid: str) -> None:
        content = self.content_for(self.user(), guid)
        self.send_json([variant_json(self.db, content)])


class VariantHandler(_VariantBase):
    def get(self, variant_id: str) -> None:
        self.send_json(variant_json(self.db, self.variant_content(self.user(), variant_id)))

    def post(self, variant_id: str) -> None:
        content = self.variant_content(self.user(), variant_id, change=True)
        body = self.json_object()
        mail = dict(self.db.variant_mail(content["guid"]))
        for name in MAIL_FIELDS:
            if name in body:
                if not isinstance(body[name], bool):
                    raise errors.invalid_value("%s must be true or false." % name)
                mail[name] = int(body[name])
        self.db.set_variant_mail(content["guid"], *(bool(mail[n]) for n in MAIL_FIELDS))
        self.send_json(variant_json(self.db, content))


class VariantRenderHandler(_VariantBase):
    def post(self, variant_id: str) -> None:
        user = self.user()
        content = self.variant_content(user, variant_id, change=True)
        self.renderable(content)
        task = self.state.renders.start(content, "request", user["guid"])
        output, finished, code, error = task.snapshot()
        self.send_json(models.task_json(task.id, output, finished, code, error))


class VariantRenderingsHandler(_VariantBase):
    def get(self, variant_id: str) -> None:
        content = self.variant_content(self.user(), variant_id)
        rows = [rendering_json(r, self.server_url()) for r in self.db.renderings(content["guid"])]
        for row in rows:
            row["variant_id"] = content["id"]
        self.send_json(rows)


class VariantSenderHandler(_VariantBase):
    def post(self, variant_id: str) -> None:
        user = self.user()
        content = self.variant_content(user, variant_id, change=True)
        to = self.get_argument("email", "me")
        if to not in renders.AUDIENCES:
            raise errors.invalid_value("email must be one of %s." % ", ".join(renders.AUDIENCES))
        wanted = self.get_argument("rendering_id", "")
        good = self.db.last_good_rendering(content["guid"])
        rendering = self.db.rendering(wanted) if wanted.isdigit() and len(wanted) < 19 else good
        if rendering is None or rendering["content_guid"] != content["guid"] or rendering["status"] != "success":
            raise errors.not_found("A successful run %s of this content" % (wanted or ""))
        task = self.state.tasks.create(content["guid"], rendering["bundle_id"], user["guid"])
        line = self.state.renders.mail(content["guid"], rendering["id"], to)
        task.log(line)
        task.finish(0)
        output, finished, code, error = task.snapshot()
        self.send_json(models.task_json(task.id, output, finished, code, error))


class VariantSchedulesHandler(_VariantBase):
    def get(self, variant_id: str) -> None:
        content = self.variant_content(self.user(), variant_id)
        row = self.db.schedule_of(content["guid"])
        self.send_json([schedule_json(row, content)] if row else [])


def checked_schedule(body: dict[str, Any], old: ScheduleRow | None) -> tuple[schedule_rules.Rule, dict[str, Any]]:
    """The schedule a create or a replace asks for, checked; a bad one is refused and nothing is saved."""
    fields: dict[str, Any] = {name: body.get(name) for name in SCHEDULE_FIELDS}
    if fields["start_time"] is None:
        fields["start_time"] = old["start_time"] if old else now()
    if fields["timezone"] is None:
        fields["timezone"] = old["timezone"] if old else "UTC"
    for name in ("type", "schedule", "start_time", "timezone"):
        if not isinstance(fields[name], str):
            raise errors.invalid_value("%s must be a string." % name)
    for name in ("email", "activate"):
        if fields[name] is None:
            fields[name] = bool(old["email" if name == "email" else "activate"]) if old else name == "activate"
        if not isinstance(fields[name], bool):
            raise errors.invalid_value("%s must be true or false." % name)
    try:
        rule = schedule_rules.check(fields["type"], fields["schedule"], fields["start_time"], fields["timezone"])
    except schedule_rules.BadSchedule as e:
        raise errors.invalid_value(str(e)) from None
    fields["start_time"] = schedule_rules.rfc3339(rule.start)
    return rule, fields


class _ScheduleBase(_VariantBase):
    def save(self, content: ContentRow, body: dict[str, Any], old: ScheduleRow | None) -> None:
        self.renderable(content)
        rule, f = checked_schedule(body, old)
        following = schedule_rules.next_run(rule, datetime.now(timezone.utc))
        row = self.db.save_schedule(
            content["guid"],
            f["type"],
            f["schedule"],
            f["start_time"],
            f["timezone"],
            f["activate"],
            f["email"],
            schedule_rules.rfc3339(following),
        )
        self.send_json(schedule_json(row, content))

    def schedule_content(self, user: UserRow, schedule_id: str, change: bool = False) -> tuple[ScheduleRow, ContentRow]:
        row = self.db.schedule(schedule_id) if len(schedule_id) < 19 else None
        if row is None:
            raise errors.not_found("Schedule %s" % schedule_id)
        content = self.content_for(user, row["content_guid"], change=change)
        return row, content


class SchedulesHandler(_ScheduleBase):
    def get(self) -> None:
        user = self.user()
        shown = []
        for row in self.db.schedules():
            content = self.db.content(row["content_guid"])
            if content and auth.can_see(self.db, user, content):
                shown.append(schedule_json(row, content))
        self.send_json(shown)

    def post(self) -> None:
        user = self.user()
        body = self.json_object()
        variant = body.get("variant_id", body.get("app_id"))
        if isinstance(variant, bool) or not isinstance(variant, (int, str)) or not str(variant).isdigit():
            raise errors.invalid_value("variant_id must be the id of a variant (GET applications/{guid}/variants).")
        content = self.variant_content(user, str(variant), change=True)
        if body.get("app_id") not in (None, content["id"], str(content["id"])):
            raise errors.invalid_value("app_id %r is not the content of variant %s." % (body.get("app_id"), variant))
        self.save(content, body, self.db.schedule_of(content["guid"]))


class ScheduleHandler(_ScheduleBase):
    def get(self, schedule_id: str) -> None:
        row, content = self.schedule_content(self.user(), schedule_id)
        self.send_json(schedule_json(row, content))

    def post(self, schedule_id: str) -> None:
        row, content = self.schedule_content(self.user(), schedule_id, change=True)
        self.save(content, self.json_object(), row)

    def delete(self, schedule_id: str) -> None:
        row, _ = self.schedule_content(self.user(), schedule_id, change=True)
        self.db.delete_schedule(row["id"])
        self.send_no_content()


class GroupsHandler(BaseHandler):
    """This server has no groups: the empty page Connect answers (fixture v1_groups.json's shape)."""

    def get(self) -> None:
        self.user()
        self.send_json({"results": [], "current_page": 1, "total": 0})


class RenderingPageHandler(BaseHandler):
    """A kept run's HTML (a run that failed has none), as the content itself is shown."""

    async def get(self, guid: str, rendering_id: str) -> None:
        content = self.db.content(guid)
        run = self.db.rendering(rendering_id) if len(rendering_id) < 19 else None
        if content is None or run is None or run["content_guid"] != guid:
            raise tornado.web.HTTPError(404, "This content has no run %s." % rendering_id)
        require_view(self, content)
        path = os.path.join(self.state.layout.content_dir(guid), run["output"] or "")
        if not run["output"] or not os.path.isfile(path):
            raise tornado.web.HTTPError(404, "Run %s of this content has no output: it failed." % rendering_id)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        await send_file(self, path)
