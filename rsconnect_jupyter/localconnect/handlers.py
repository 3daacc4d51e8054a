"""HTTP handlers: read the request, check who may do it, call the store or the runner, answer JSON.

The contract is ../shared/connect-api/README.md: paths under /__api__/, `Authorization: Key ...`,
errors as `{"code", "error", "payload"}` with Connect's codes.
"""
import asyncio
import hashlib
import json
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import time
import uuid

import tornado.httpclient
import tornado.httputil
import tornado.iostream
import tornado.web
import tornado.websocket

from . import apps, auth, bundles, errors, models

log = logging.getLogger("localconnect")

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}\Z")
ACCESS_TYPES = ("acl", "logged_in", "all")
# API bodies are small JSON, read whole before any key is checked: keep them small. Bundle uploads
# and requests to apps are streamed, and their handlers raise the limit once they know the caller.
API_BODY_LIMIT = 1024 * 1024
APP_BODY_LIMIT = 2 ** 40  # streamed to the app, never held here
# Fields of a content item a client may send; other known fields are read-only and ignored.
CONTENT_FIELDS = ("name", "title", "description", "access_type")
READ_ONLY_FIELDS = set(models._UNMANAGED) | {
    "guid", "created_time", "last_deployed_time", "bundle_id", "app_mode", "content_category", "parameterized",
    "py_version", "py_environment_management", "run_as_current_user", "owner_guid", "content_url",
    "dashboard_url", "app_role", "id", "locked", "owner", "tags", "draft_marker_enabled",
    "metrics_collection_enabled", "notify_on_share", "otel_enabled", "public_content_status",
}


class BaseHandler(tornado.web.RequestHandler):
    @property
    def state(self):
        return self.application.settings["state"]

    @property
    def db(self):
        return self.state.db

    def server_url(self):
        """The URL clients reached us at (so links work through port forwards too)."""
        return "%s://%s/" % (self.request.protocol, self.request.host)

    def user(self):
        return auth.user_for_header(self.db, self.request.headers.get("Authorization"))

    def send_json(self, data, status=200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(data))

    def json_body(self):
        try:
            return json.loads(self.request.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deep
            raise errors.ConnectError(400, errors.BAD_JSON, "The request body is not valid JSON.")

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, errors.ConnectError):
            self.set_status(exc.status)
            body = exc.body()
        elif isinstance(exc, tornado.web.HTTPError):
            body = {"code": errors.NOT_FOUND if status_code == 404 else errors.INTERNAL,
                    "error": exc.log_message or self._reason, "payload": None}
        else:
            body = {"code": errors.INTERNAL, "error": "Internal server error", "payload": None}
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(body))

    def log_exception(self, typ, value, tb):
        if isinstance(value, errors.ConnectError):
            return  # an answer, not a failure
        super().log_exception(typ, value, tb)

    # -- lookups with permission checks ------------------------------------------------------
    def content_for(self, user, guid, change=False):
        content = self.db.content(guid)
        if content is None:
            raise errors.not_found("Content %s" % guid)
        if not auth.can_see(self.db, user, content):
            raise errors.forbidden("You don't have permission to access this content.")
        if change and not auth.can_change(self.db, user, content):
            raise errors.forbidden("You don't have permission to change this content: only its owner, "
                                   "collaborators and administrators may.")
        return content

    def content_out(self, user, content):
        owner = self.db.user(content["owner_guid"])
        return models.content_json(content, self.server_url(), auth.app_role(self.db, user, content), owner)


def check_content_fields(body, partial):
    if not isinstance(body, dict):
        raise errors.ConnectError(400, errors.BAD_JSON, "The request body must be a JSON object.")
    unknown = [k for k in body if k not in CONTENT_FIELDS and k not in READ_ONLY_FIELDS]
    if unknown:
        raise errors.ConnectError(400, errors.BAD_JSON, "Unknown field(s): %s." % ", ".join(sorted(unknown)))
    fields = {k: body[k] for k in CONTENT_FIELDS if k in body}
    if "name" in fields and (not isinstance(fields["name"], str) or not NAME_RE.match(fields["name"])):
        raise errors.ConnectError(400, errors.INVALID_NAME, "The content name must be 3 to 64 letters, digits, "
                                  "'-', '_' or '.'.")
    title = fields.get("title")
    if title is not None and (not isinstance(title, str) or not 3 <= len(title) <= 1024):
        raise errors.ConnectError(400, errors.INVALID_VALUE, "The title must be 3 to 1024 characters.")
    if "description" in fields:
        fields["description"] = fields["description"] or ""
        if not isinstance(fields["description"], str):
            raise errors.ConnectError(400, errors.INVALID_VALUE, "The description must be text.")
    if "access_type" in fields and fields["access_type"] not in ACCESS_TYPES:
        raise errors.ConnectError(400, errors.INVALID_VALUE, "access_type must be one of %s." % ", ".join(ACCESS_TYPES))
    return fields


