"""Users: the caller (`v1/user`, `me`) and the user list."""

from __future__ import annotations

from .. import errors, models
from .base import BaseHandler


class UserHandler(BaseHandler):
    def get(self) -> None:
        self.send_json(models.user_json(self.user()))


class UsersHandler(BaseHandler):
    def get(self, guid: str | None = None) -> None:
        self.user()  # any user may list users, as on Connect
        if guid is not None:
            found = self.db.user(guid)
            if found is None:
                raise errors.not_found("User %s" % guid)
            return self.send_json(models.user_json(found))
        rows = self.db.users(prefix=self.get_argument("prefix", None))
        results = [models.user_json(r) for r in rows]
        self.send_json({"results": results, "current_page": 1, "total": len(results)})
