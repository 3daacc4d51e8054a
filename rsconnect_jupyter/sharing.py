"""Who may see published content, set while publishing: the access type, viewers and collaborators
(by username or e-mail address). Applied after the deploy succeeded, changing only what was asked
(a republish without these options leaves the sharing as it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .exceptions import RSConnectError
from .options import ACCESS_TYPES, SharingOptions

if TYPE_CHECKING:
    from .connect import ConnectClient, User
    from .connect.sharing import Permission

__all__ = ["ACCESS_TYPES", "SharingFailed", "SharingOptions", "apply", "apply_after_deploy", "find_user"]

ACCESS_WORDS = {"all": "anyone, no login", "logged_in": "everyone who can log in", "acl": "the people on its list"}


class SharingFailed(RSConnectError):
    """The content is published, but its sharing could not be set as asked."""


def find_user(client: ConnectClient, who: str) -> User:
    """The one user whose username or e-mail address is `who` (case-insensitive)."""
    wanted = who.strip().lower()

    def exact(prefix: str) -> list[User]:
        return [
            u
            for u in client.users_with_prefix(prefix)
            if wanted in ((u.get("username") or "").lower(), (u.get("email") or "").lower())
        ]

    matches = exact(who.strip())
    if not matches and "@" in wanted:  # the prefix filter may not search e-mail addresses: try the name part
        matches = exact(wanted.split("@")[0])
    if len(matches) != 1:
        problem = "no user is called" if not matches else "several users match"
        raise SharingFailed("%s %s on %s" % (problem.capitalize(), who, client.url))
    return matches[0]


def apply(client: ConnectClient, guid: str, sharing: SharingOptions, log: Callable[[str], None]) -> None:
    """Set the access type and add (or change) viewers and collaborators, as asked."""
    people = [(who, "viewer") for who in sharing.viewers] + [(who, "owner") for who in sharing.collaborators]
    users = [(find_user(client, who), who, role) for who, role in people]  # all found before any change
    if sharing.access:
        client.content_update(guid, access_type=sharing.access)
        log("Access: %s." % ACCESS_WORDS[sharing.access])
    current: dict[str, Permission] = {
        p["principal_guid"]: p for p in client.permissions(guid) if p.get("principal_type") == "user"
    }
    for user, who, role in users:
        word = "collaborator" if role == "owner" else "viewer"
        held = current.get(user["guid"])
        if held is None:
            current[user["guid"]] = client.permission_add(guid, user["guid"], role)
        elif held.get("role") != role:
            current[user["guid"]] = client.permission_update(guid, held, role)
        log("Shared with %s as a %s." % (who, word))


def apply_after_deploy(
    client: ConnectClient, guid: str, url: str | None, sharing: SharingOptions, log: Callable[[str], None]
) -> None:
    """`apply`, with any failure said as what it is: the content is published, its sharing is not set."""
    try:
        apply(client, guid, sharing, log)
    except RSConnectError as e:
        reason = (e.problem if isinstance(e, SharingFailed) else str(e)).rstrip(".")
        raise SharingFailed(
            "Published to %s, but its sharing was not set (%s): fix the sharing options and publish again, "
            "or share it in Connect's dashboard." % (url, reason)
        ) from e