# -- server information -----------------------------------------------------------------------
class ServerSettingsHandler(BaseHandler):
    def get(self):
        self.send_json(self.state.server_settings())


class PythonSettingsHandler(BaseHandler):
    def get(self):
        self.user()  # like Connect: only users see which Pythons the server has
        self.send_json({
            "installations": [{"version": i.version, "cluster_name": "", "image_name": ""}
                              for i in self.state.interpreters],
            "api_enabled": True,
        })


class UserHandler(BaseHandler):
    def get(self):
        self.send_json(models.user_json(self.user()))


class UsersHandler(BaseHandler):
    def get(self, guid=None):
        me = self.user()
        if guid is not None:
            found = self.db.user(guid)
            if found is None:
                raise errors.not_found("User %s" % guid)
            return self.send_json(models.user_json(found))
        rows = self.db.query("SELECT * FROM users ORDER BY id")
        prefix = self.get_argument("prefix", None)
        if prefix:
            rows = [r for r in rows if r["username"].startswith(prefix)]
        del me
        results = [models.user_json(r) for r in rows]
        self.send_json({"results": results, "current_page": 1, "total": len(results)})


# -- content ----------------------------------------------------------------------------------
class ContentListHandler(BaseHandler):
    def get(self):
        user = self.user()
        rows = self.db.content_list(name=self.get_argument("name", None),
                                    owner_guid=self.get_argument("owner_guid", None))
        self.send_json([self.content_out(user, c) for c in rows if auth.can_see(self.db, user, c)])

    def post(self):
        user = self.user()
        auth.require_publisher(user)
        fields = check_content_fields(self.json_body() or {}, partial=False)
        guid = str(uuid.uuid4())
        name = fields.get("name") or guid  # Connect names unnamed content by its GUID
        if self.db.content_list(name=name, owner_guid=user["guid"]):
            raise errors.ConnectError(409, errors.NAME_IN_USE, "You already have content named %r." % name)
        self.db.create_content(guid, name, fields.get("title"), fields.get("description", ""),
                               fields.get("access_type", "acl"), user["guid"])
        log.info("content %s created", guid)
        self.send_json(self.content_out(user, self.db.content(guid)))


class ContentHandler(BaseHandler):
    def get(self, guid):
        user = self.user()
        self.send_json(self.content_out(user, self.content_for(user, guid)))

    def patch(self, guid):
        user = self.user()
        content = self.content_for(user, guid, change=True)
        fields = check_content_fields(self.json_body() or {}, partial=True)
        if "name" in fields and fields["name"] != content["name"]:
            if self.db.content_list(name=fields["name"], owner_guid=content["owner_guid"]):
                raise errors.ConnectError(409, errors.NAME_IN_USE, "Content named %r already exists." % fields["name"])
        self.db.update_content(guid, **fields)
        self.send_json(self.content_out(user, self.db.content(guid)))

    def delete(self, guid):
        user = self.user()
        content = self.content_for(user, guid, change=True)
        if content["owner_guid"] != user["guid"] and user["user_role"] != "administrator":
            raise errors.forbidden("Only the owner or an administrator may delete content.")
        self.db.delete_content(guid)
        self.state.runner.apps.stop(guid)
        shutil.rmtree(self.state.layout.content_dir(guid), ignore_errors=True)
        self.set_status(204)
        self.finish()


class ApplicationHandler(BaseHandler):
    """Legacy `applications/{id}`: look content up by its numeric id (or GUID)."""

    def get(self, app_id):
        user = self.user()
        if app_id.isdigit():  # SQLite integers stop at 19 digits
            content = self.db.content_by_id(int(app_id)) if len(app_id) < 19 else None
        else:
            content = self.db.content(app_id)
        if content is None:
            raise errors.not_found("Application %s" % app_id)
        content = self.content_for(user, content["guid"])
        self.send_json(models.application_json(content, self.server_url()))


