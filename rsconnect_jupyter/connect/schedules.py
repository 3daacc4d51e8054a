"""Variants, runs and schedules: Connect's unversioned `applications/{guid}/variants`,
`variants/{id}/render`, `variants/{id}/renderings`, `variants/{id}/schedules`, `schedules[/{id}]`
(the calls posit-sdk 0.17 makes; fixtures applications_*_variants.json, schedules_*.json)."""

from __future__ import annotations

from typing import Any, cast

from .session import Session
from .types import Task


class SchedulesAPI(Session):
    """A content item's default variant, its runs and its schedule."""

    def default_variant(self, guid: str) -> dict[str, Any] | None:
        variants = self.get("applications/%s/variants" % guid) or []
        return next((v for v in variants if v.get("is_default")), None)

    def variant_update(self, variant_id: int, **fields: bool) -> dict[str, Any]:
        return cast("dict[str, Any]", self.request("POST", "variants/%d" % variant_id, json=fields))

    def render(self, variant_id: int) -> Task:
        return cast(Task, self.request("POST", "variants/%d/render" % variant_id))

    def renderings(self, variant_id: int) -> list[dict[str, Any]]:
        return cast("list[dict[str, Any]]", self.get("variants/%d/renderings" % variant_id) or [])

    def schedule_of(self, variant_id: int) -> dict[str, Any] | None:
        found = self.get("variants/%d/schedules" % variant_id) or []
        return cast("dict[str, Any] | None", found[0] if found else None)

    def schedule_save(self, body: dict[str, Any], schedule_id: int | None = None) -> dict[str, Any]:
        """Create the variant's schedule, or replace schedule `schedule_id` whole (as Connect does)."""
        path = "schedules" if schedule_id is None else "schedules/%d" % schedule_id
        return cast("dict[str, Any]", self.request("POST", path, json=body))

    def schedule_delete(self, schedule_id: int) -> None:
        self.request("DELETE", "schedules/%d" % schedule_id)
