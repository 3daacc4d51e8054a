"""Where a publish goes: the server (saved, given, or the one a file was deployed to), the user
behind the key, and the content to update or create; the checks that refuse a target early.

deploy.py runs the publish flow with these; the CLI and the handlers reach them through it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Union

from . import environment, rules
from .exceptions import (
    ConnectAPIError,
    ContentLocked,
    Fix,
    Hint,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PythonVersionMismatch,
)
from .manifest import describe_mode
from .options import ServerChoice, Target
from .store import DeploymentStore, Server, ServerStore, normalize_url

if TYPE_CHECKING:
    from .connect import ConnectClient, ContentItem, User

PUBLISHER_ROLES = ("administrator", "publisher")
DEPLOYER_APP_ROLES: tuple[str | None, ...] = ("owner", "editor")
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Log = Callable[[str], None]
StrPath = Union[str, "os.PathLike[str]"]


def client_for(server: Server) -> ConnectClient:
    """A ConnectClient for a saved or given `store.Server`."""
    from .connect import ConnectClient  # here, not at the top: requests takes ~0.1 s to import

    bearer = None
    if not server.api_key and server.oauth_client_id:  # signed in with OAuth: a fresh access token
        from .tokens import access_token

        bearer = access_token(server)
    return ConnectClient(server.url, server.api_key, insecure=server.insecure, ca_cert=server.ca_cert, bearer=bearer)


def client_of(server: Server | ConnectClient | ServerChoice) -> ConnectClient:
    from .connect import ConnectClient

    if isinstance(server, ConnectClient):
        return server
    return client_for(server if isinstance(server, Server) else choose_server(server))


def choose_server(choice: ServerChoice, deployed_path: StrPath | None = None) -> Server:
    """The server by the CLI's rules: named (-n, or -s URL), else the one `deployed_path` was
    deployed to, else the default or only saved server."""
    store = ServerStore()
    name = choice.name
    if not name and not choice.url and deployed_path is not None:
        saved = {normalize_url(s.url): s for s in store.list()}
        for record in DeploymentStore(deployed_path).all():
            match = saved.get(normalize_url((record.get("server_url") or "").split("#")[0]))
            if match:
                name = match.name
                break
    return store.resolve(
        name=name, url=choice.url, api_key=choice.api_key, insecure=choice.tls.insecure, ca_cert=choice.tls.ca_cert
    )


def with_server(target: Target, deployed_path: StrPath) -> Target:
    """The target with its server chosen (a saved or given server stays as it is)."""
    if isinstance(target.server, ServerChoice):
        return replace(target, server=choose_server(target.server, deployed_path))
    return target


# ---------------------------------------------------------------------------------------------
# Checks


def verify_server(server: Server | ConnectClient) -> User:
    """The user that owns the key, if the server is Connect and the user may publish."""
    client = client_of(server)
    client.server_settings()  # an HTML page here means "not Connect", said before the key is blamed
    user = client.me()
    who = user.get("username") or "this user"
    if user.get("locked"):
        raise PermissionDenied("The account %s is locked on %s: ask an administrator to unlock it." % (who, client.url))
    if user.get("confirmed") is False:
        raise PermissionDenied(
            "The account %s on %s is not confirmed yet: confirm it (or ask an administrator) "
            "before publishing." % (who, client.url)
        )
    if user.get("user_role") not in PUBLISHER_ROLES:
        raise PermissionDenied(
            "%s is a %s on %s and cannot publish: use the API key of a publisher or an administrator, "
            "or ask an administrator for the publisher role."
            % (who, user.get("user_role") or "user without a role", client.url)
        )
    return user


def check_python_version(
    client: ConnectClient, version: str, ignore: bool = False, log: Log | None = None, requires: str | None = None
) -> list[str]:
    """Refuse early when the server has no Python with the same MAJOR.MINOR as `version`; with
    `requires`, the content's constraint (.python-version, requires-python), when it has none that
    meets it: the server then runs the content with one that does."""
    available = client.python_versions()
    if requires:
        from .project_files import python_satisfies

        met = [python_satisfies(v, requires) for v in available]
        if any(met):
            return available
        if None not in met:  # a constraint that can be read, and none meets it
            if ignore:
                if log:
                    log(
                        "Warning: the server has no Python that meets %s (it has %s); deploying anyway."
                        % (requires, _join(available))
                    )
                return available
            raise PythonVersionMismatch(
                "The server has no Python that meets the content's constraint %s (it has %s)"
                % (requires, _join(available) or "none"),
                hint=Hint(Fix.MATCH_PYTHON, first="change requires-python or .python-version"),
            )
    wanted = environment.python_major_minor(version)
    if any(environment.python_major_minor(v) == wanted for v in available):
        return available
    if ignore:
        if log:
            log("Warning: the server has no Python %s (it has %s); deploying anyway." % (wanted, _join(available)))
        return available
    raise PythonVersionMismatch(
        "The server has no Python %s (it has %s)" % (wanted, _join(available) or "none"), hint=Hint(Fix.MATCH_PYTHON)
    )


def _join(versions: Sequence[str]) -> str:
    return ", ".join(versions) if versions else "no Python"


def validate_title(title: str | None) -> str:
    title = (title or "").strip()
    if not rules.is_title_length(title):
        raise InvalidInput(
            'The title "%s" must be %d to %d characters long' % (title, rules.TITLE_MIN_LENGTH, rules.TITLE_MAX_LENGTH),
            hint=Hint(Fix.CHOOSE_TITLE),
        )
    return title


def default_title(path: StrPath) -> str:
    """The file (or directory) name without its extension, made at least 3 characters long."""
    path = Path(path)
    stem = path.stem if path.is_file() or path.suffix else path.name
    stem = stem or "content"
    return stem if len(stem) >= 3 else (stem + "___")[:3]


def name_from_title(title: str) -> str:
    """A content name from a title: 3-64 letters, digits, `-` or `_`."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", title).strip("-_")[:64].rstrip("-_")
    if len(name) < 3:
        name = (name + "_content")[:64] if name else "content"
    return name