class PermissionsHandler(BaseHandler):
    """Collaborators: role "owner" makes a user a collaborator (app_role "editor")."""

    def get(self, guid, permission_id=None):
        user = self.user()
        self.content_for(user, guid)
        self.send_json([models.permission_json(r) for r in self.db.permissions(guid)])

    def post(self, guid, permission_id=None):
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = self.json_body()
        if not isinstance(body, dict) or body.get("role") not in ("owner", "viewer"):
            raise errors.ConnectError(400, errors.INVALID_VALUE, "Send {principal_guid, principal_type: \"user\", "
                                      "role: \"owner\" or \"viewer\"}.")
        principal_guid = body.get("principal_guid")
        principal = self.db.user(principal_guid) if isinstance(principal_guid, str) else None
        if principal is None or body.get("principal_type", "user") != "user":
            raise errors.not_found("User %s" % body.get("principal_guid"))
        if principal["guid"] == content["owner_guid"]:
            raise errors.ConnectError(400, errors.INVALID_VALUE, "The owner already has every permission.")
        if body["role"] == "owner" and principal["user_role"] == "viewer":
            raise errors.ConnectError(400, errors.INVALID_VALUE, "A viewer cannot be a collaborator.")
        self.send_json(models.permission_json(self.db.set_permission(guid, principal["guid"], body["role"])))

    def delete(self, guid, permission_id=None):
        user = self.user()
        self.content_for(user, guid, change=True)
        if not any(str(p["id"]) == str(permission_id) for p in self.db.permissions(guid)):
            raise errors.not_found("Permission %s" % permission_id)
        self.db.delete_permission(guid, permission_id)
        self.set_status(204)
        self.finish()


# -- bundles ------------------------------------------------------------------------------------
@tornado.web.stream_request_body
class BundlesHandler(BaseHandler):
    """GET lists the bundles; POST receives one, streamed to disk with its md5 and sha1."""

    def initialize(self):
        self.upload = None

    async def prepare(self):
        if self.request.method != "POST":
            return
        guid = self.path_kwargs.get("guid") or self.path_args[0]
        self.current = self.user()
        self.content = self.content_for(self.current, guid, change=True)
        # Only now, with the key and the right to change this content checked, may the body be large.
        self.request.connection.set_max_body_size(self.state.max_bundle_size + 16 * 1024 * 1024)
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.state.max_bundle_size:
            raise self.too_large()
        folder = self.state.layout.uploads_dir(guid)
        os.makedirs(folder, exist_ok=True)
        fd, path = tempfile.mkstemp(dir=folder, suffix=".tar.gz")
        self.upload = {"file": os.fdopen(fd, "wb"), "path": path, "size": 0, "over": False,
                       "md5": hashlib.md5(), "sha1": hashlib.sha1()}

    def too_large(self):
        return errors.ConnectError(413, errors.BUNDLE_TOO_LARGE, "The bundle is larger than this server's limit "
                                   "of %d bytes." % self.state.max_bundle_size)

    def data_received(self, chunk):
        up = self.upload
        if up is None or up["over"]:
            return
        up["size"] += len(chunk)
        if up["size"] > self.state.max_bundle_size:
            up["over"] = True  # keep reading (to answer 413) but stop writing
            up["file"].close()
            return
        up["file"].write(chunk)
        up["md5"].update(chunk)
        up["sha1"].update(chunk)

    def on_finish(self):
        self.discard_upload()

    def on_connection_close(self):
        self.discard_upload()

    def discard_upload(self):
        if self.upload is not None:
            self.upload["file"].close()
            if os.path.exists(self.upload["path"]):
                os.unlink(self.upload["path"])
            self.upload = None

    def get(self, guid):
        user = self.user()
        content = self.content_for(user, guid)
        self.send_json([models.bundle_json(b, content["bundle_id"], self.db.user(b["created_by"]))
                        for b in self.db.bundles(guid)])

    async def post(self, guid):
        up = self.upload
        up["file"].close()
        if up["over"]:
            raise self.too_large()
        if up["size"] == 0:
            raise bundles.BundleError("The request has no bundle: send the .tar.gz as the body.")
        limits = self.state.limits
        loop = asyncio.get_running_loop()
        manifest = await loop.run_in_executor(None, lambda: bundles.read_manifest(up["path"], **limits))
        bundle_id = self.db.add_bundle(guid, self.current["guid"], up["size"], up["md5"].hexdigest(),
                                       up["sha1"].hexdigest(), manifest["metadata"]["appmode"],
                                       bundles.python_version(manifest))
        archive = self.state.layout.bundle_archive(guid, bundle_id)
        os.makedirs(os.path.dirname(archive), exist_ok=True)
        os.rename(up["path"], archive)
        self.upload = None
        log.info("content %s: bundle %s received (%d bytes)", guid, bundle_id, up["size"])
        self.send_json(models.bundle_json(self.db.bundle(guid, bundle_id), self.content["bundle_id"], self.current))


