"""Users: the caller (`v1/user`, `me`) and the user list."""

from __future__ import annotations

from .. import errors, models
from .base import BaseHandler


class UserHandler(BaseHandler):
    def get(self) -> None:
        self.send_json(models.user_json(self.user()))


ROLES = ("administrator", "publisher", "viewer")
# account_status as Connect names it: locked, licensed (may sign in), inactive (no recent activity;
# never here: every user counts as active).
ACCOUNT_STATUSES = ("locked", "licensed", "inactive")
DEFAULT_PAGE_SIZE = 20  # Connect's default
MAX_PAGE_SIZE = 500  # and its largest page


class UsersHandler(BaseHandler):
    """`v1/users`: Connect's paged list (`results`, `current_page`, `total`), filtered by `prefix`
    (start of the username, name or e-mail, any case), `user_role` and `account_status` (one value or
    several joined by `|`), paged by `page_size` (1 to 500, default 20) and `page_number` (from 1)."""

    def get(self, guid: str | None = None) -> None:
        self.user()  # any user may list users, as on Connect
        if guid is not None:
            found = self.db.user(guid)
            if found is None:
                raise errors.not_found("User %s" % guid)
            return self.send_json(models.user_json(found))
        roles = self.choices("user_role", ROLES)
        statuses = self.choices("account_status", ACCOUNT_STATUSES)
        size = self.number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        number = self.number("page_number", 1, None)
        prefix = (self.get_argument("prefix", "") or "").lower()
        matching = []
        for row in self.db.users():
            user = models.user_json(row)
            if prefix and not any(
                str(user[k]).lower().startswith(prefix) for k in ("username", "first_name", "last_name", "email")
            ):
                continue
            if roles and user["user_role"] not in roles:
                continue
            status = "locked" if user["locked"] else "licensed"
            if statuses and status not in statuses:
                continue
            matching.append(user)
        page = matching[(number - 1) * size : number * size]
        self.send_json({"results": page, "current_page": number, "total": len(matching)})

    def choices(self, name: str, allowed: tuple[str, ...]) -> set[str]:
        """A query argument of one value or several joined by `|` (or repeated), checked."""
        values = {v.strip() for arg in self.get_arguments(name) for v in arg.split("|") if v.strip()}
        wrong = sorted(values - set(allowed))
        if wrong:
            raise errors.invalid_value("%s must be one of %s (join several with |)." % (name, ", ".join(allowed)))
        return values

    def number(self, name: str, default: int, most: int | None) -> int:
        """A whole-number query argument of at least 1 (and at most `most`)."""
        text = self.get_argument(name, None)
        if text is None or text == "":
            return default
        if not text.isdigit() or len(text) > 9 or int(text) < 1 or (most is not None and int(text) > most):
            raise errors.invalid_value(
                "%s must be a whole number from 1%s." % (name, " to %d" % most if most is not None else " up")
            )
        return int(text)