ENV_NAME = rules.ENV_NAME  # an environment variable's name: the dialogs check the same rule (rules.py)


def check_environment_name(name: str) -> str:
    """An environment variable's name as rules.py has it (the dialogs fetch the same rule)."""
    if not ENV_NAME.match(name):
        raise InvalidInput('"%s" is not an environment variable name' % name, hint=Hint(Fix.NAME_VARIABLE))
    return name


def environment_values(pairs: Iterable[str] | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`-E NAME=VALUE` or `-E NAME` (copies the local value) to a dict. Values are never printed."""
    environ = os.environ if environ is None else environ
    values = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        name = check_environment_name(name.strip())
        if not sep:
            if name not in environ:
                raise InvalidInput("-E %s copies a local environment variable, but %s is not set here." % (name, name))
            value = environ[name]
        values[name] = value
    return values


# ---------------------------------------------------------------------------------------------
# Finding the target


def find_content(server: Server | ConnectClient, title: str) -> list[ContentItem]:
    """Content this user may deploy to (owned, or as a collaborator) whose title is `title`."""
    client = client_of(server)
    user = client.me()
    return [
        c
        for c in client.content_list()
        if c.get("title") == title
        and (c.get("app_role") in DEPLOYER_APP_ROLES or c.get("owner_guid") == user.get("guid"))
    ]


def get_content(client: ConnectClient, app_id: str | int) -> ContentItem:
    """Content by numeric id or GUID (`--app-id`)."""
    app_id = str(app_id).strip()
    try:
        if GUID_RE.match(app_id):
            return client.content_get(app_id)
        if app_id.isdigit():
            return client.content_get_by_id(app_id)
    except NotFound:
        pass
    else:
        raise InvalidInput('"%s" is not a content id: give the numeric id or the GUID shown in Connect.' % app_id)
    raise InvalidInput(
        "There is no content %s on %s (or you cannot see it)" % (app_id, client.url),
        hint=Hint(Fix.CREATE_NEW_CONTENT, first="check the id"),
    )


def unique_name(client: ConnectClient, title: str, owner_guid: str | None) -> str:
    base = name_from_title(title)
    taken = {c.get("name") for c in client.content_list(owner_guid=owner_guid)}
    if base not in taken:
        return base
    for n in range(2, 10000):
        suffix = "-%d" % n
        name = base[: 64 - len(suffix)] + suffix
        if name not in taken:
            return name
    raise InvalidInput('Could not find a free content name for "%s": choose another title.' % title)


def create_content(client: ConnectClient, title: str, user: User, log: Log) -> ContentItem:
    name = unique_name(client, title, user.get("guid"))
    for attempt in range(5):
        try:
            content = client.content_create(name=name, title=title)
            log("Created content %s (%s)." % (name, content.get("guid")))
            return content
        except ConnectAPIError as e:
            from .connect import CODE_NAME_IN_USE

            if e.code != CODE_NAME_IN_USE or attempt == 4:
                raise
            name = "%s-%s" % (name_from_title(title)[:55], os.urandom(3).hex())
    raise AssertionError("unreachable: the last attempt returns or raises")


def check_unlocked(content: ContentItem, server_url: str) -> None:
    """Refuse locked content before anything is built or sent, with the reason its owner gave."""
    if not content.get("locked"):
        return
    reason = (content.get("locked_message") or "").strip().rstrip(".")
    raise ContentLocked(
        '"%s" on %s is locked, so it takes no new deploy: %s.'
        % (content.get("title") or content.get("guid"), server_url, reason or "ask its owner to unlock it")
    )


def check_can_deploy(content: ContentItem, user: User, app_mode: str, client: ConnectClient) -> None:
    """Refuse locked content, a content item this user may not change, or one of another type."""
    check_unlocked(content, client.url)
    if user.get("user_role") != "administrator" and content.get("app_role") not in DEPLOYER_APP_ROLES + (None,):
        raise PermissionDenied(
            'You are not the owner or a collaborator of "%s" on %s' % (content.get("title"), client.url),
            hint=Hint(Fix.PUBLISH_COPY, first="ask its owner to add you"),
        )
    current = content.get("app_mode") or "unknown"
    if current not in ("unknown", app_mode):
        raise InvalidInput(
            '"%s" on %s is %s, not %s, and Connect cannot change that'
            % (content.get("title"), client.url, describe_mode(current), describe_mode(app_mode)),
            hint=Hint(Fix.PUBLISH_NEW_CONTENT),
        )


def check_target(target: Target) -> Target:
    """New content, or an update of the content `app_id` names: never both (rsconnect-python's rule
    too). The CLI and the dialogs check it before any slow step; `find_target` again."""
    if target.new and target.app_id:
        raise InvalidInput(
            "New content and an update of content %s were both asked for" % target.app_id,
            hint=Hint(Fix.NEW_OR_UPDATE),
        )
    return target


def find_target(
    client: ConnectClient, target: Target, records: DeploymentStore, record_key: str, log: Log
) -> ContentItem | None:
    """The content to update: the given id, else the saved record, else (or when new) None: new content."""
    check_target(target)
    if target.new:
        return None
    if target.app_id:
        return get_content(client, target.app_id)
    record = records.get(record_key)
    if not record:
        return None
    guid = record.get("app_guid") or record.get("app_id")
    try:
        content = client.content_get(str(guid)) if GUID_RE.match(str(guid)) else get_content(client, str(guid))
        log("Updating %s, deployed from here before." % content.get("content_url", guid))
        return content
    except (NotFound, InvalidInput):
        log(
            "The content recorded for %s (%s) no longer exists; publishing new content."
            % (records.deployed_path.name, guid)
        )
        return None