class BundleHandler(BaseHandler):
    def get(self, guid, bundle_id):
        user = self.user()
        content = self.content_for(user, guid)
        bundle = self.db.bundle(guid, bundle_id)
        if bundle is None:
            raise errors.not_found("Bundle %s" % bundle_id)
        self.send_json(models.bundle_json(bundle, content["bundle_id"], self.db.user(bundle["created_by"])))

    def delete(self, guid, bundle_id):
        user = self.user()
        content = self.content_for(user, guid, change=True)
        if self.db.bundle(guid, bundle_id) is None:
            raise errors.not_found("Bundle %s" % bundle_id)
        if str(content["bundle_id"]) == str(bundle_id):
            raise errors.ConnectError(400, errors.INVALID_VALUE, "The active bundle cannot be deleted.")
        self.db.execute("DELETE FROM bundles WHERE id = ?", (bundle_id,))
        layout = self.state.layout
        for path in (layout.bundle_archive(guid, bundle_id), layout.bundle_dir(guid, bundle_id)):
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.exists(path):
                os.unlink(path)
        self.set_status(204)
        self.finish()


class BundleDownloadHandler(BaseHandler):
    async def get(self, guid, bundle_id):
        user = self.user()
        self.content_for(user, guid, change=True)
        if self.db.bundle(guid, bundle_id) is None:
            raise errors.not_found("Bundle %s" % bundle_id)
        self.set_header("Content-Type", "application/gzip")
        self.set_header("Content-Disposition", 'attachment; filename="bundle-%s.tar.gz"' % bundle_id)
        await send_file(self, self.state.layout.bundle_archive(guid, bundle_id))


async def send_file(handler, path):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(256 * 1024)
            if not chunk:
                break
            handler.write(chunk)
            await handler.flush()
    handler.finish()


# -- deploy and tasks ----------------------------------------------------------------------------
class DeployHandler(BaseHandler):
    def post(self, guid):
        user = self.user()
        content = self.content_for(user, guid, change=True)
        body = self.json_body() or {}
        if not isinstance(body, dict):
            raise errors.ConnectError(400, errors.BAD_JSON, "The request body must be a JSON object.")
        bundle_id = body.get("bundle_id")
        if bundle_id is not None and (isinstance(bundle_id, bool) or not isinstance(bundle_id, (str, int))
                                      or not str(bundle_id).isdigit()):
            raise errors.ConnectError(400, errors.INVALID_VALUE, "bundle_id must be the id of one of this "
                                      "content's bundles.")
        if bundle_id is None:
            rows = self.db.bundles(guid)
            if not rows:
                raise errors.ConnectError(400, errors.INVALID_VALUE, "This content has no bundle to deploy.")
            bundle = rows[-1]
        else:
            bundle = self.db.bundle(guid, str(bundle_id))
            if bundle is None:
                raise errors.not_found("Bundle %s" % bundle_id)
        if content["app_mode"] not in ("unknown", bundle["app_mode"]):
            raise errors.ConnectError(403, errors.APP_MODE_CHANGE, "Cannot change the app mode of content from %s "
                                      "to %s after its first deploy." % (content["app_mode"], bundle["app_mode"]))
        task = self.state.runner.deploy(content, bundle, user, activate=body.get("activate", True) is not False)
        log.info("content %s: deploying bundle %s (task %s)", guid, bundle["id"], task.id)
        self.send_json({"task_id": task.id}, status=202)


