"""Validate the JSON bodies the browser sends: each wrong or missing field is one clear sentence."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal, overload

from ..exceptions import InvalidField

__all__ = ["Fields", "InvalidField"]


_MISSING = object()


class Fields:
    """A JSON object's fields. With `known`, a field outside it is refused: never accepted and
    dropped, since the user would think it was applied."""

    def __init__(self, body: object, known: Collection[str] | None = None, what: str = "field") -> None:
        if not isinstance(body, dict):
            raise InvalidField("The request body must be a JSON object.")
        self.body: dict[str, Any] = body
        unknown = sorted(set(body) - set(known)) if known is not None else []
        if unknown:
            raise InvalidField("The %s %r is not one this server reads: leave it out." % (what, unknown[0]))

    def _get(self, name: str, required: bool, default: Any) -> Any:
        value = self.body.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise InvalidField("The field %r is missing." % name)
            return _MISSING if default is _MISSING else default
        return value

    @overload
    def string(
        self,
        name: str,
        required: Literal[True] = True,
        default: None = None,
        choices: Collection[str] | None = None,
        max_length: int = 4096,
    ) -> str: ...

    @overload
    def string(
        self,
        name: str,
        required: bool,
        default: str | None = None,
        choices: Collection[str] | None = None,
        max_length: int = 4096,
    ) -> str | None: ...

    def string(
        self,
        name: str,
        required: bool = True,
        default: str | None = None,
        choices: Collection[str] | None = None,
        max_length: int = 4096,
    ) -> str | None:
        value = self._get(name, required, default)
        if value is default and not required:
            return value
        if not isinstance(value, str):
            raise InvalidField("The field %r must be a string." % name)
        value = value.strip()
        if required and not value:
            raise InvalidField("The field %r must not be empty." % name)
        if len(value) > max_length:
            raise InvalidField("The field %r is too long." % name)
        if choices is not None and value not in choices:
            raise InvalidField("The field %r must be one of: %s." % (name, ", ".join(sorted(choices))))
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._get(name, False, default)
        if not isinstance(value, bool):
            raise InvalidField("The field %r must be true or false." % name)
        return value

    def string_list(self, name: str) -> list[str]:
        value = self._get(name, False, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidField("The field %r must be a list of strings." % name)
        return value

    def string_map(self, name: str) -> dict[str, str]:
        value = self._get(name, False, {})
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
        ):
            raise InvalidField("The field %r must map names to string values." % name)
        return value

    def object(self, name: str, required: bool = False) -> dict[str, Any] | None:
        value = self._get(name, required, None)
        if value is not None and not isinstance(value, dict):
            raise InvalidField("The field %r must be a JSON object." % name)
        return value
