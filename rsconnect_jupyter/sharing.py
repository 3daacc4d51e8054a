"""Who may see published content, set while publishing: the access type, viewers and collaborators
(by username or e-mail address). Applied after the deploy succeeded, changing only what was asked
(a republish without these options leaves the sharing as it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .exceptions import InvalidInput, RSConnectError
from .options import ACCESS_TYPES, SharingOptions

if TYPE_CHECKING:
    from .connect import ConnectClient, User
    from .connect.sharing import Permission, Tag

__all__ = ["ACCESS_TYPES", "SharingFailed", "SharingOptions", "apply", "apply_after_deploy", "checked", "find_user"]

ACCESS_WORDS = {"all": "anyone, no login", "logged_in": "everyone who can log in", "acl": "the people on its list"}


class SharingFailed(RSConnectError):
    """The content is published, but its sharing could not be set as asked."""


def checked(sharing: SharingOptions) -> SharingOptions:
    """The sharing as asked, checked before anything is sent (the same for the CLI and the dialogs):
    a known access type; names, a vanity path and tags without surrounding blanks, empty ones left out."""
    if sharing.access is not None and sharing.access not in ACCESS_TYPES:
        raise InvalidInput(
            "The access type %r is not one Connect has: choose %s." % (sharing.access, ", ".join(ACCESS_TYPES))
        )

    def names(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))

    vanity = (sharing.vanity or "").strip()
    if vanity and not vanity.strip("/"):
        raise InvalidInput("The vanity path %r names no path: give one like /sales/q4/." % sharing.vanity)
    return SharingOptions(
        access=sharing.access or None,
        viewers=names(sharing.viewers),
        collaborators=names(sharing.collaborators),
        vanity=vanity or None,
        tags=names(sharing.tags),
    )


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


def vanity_path(path: str) -> str:
    """Connect's form of a vanity path: one leading and one trailing slash."""
    return "/" + path.strip().strip("/") + "/"


def find_tag(tags: list[Tag], name: str) -> Tag | None:
    """The tag `name` names: a plain name anywhere in the tree (when only one has it), or a path
    "Parent/Child" from the top."""
    if "/" in name:
        parent: str | None = None
        found: Tag | None = None
        for part in [p.strip() for p in name.split("/") if p.strip()]:
            found = next((t for t in tags if t.get("name") == part and (t.get("parent_id") or None) == parent), None)
            if found is None:
                return None
            parent = str(found["id"])
        return found
    named = [t for t in tags if t.get("name") == name]
    if len(named) > 1:
        raise SharingFailed("Several tags are called %s; name one by its path, PARENT/%s" % (name, name))
    return named[0] if named else None


def apply_tags(client: ConnectClient, guid: str, names: tuple[str, ...], log: Callable[[str], None]) -> None:
    tags = client.tags()
    has = {str(t.get("id")) for t in client.content_tags(guid)}
    for name in names:
        tag = find_tag(tags, name)
        if tag is None:  # a new top-level tag (Connect lets administrators create tags)
            tag = client.tag_create(name.strip("/"))
            tags.append(tag)
        if str(tag["id"]) not in has:
            client.content_tag_add(guid, str(tag["id"]))
            has.add(str(tag["id"]))
        log("Tagged %s." % name)


def apply(client: ConnectClient, guid: str, sharing: SharingOptions, log: Callable[[str], None]) -> None:
    """Set the access type, add (or change) viewers and collaborators, the vanity path and tags, as asked."""
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
    if sharing.vanity:
        path = vanity_path(sharing.vanity)
        client.vanity_set(guid, path)
        log("Also at %s%s." % (client.url.rstrip("/"), path))
    if sharing.tags:
        apply_tags(client, guid, sharing.tags, log)


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