class TaskHandler(BaseHandler):
    async def get(self, task_id):
        user = self.user()
        state = self.state.tasks.state(task_id)
        if state is None:
            raise errors.not_found("Task %s" % task_id)
        content = self.db.content(state[0])
        if user["user_role"] != "administrator" and (content is None or not auth.can_see(self.db, user, content)):
            raise errors.not_found("Task %s" % task_id)
        try:
            first = max(0, int(self.get_argument("first", "0")))
            wait = min(20.0, max(0.0, float(self.get_argument("wait", "0"))))
        except ValueError:
            raise errors.ConnectError(400, errors.INVALID_VALUE, "first and wait must be numbers.")
        # Long poll: answer as soon as there are lines past `first` or the task finished.
        deadline = time.monotonic() + wait
        while True:
            _, output, finished, code, error = self.state.tasks.state(task_id)
            if finished or len(output) > first or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        self.send_json(models.task_json(task_id, output, finished, code, error, first=min(first, len(output))))


# -- environment variables ------------------------------------------------------------------------
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


class EnvironmentHandler(BaseHandler):
    def get(self, guid):
        user = self.user()
        self.content_for(user, guid, change=True)
        self.send_json(self.db.env_names(guid))

    def changes(self):
        body = self.json_body()
        if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
            raise errors.ConnectError(400, errors.BAD_JSON, 'Send a list of {"name": ..., "value": ...}.')
        changes = {}
        for entry in body:
            name, value = entry.get("name"), entry.get("value")
            if not isinstance(name, str) or not ENV_NAME_RE.match(name):
                raise errors.ConnectError(400, errors.INVALID_VALUE, "Invalid environment variable name %r." % name)
            if value is not None and not isinstance(value, str):
                raise errors.ConnectError(400, errors.INVALID_VALUE, "The value of %s must be a string or null." % name)
            if value is not None and "\x00" in value:  # no process can receive it
                raise errors.ConnectError(400, errors.INVALID_VALUE, "The value of %s contains a NUL character; "
                                          "remove it." % name)
            changes[name] = value
        return changes

    def patch(self, guid):
        user = self.user()
        self.content_for(user, guid, change=True)
        self.db.env_update(guid, self.changes())
        self.send_json(self.db.env_names(guid))

    def put(self, guid):
        user = self.user()
        self.content_for(user, guid, change=True)
        self.db.env_update(guid, self.changes(), replace=True)
        self.send_json(self.db.env_names(guid))


# -- serving content ---------------------------------------------------------------------------
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "proxy-connection"}
WS_HEADERS = {"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol",
              "sec-websocket-accept", "host", "origin", "content-length"}
_client = None


def proxy_client():
    """One HTTP client for all proxied requests (created on the IOLoop's thread)."""
    global _client
    if _client is None:
        _client = tornado.httpclient.AsyncHTTPClient(force_instance=True, max_clients=200,
                                                     defaults={"max_body_size": 2 ** 40})
    return _client


