"""The cookies this server sets for browsers, read as the browser sent them: every copy of a name,
since a published page's script (content runs on this server's origin) can add copies of its own.
"""

from __future__ import annotations

import ipaddress
import secrets

import tornado.httputil
import tornado.web

KNOWN_BROWSER_DAYS = 90


def cookie_copies(request: tornado.httputil.HTTPServerRequest, name: str) -> list[str]:
    """Every value the request carries for the cookie `name`, in the order the browser sent them:
    copies for longer paths come first, so the server's own (path `/`) comes last."""
    values = []
    for header in request.headers.get_list("Cookie"):
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                values.append(value.strip().strip('"'))
    return values


def clear_stray_copies(handler: tornado.web.RequestHandler, name: str) -> None:
    """Tell the browser to drop copies of `name` that the server never set: those a published page's
    script planted for a path of this request (all such paths are prefixes of it) or for the host as
    a domain. The server's own copy (host only, path `/`) stays. `__Host-` names have no strays."""
    if name.startswith("__Host-") or getattr(handler, "_strays_cleared", False):
        return
    handler._strays_cleared = True  # type: ignore[attr-defined]
    path = handler.request.path
    paths = {path}
    for i, char in enumerate(path):
        if char == "/" and i > 0:
            paths.update((path[:i], path[: i + 1]))
    paths.discard("/")
    gone = "%s=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=%s"
    for stray in sorted(paths):
        handler.add_header("Set-Cookie", gone % (name, stray))
    host = (handler.request.host_name or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:  # a host name can also hold a domain cookie of this name, for path /
        handler.add_header("Set-Cookie", (gone % (name, "/")) + "; Domain=" + host)


def browser_id(handler: tornado.web.RequestHandler, name: str) -> str:
    """This browser's id for the sign-in form's token: its HttpOnly cookie, set (path `/`) on every
    page this server answers to a browser, so a published page's script finds it already there and
    cannot replace it (a browser keeps a script from overwriting an HttpOnly cookie)."""
    found = getattr(handler, "_browser_id", None)
    if found is not None:
        return str(found)
    copies = cookie_copies(handler.request, name)
    if len(copies) > 1:
        clear_stray_copies(handler, name)
    if copies and len(copies[-1]) >= 32:
        value = copies[-1]
    else:
        value = secrets.token_urlsafe(32)
    if not copies or copies[-1] != value or len(copies) > 1:
        handler.set_cookie(
            name,
            value,
            expires_days=KNOWN_BROWSER_DAYS,
            httponly=True,
            samesite="Lax",
            secure=handler.request.protocol == "https",
            path="/",
        )
    handler._browser_id = value  # type: ignore[attr-defined]
    return value