@tornado.web.stream_request_body
class ContentFilesHandler(tornado.websocket.WebSocketHandler, BaseHandler):
    """/content/{guid}/ and any path under it (open to anyone who can reach the server, which listens
    on 127.0.0.1 by default): the live bundle's files, or, for APIs and apps, a proxy to the app's
    process: HTTP (any method; bodies streamed both ways) and WebSocket."""

    app = None
    upstream = None

    async def prepare(self):
        guid = self.path_kwargs["guid"]
        content = self.db.content(guid)
        if content is None or not content["bundle_id"]:
            raise tornado.web.HTTPError(404, "This content has nothing deployed yet.")
        self.content = content
        if content["app_mode"] in apps.APP_MODES:
            self.app = self.state.runner.apps.get(guid)
            if self.app is None:  # not started since the server started: start it now
                try:
                    self.app = await asyncio.get_running_loop().run_in_executor(
                        None, self.state.runner.start_live_app, guid)
                except Exception:
                    raise tornado.web.HTTPError(502, "The app could not start; deploy it again to see why.")
                if self.app is None:
                    raise tornado.web.HTTPError(404, "This content has nothing deployed yet.")
            self.app.inflight += 1
            self.request.connection.set_max_body_size(APP_BODY_LIMIT)
            if self.request.method != "GET" or not self.is_websocket():
                self._body = BodyPipe()
                self._fetch = asyncio.ensure_future(self.proxy_http())
        elif self.request.method not in ("GET", "HEAD"):
            raise tornado.web.HTTPError(405)

    def is_websocket(self):
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    def data_received(self, chunk):
        if self.app is not None:
            self._body.put(chunk)

    def upstream_uri(self, scheme="http"):
        uri = self.request.uri
        if self.app.strip_prefix:
            uri = uri[len("/content/") + 36:] or "/"
        return "%s://127.0.0.1:%d%s" % (scheme, self.app.port, uri)

    def upstream_headers(self, drop):
        headers = tornado.httputil.HTTPHeaders()
        for name, value in self.request.headers.get_all():
            if name.lower() not in drop:
                headers.add(name, value)
        for token in self.request.headers.get("Connection", "").split(","):
            headers.pop(token.strip(), None)
        remote = self.request.remote_ip or ""
        headers["X-Forwarded-For"] = ", ".join(filter(None, [self.request.headers.get("X-Forwarded-For"), remote]))
        headers["X-Forwarded-Host"] = self.request.host
        headers["X-Forwarded-Proto"] = self.request.protocol
        headers["X-Forwarded-Prefix"] = "/content/%s" % self.app.guid
        headers["RStudio-Connect-App-Base-URL"] = "%s://%s/content/%s" % (self.request.protocol, self.request.host,
                                                                          self.app.guid)
        if self.app.mode in ("python-streamlit", "python-bokeh"):
            headers["Host"] = "127.0.0.1:%d" % self.app.port  # they check origins against their own address
        return headers

    # -- HTTP ----------------------------------------------------------------------------------
    async def get(self, guid, path):
        if self.app is None:
            return await self.send_static(guid, path)
        if self.is_websocket():
            return await self.open_websocket()
        self._body.end()
        await self._fetch

    async def head(self, guid, path):
        if self.app is None:
            return await self.send_static(guid, path)
        self._body.end()
        await self._fetch

    async def post(self, guid, path):
        self._body.end()
        await self._fetch

    put = patch = delete = options = post

    async def proxy_http(self):
        self._started = False
        self._status = None

        def on_header(line):
            if line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                self._status = (int(parts[1]), parts[2].strip() if len(parts) > 2 else None)
                self._headers_in = tornado.httputil.HTTPHeaders()
            elif line.strip():
                self._headers_in.parse_line(line)
            elif self._status and self._status[0] != 100:
                self._start_response()

        def on_chunk(chunk):
            if self._finished or self.request.connection.stream.closed():
                raise tornado.iostream.StreamClosedError()  # the client left: stop reading the app
            if not self._started:
                self._start_response()
            self.write(chunk)
            self.flush()

        method = self.request.method
        body_expected = method in ("POST", "PUT", "PATCH") or "Content-Length" in self.request.headers \
            or "Transfer-Encoding" in self.request.headers
        request = tornado.httpclient.HTTPRequest(
            self.upstream_uri(), method=method, headers=self.upstream_headers(HOP_BY_HOP | {"host"}),
            body_producer=self._body.produce if body_expected else None,
            follow_redirects=False, decompress_response=False, allow_nonstandard_methods=True,
            connect_timeout=20, request_timeout=3600, header_callback=on_header, streaming_callback=on_chunk)
        if self.app.mode not in ("python-streamlit", "python-bokeh"):
            request.headers["Host"] = self.request.host
        response = await proxy_client().fetch(request, raise_error=False)
        if self._finished or self.request.connection.stream.closed():
            return
        if response.code == 599 and not self._started:
            self.set_status(502)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("The app did not answer: %s" % (response.error,))
            return
        if not self._started:
            self._start_response()
        self.finish()

    def _start_response(self):
        if self._started:
            return
        self._started = True
        code, reason = self._status or (502, None)
        self.clear()
        for name in ("Content-Type", "Server", "Date"):
            self.clear_header(name)
        self.set_status(code, reason)
        for name, value in self._headers_in.get_all():
            if name.lower() not in HOP_BY_HOP:
                self.add_header(name, value)

    def on_finish(self):
        self._release()

    def on_connection_close(self):
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        super().on_connection_close()
        self._release()

    def _release(self):
        if self.app is not None and not getattr(self, "_released", False):
            self._released = True
            self.app.inflight -= 1

    # -- WebSocket -------------------------------------------------------------------------------
    async def open_websocket(self):
        protocols = [p.strip() for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        headers = self.upstream_headers(HOP_BY_HOP | WS_HEADERS)
        headers["Origin"] = "http://127.0.0.1:%d" % self.app.port
        request = tornado.httpclient.HTTPRequest(self.upstream_uri("ws"), headers=headers, connect_timeout=20,
                                                 request_timeout=3600)
        try:
            self.upstream = await tornado.websocket.websocket_connect(
                request, subprotocols=protocols or None, max_message_size=2 ** 30)
        except Exception as e:
            self._release()
            self.set_status(502)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("The app refused the WebSocket: %s" % e)
            return
        await tornado.websocket.WebSocketHandler.get(self)

    def select_subprotocol(self, subprotocols):
        return self.upstream.selected_subprotocol if self.upstream is not None else None

    def check_origin(self, origin):
        return True  # the app checks the origin of the page itself (it sees its own address)

    def get_compression_options(self):
        return None

    async def open(self, *args, **kwargs):
        asyncio.ensure_future(self._pump())

    async def _pump(self):
        upstream = self.upstream
        while upstream is not None:
            msg = await upstream.read_message()
            if msg is None:
                self.close(upstream.close_code, upstream.close_reason)
                return
            try:
                await self.write_message(msg, binary=isinstance(msg, bytes))
            except tornado.websocket.WebSocketClosedError:
                upstream.close()
                return

    async def on_message(self, message):
        if self.upstream is not None:
            await self.upstream.write_message(message, binary=isinstance(message, bytes))

    def on_close(self):
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        self._release()

    # -- static ----------------------------------------------------------------------------------
    async def send_static(self, guid, path):
        content = self.content
        bundle = self.db.bundle(guid, content["bundle_id"])
        folder = self.state.layout.bundle_dir(guid, content["bundle_id"])
        target = bundles.safe_join(folder, path or bundle["primary_file"] or "")
        if target and os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not target or not os.path.isfile(target):
            raise tornado.web.HTTPError(404, "No such file in this content.")
        ctype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self.set_header("Content-Type", ctype)
        if self.request.method == "HEAD":
            self.set_header("Content-Length", os.path.getsize(target))
            return self.finish()
        await send_file(self, target)

    def compute_etag(self):
        return None if self.app is not None else super().compute_etag()

    def send_error(self, status_code=500, **kwargs):
        if self.ws_connection is not None or getattr(self, "_started", False):  # mid-answer: cut it
            if self.request.connection and self.request.connection.stream:
                self.request.connection.stream.close()
            return
        tornado.web.RequestHandler.send_error(self, status_code, **kwargs)

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        self.finish(getattr(exc, "log_message", None) or self._reason)


class BodyPipe:
    """The request body as it arrives, handed to the HTTP client's body_producer."""

    def __init__(self):
        self.chunks = asyncio.Queue()
        self.done = False

    def put(self, chunk):
        self.chunks.put_nowait(chunk)

    def end(self):
        self.chunks.put_nowait(None)

    async def produce(self, write):
        while True:
            chunk = await self.chunks.get()
            if chunk is None:
                return
            await write(chunk)


class ContentRedirectHandler(BaseHandler):
    def get(self, guid):
        self.redirect("/content/%s/" % guid, permanent=False)


DASHBOARD_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>rsconnect-jupyter local server</title>
<style>body{font-family:sans-serif;margin:0} header{padding:.6em 1em;background:#447099;color:#fff}
iframe{border:0;width:100%;height:calc(100vh - 3em)}</style></head>
<body><header>rsconnect-jupyter local server <span id="what"></span></header>
<iframe id="view" hidden></iframe>
<p id="help" style="margin:1em">This is a Connect-compatible server for one machine. Published content is at
<code>/content/GUID/</code>; the API is under <code>/__api__/</code>.</p>
<script>
var m = /#\\/apps\\/([0-9a-f-]+)/.exec(location.hash);
if (m) {
  var url = "../content/" + m[1] + "/";
  document.getElementById("what").innerHTML = '&middot; <a style="color:#fff" href="' + url + '">' + url + '</a>';
  var v = document.getElementById("view"); v.src = url; v.hidden = false;
  document.getElementById("help").hidden = true;
}
</script></body></html>
"""


class DashboardHandler(BaseHandler):
    def get(self):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(DASHBOARD_PAGE)


class RootHandler(BaseHandler):
    def get(self):
        self.redirect("/connect/")


class ApiNotFoundHandler(BaseHandler):
    def prepare(self):
        raise errors.ConnectError(404, errors.NOT_FOUND, "No such API endpoint: %s %s."
                                  % (self.request.method, self.request.path))
