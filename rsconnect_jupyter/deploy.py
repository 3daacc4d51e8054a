"""The publish flow, the one place that knows it (the CLI and the notebook handlers call it).

    check server and key -> (snapshot, Python check) -> build the bundle -> resolve the target
    -> set environment variables -> upload -> deploy -> follow the task -> save the record

Nothing changes on the server before the bundle is built and every check has passed, and the
deployment record is written only after the task succeeded, so a failure leaves state as it was.
"""
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import apps, environment
from . import bundle as bundles
from . import rules
from .exceptions import (
    ConnectAPIError,
    DeployFailed,
    Fix,
    Hint,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PythonVersionMismatch,
    RSConnectError,
)
from .manifest import describe_mode
from .progress import ProgressCallback
from .store import DeploymentStore

DEFAULT_TASK_TIMEOUT = 1800  # seconds; CONNECT_TASK_TIMEOUT overrides
POLL_WAIT = 5  # seconds of long poll per task request (Connect allows 0-20)
PUBLISHER_ROLES = ("administrator", "publisher")
DEPLOYER_APP_ROLES = ("owner", "editor")
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass
class Deployment:
    server_url: str
    content_guid: str
    content_id: str
    content_url: str
    dashboard_url: str
    title: str
    app_mode: str
    bundle_id: str = None
    task_id: str = None


def client_for(server):
    """A ConnectClient for a saved or given `store.Server`."""
    from .connect import ConnectClient  # here, not at the top: requests takes ~0.1 s to import

    return ConnectClient(server.url, server.api_key, insecure=server.insecure, ca_cert=server.ca_cert)


def _client(server):
    from .connect import ConnectClient

    return server if isinstance(server, ConnectClient) else client_for(server)


# ---------------------------------------------------------------------------------------------
# Checks


def verify_server(server):
    """The user that owns the key, if the server is Connect and the user may publish."""
    client = _client(server)
    client.server_settings()  # an HTML page here means "not Connect", said before the key is blamed
    user = client.me()
    who = user.get("username") or "this user"
    if user.get("locked"):
        raise PermissionDenied("The account %s is locked on %s: ask an administrator to unlock it." % (who, client.url))
    if user.get("confirmed") is False:
        raise PermissionDenied("The account %s on %s is not confirmed yet: confirm it (or ask an administrator) "
                               "before publishing." % (who, client.url))
    if user.get("user_role") not in PUBLISHER_ROLES:
        raise PermissionDenied("%s is a %s on %s and cannot publish: ask an administrator for the publisher role."
                               % (who, user.get("user_role") or "user without a role", client.url))
    return user


def check_python_version(client, version, ignore=False, log=None):
    """Refuse early when the server has no Python with the same MAJOR.MINOR as `version`."""
    available = client.python_versions()
    wanted = environment.python_major_minor(version)
    if any(environment.python_major_minor(v) == wanted for v in available):
        return available
    if ignore:
        if log:
            log("Warning: the server has no Python %s (it has %s); deploying anyway." % (wanted, _join(available)))
        return available
    raise PythonVersionMismatch("The server has no Python %s (it has %s)" % (wanted, _join(available) or "none"),
                                hint=Hint(Fix.MATCH_PYTHON))


def _join(versions):
    return ", ".join(versions) if versions else "no Python"


def validate_title(title):
    title = (title or "").strip()
    if not rules.is_title_length(title):
        raise InvalidInput('The title "%s" must be %d to %d characters long: choose another with -t/--title.'
                           % (title, rules.TITLE_MIN_LENGTH, rules.TITLE_MAX_LENGTH))
    return title


def default_title(path):
    """The file (or directory) name without its extension, made at least 3 characters long."""
    path = Path(path)
    stem = path.stem if path.is_file() or path.suffix else path.name
    stem = stem or "content"
    return stem if len(stem) >= 3 else (stem + "___")[:3]


def name_from_title(title):
    """A content name from a title: 3-64 letters, digits, `-` or `_`."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", title).strip("-_")[:64].rstrip("-_")
    if len(name) < 3:
        name = (name + "_content")[:64] if name else "content"
    return name


ENV_NAME = rules.ENV_NAME  # an environment variable's name: the dialogs check the same rule (rules.py)


def environment_values(pairs, environ=None):
    """`-E NAME=VALUE` or `-E NAME` (copies the local value) to a dict. Values are never printed."""
    environ = os.environ if environ is None else environ
    values = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not ENV_NAME.match(name):
            raise InvalidInput('"%s" is not an environment variable name: use -E NAME=VALUE or -E NAME.' % name)
        if not sep:
            if name not in environ:
                raise InvalidInput("-E %s copies a local environment variable, but %s is not set here." % (name, name))
            value = environ[name]
        values[name] = value
    return values


# ---------------------------------------------------------------------------------------------
# Finding the target


def find_content(server, title):
    """Content this user may deploy to (owned, or as a collaborator) whose title is `title`."""
    client = _client(server)
    user = client.me()
    return [c for c in client.content_list() if c.get("title") == title
            and (c.get("app_role") in DEPLOYER_APP_ROLES or c.get("owner_guid") == user.get("guid"))]


def get_content(client, app_id):
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
    raise InvalidInput("There is no content %s on %s (or you cannot see it)" % (app_id, client.url),
                       hint=Hint(Fix.CREATE_NEW_CONTENT, first="check the id"))


def unique_name(client, title, owner_guid):
    base = name_from_title(title)
    taken = {c.get("name") for c in client.content_list(owner_guid=owner_guid)}
    if base not in taken:
        return base
    for n in range(2, 10000):
        suffix = "-%d" % n
        name = base[:64 - len(suffix)] + suffix
        if name not in taken:
            return name
    raise InvalidInput("Could not find a free content name for \"%s\": choose another title." % title)


def create_content(client, title, user, log):
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


def check_can_deploy(content, user, app_mode, client):
    """Refuse a content item this user may not change, or one of another type."""
    if user.get("user_role") != "administrator" and content.get("app_role") not in DEPLOYER_APP_ROLES + (None,):
        raise PermissionDenied("You are not the owner or a collaborator of \"%s\" on %s"
                               % (content.get("title"), client.url),
                               hint=Hint(Fix.PUBLISH_COPY, first="ask its owner to add you"))
    current = content.get("app_mode") or "unknown"
    if current not in ("unknown", app_mode):
        raise InvalidInput("\"%s\" on %s is %s, not %s, and Connect cannot change that"
                           % (content.get("title"), client.url, describe_mode(current), describe_mode(app_mode)),
                           hint=Hint(Fix.PUBLISH_NEW_CONTENT))


# ---------------------------------------------------------------------------------------------
# Following the task


def task_timeout():
    value = os.environ.get("CONNECT_TASK_TIMEOUT")
    if not value:
        return DEFAULT_TASK_TIMEOUT
    try:
        timeout = float(value)
        if timeout <= 0:
            raise ValueError
        return timeout
    except ValueError:
        raise InvalidInput("CONNECT_TASK_TIMEOUT must be a positive number of seconds, not %r." % value) from None


def follow_task(client, task_id, log, timeout=None, dashboard_url=None):
    """Stream the task's log lines to `log` until it finishes; raise DeployFailed if it failed."""
    timeout = task_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    first, lines = 0, []
    while True:
        wait = max(0, min(POLL_WAIT, int(deadline - time.monotonic())))
        asked = time.monotonic()
        task = client.task(task_id, first=first, wait=wait)
        output = task.get("output") or []
        for line in output:
            lines.append(line)
            log("    " + line)
        if task.get("last") is not None:
            first = task["last"]
        else:
            first += len(task.get("output") or [])
        if task.get("finished"):
            if task.get("code"):
                reason = (task.get("error") or "the deploy task failed").strip().rstrip(".")
                raise DeployFailed("The deployment failed on the server (%s): see the log above%s." % (
                    reason, " and " + dashboard_url if dashboard_url else ""), log=lines)
            return task
        if time.monotonic() >= deadline:
            raise DeployFailed("The deployment did not finish within %g seconds; it may still finish on the server "
                               "(set CONNECT_TASK_TIMEOUT to wait longer)." % timeout, log=lines)
        # An early answer with new lines is the long poll working; an early empty one means the
        # server ignores `wait`, and must not be asked again in a tight loop.
        if not output and time.monotonic() - asked < 0.2:
            time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Publishing


def _silent(_message):
    pass


def publish(server, deployed_path, app_mode, build_bundle, *, title=None, environment_vars=None, new=False,
            app_id=None, python_version=None, ignore_python_version=False, log=print, fallback_title=None,
            progress: Optional[ProgressCallback] = None):
    """Publish whatever `build_bundle()` makes for `deployed_path` (the file its record is kept for).

    The shared core of every content type: `build_bundle` is called once every check has passed
    and returns a `bundle.Bundle`. New content is titled `title`, else `fallback_title`, else after
    `deployed_path`; an update changes the title only when `title` is given. `progress` hears of
    the upload's bytes (the builders given `build_bundle` report the build's to it too).
    """
    log = log or _silent
    deployed_path = Path(deployed_path)
    title = validate_title(title) if title else None
    timeout = task_timeout()  # a bad CONNECT_TASK_TIMEOUT fails before anything is sent
    client = _client(server)
    records = DeploymentStore(deployed_path)
    record_key = getattr(server, "url", client.url)

    log("Checking %s ..." % client.url)
    user = verify_server(client)
    if python_version:
        check_python_version(client, python_version, ignore_python_version, log)

    # The target: --app-id, else the saved record, else (or with --new) new content.
    content = None
    if app_id and not new:
        content = get_content(client, app_id)
    elif not new:
        record = records.get(record_key)
        if record:
            guid = record.get("app_guid") or record.get("app_id")
            try:
                content = client.content_get(guid) if GUID_RE.match(str(guid)) else get_content(client, guid)
                log("Updating %s, deployed from here before." % content.get("content_url", guid))
            except (NotFound, InvalidInput):
                log("The content recorded for %s (%s) no longer exists; publishing new content." % (
                    deployed_path.name, guid))
                content = None
    if content is not None:
        check_can_deploy(content, user, app_mode, client)

    log("Building the bundle: %s ..." % describe_mode(app_mode))
    with build_bundle() as bundle:
        log("Bundle: %s, %d bytes." % (_file_list(bundle.manifest["files"]), bundle.size))
        created = content is None
        if created:
            content = create_content(client, title or fallback_title or default_title(deployed_path), user, log)
        elif title and content.get("title") != title:
            content = client.content_update(content["guid"], title=title)
        guid = content["guid"]
        try:
            if environment_vars:
                log("Setting environment variables: %s." % ", ".join(sorted(environment_vars)))
                client.environment_patch(guid, environment_vars)
            log("Uploading the bundle ...")
            with bundle.open() as f:
                uploaded = client.bundle_upload(guid, f, progress=progress)
            bundle_id = str(uploaded["id"])
            log("Deploying bundle %s ..." % bundle_id)
            task_id = client.deploy(guid, bundle_id)
        except (RSConnectError, KeyboardInterrupt) as e:
            if created:  # quickly after Ctrl-C: the user wants to stop, not wait for a hung server
                _remove_empty_content(client, guid, log, timeout=3 if isinstance(e, KeyboardInterrupt) else 10)
            raise
    follow_task(client, task_id, log, timeout=timeout, dashboard_url=content.get("dashboard_url"))

    content = client.content_get(guid)
    deployment = Deployment(
        server_url=record_key, content_guid=guid, content_id=str(content.get("id")),
        content_url=content.get("content_url"), dashboard_url=content.get("dashboard_url"),
        title=content.get("title"), app_mode=app_mode, bundle_id=bundle_id, task_id=task_id)
    records.save(record_key, {
        "server_url": record_key,
        "filename": str(deployed_path.resolve()),
        "app_url": deployment.content_url,
        "app_id": deployment.content_id,
        "app_guid": guid,
        "title": deployment.title,
        "app_mode": app_mode,
    })
    return deployment


def _remove_empty_content(client, guid, log, timeout=10):
    """Best effort: content created by a publish that failed before any deploy would be left empty
    on the server (and take the name the next publish wants); a server that is gone keeps it."""
    try:
        client.request("DELETE", "v1/content/%s" % guid, timeout=timeout)
        log("Removed the new, empty content %s." % guid)
    except RSConnectError:
        pass


def _file_list(names, shown=12):
    names = sorted(names)
    if len(names) <= shown:
        return ", ".join(names)
    return "%d files (%s and %d more)" % (len(names), ", ".join(names[:shown]), len(names) - shown)


def check_notebook(notebook_path, extra_files=()):
    """Fail before any request on a missing or invalid notebook, or an extra file outside its folder."""
    path = Path(notebook_path)
    bundles.check_notebook_file(path)
    bundles.collect_files(path.parent, extra_files)


def publish_notebook(server, notebook_path, *, static, title=None, environment=None, new=False, app_id=None,
                     extra_files=(), python=None, snapshot=None, force_generate=False, hide_all_input=False,
                     hide_tagged_input=False, execute=False, ignore_python_version=False, log=print,
                     progress: Optional[ProgressCallback] = None):
    """Publish a notebook as an HTML snapshot (`static`) or with its source (jupyter-static).

    `environment` is a dict of variables to set; `snapshot` is an environment snapshot taken
    elsewhere (the notebook's kernel); without it one is taken with `python`.
    """
    log = log or _silent
    path = Path(notebook_path)
    check_notebook(path, extra_files)
    if static:
        return publish(server, path, "static",
                       lambda: bundles.html_snapshot_bundle(path, extra_files, hide_all_input, hide_tagged_input,
                                                            execute, progress=progress),
                       title=title, environment_vars=environment, new=new, app_id=app_id, log=log,
                       progress=progress)
    if snapshot is None:
        log("Reading the Python environment of %s ..." % (python or "this Python"))
        snapshot = environment_snapshot(python, path.parent, force_generate)
    log_snapshot(snapshot, log, "notebook")
    return publish(server, path, "jupyter-static",
                   lambda: bundles.notebook_source_bundle(path, snapshot, extra_files, hide_all_input,
                                                          hide_tagged_input, progress=progress),
                   title=title, environment_vars=environment, new=new, app_id=app_id,
                   python_version=snapshot["python"], ignore_python_version=ignore_python_version, log=log,
                   progress=progress)


def publish_html(server, html_path, *, title=None, environment=None, new=False, app_id=None, extra_files=(),
                 log=print, progress: Optional[ProgressCallback] = None):
    """Publish an existing HTML file (and the files it needs) as static content."""
    path = Path(html_path)
    bundles.collect_files(path.parent, extra_files)
    if not path.is_file():
        raise InvalidInput("The file %s does not exist." % html_path)
    return publish(server, path, "static", lambda: bundles.html_bundle(path, extra_files, progress=progress),
                   title=title, environment_vars=environment, new=new, app_id=app_id, log=log, progress=progress)


def log_snapshot(snapshot, log, what):
    """Say where the requirements come from, and warn about packages that cannot be listed."""
    source = "requirements.txt" if snapshot.get("source") == "file" else "the installed packages"
    log("Python %s; requirements from %s." % (snapshot["python"], source))
    left_out = [line[2:].split(":")[0] for line in snapshot["requirements"].splitlines()
                if snapshot.get("source") != "file" and line.startswith("# ") and ": left out" in line]
    if left_out:
        log("Warning: installed from local folders, so not listed for the server: %s (add them to a "
            "requirements.txt if the %s needs them)." % (", ".join(left_out), what))


def environment_snapshot(python, directory, force_generate=False):
    return environment.snapshot(python=python, directory=directory, force_generate=force_generate)


# ---------------------------------------------------------------------------------------------
# APIs and apps (a directory), and existing manifests


def app_deployed_path(directory):
    """The file a directory's deployment record is kept for: DIR/<DIR's name>.py, as rsconnect-python
    does, so the record is DIR/rsconnect-python/<DIR's name>.json and the title defaults to DIR's name."""
    directory = Path(os.path.abspath(str(directory)))
    return directory / (directory.name + ".py")


def check_app(directory, app_mode, entrypoint=None, extra_files=(), excludes=()):
    """Fail before any request on a missing directory, a bad entrypoint or extra file; returns the
    manifest's entrypoint (`module:object`, or the script's file name for Streamlit and Bokeh)."""
    directory = Path(directory)
    if not directory.exists():
        raise InvalidInput("The directory %s does not exist." % directory)
    if not directory.is_dir():
        raise InvalidInput("%s is not a directory: give the folder that holds the app." % directory)
    if app_mode not in apps.APP_TYPES.values():
        raise InvalidInput('"%s" is not an app mode for a directory: use one of %s.'
                           % (app_mode, ", ".join(sorted(set(apps.APP_TYPES.values())))))
    resolved = apps.resolve_entrypoint(directory, entrypoint, app_mode)
    rules = apps.Excludes(directory, excludes)
    module_path = apps.entrypoint_file(directory, resolved)
    relpath = Path(os.path.relpath(os.path.abspath(str(module_path)), os.path.abspath(str(directory)))).as_posix()
    if rules.user_excluded(relpath):
        raise InvalidInput("The entrypoint %s is excluded by -x/--exclude: change the pattern so that it is "
                           "bundled." % relpath)
    bundles.collect_files(directory, extra_files)
    return resolved


def app_files(directory, snapshot, extra_files=(), excludes=(), log=None):
    """The bundle's files for an app, warning (once) about `.env` files that would be published."""
    files = bundles.app_files(directory, snapshot, extra_files, excludes)
    secrets = apps.secret_files([f.arcname for f in files])
    if secrets and log:
        log("Warning: publishing %s, which may hold secrets: leave %s out with -x .env (or -x '**/.env'), "
            "and set secrets with -E NAME instead." % (", ".join(secrets), "it" if len(secrets) == 1 else "them"))
    return files


def publish_app(server, directory, app_mode, *, entrypoint=None, title=None, environment=None, new=False,
                app_id=None, extra_files=(), excludes=(), python=None, snapshot=None, force_generate=False,
                ignore_python_version=False, log=print, progress: Optional[ProgressCallback] = None):
    """Publish a Python API or app from its directory (python-api, -fastapi, -dash, -streamlit, -bokeh).

    The whole directory goes, minus apps.py's default excludes and the `excludes` globs; the
    entrypoint is `module[:object]` (default: apps.py's rules, object `app`). requirements.txt is
    the directory's own, else generated from `python` (or `snapshot`, taken elsewhere).
    """
    log = log or _silent
    directory = Path(os.path.abspath(str(directory)))
    resolved = check_app(directory, app_mode, entrypoint, extra_files, excludes)
    log("Entrypoint: %s" % resolved)
    if (directory / "manifest.json").is_file():
        log("Note: %s is not used (the bundle gets a fresh one); \"rsconnect deploy manifest\" publishes "
            "with it." % (directory / "manifest.json"))
    if snapshot is None:
        log("Reading the Python environment of %s ..." % (python or "this Python"))
        snapshot = environment_snapshot(python, directory, force_generate)
    log_snapshot(snapshot, log, "app")
    files = app_files(directory, snapshot, extra_files, excludes, log)
    return publish(server, app_deployed_path(directory), app_mode,
                   lambda: bundles.app_bundle(directory, app_mode, resolved, snapshot, files=files, progress=progress),
                   title=title, environment_vars=environment, new=new, app_id=app_id,
                   python_version=snapshot["python"], ignore_python_version=ignore_python_version, log=log,
                   progress=progress)


def manifest_title(manifest_path, manifest):
    """The title `deploy manifest` gives new content: the primary file's name without extension
    (metadata.entrypoint, primary_rmd or primary_html); when the entrypoint is a module
    (`app:app`, an API or app), the manifest folder's name, as for `deploy TYPE DIRECTORY`."""
    folder = Path(os.path.abspath(str(manifest_path))).parent
    meta = manifest.get("metadata") or {}
    for key in ("entrypoint", "primary_rmd", "primary_html"):
        name = meta.get(key)
        if isinstance(name, str) and name.strip():
            if (folder / name).is_file():
                return default_title(Path(name.rsplit("/", 1)[-1]))
            break
    return default_title(folder)


def check_manifest(manifest_path):
    """Fail before any request on a missing or invalid manifest, or a file it lists that is missing.

    Returns the manifest's path, the parsed manifest and its files.
    """
    path = bundles.find_manifest(manifest_path)
    manifest, _raw = bundles.read_manifest(path)
    return path, manifest, bundles.manifest_files(path, manifest)


def publish_manifest(server, manifest_path, *, title=None, environment=None, new=False, app_id=None,
                     ignore_python_version=False, log=print, progress: Optional[ProgressCallback] = None):
    """Publish exactly what a manifest.json lists, with its app mode, the manifest as it is."""
    log = log or _silent
    path, manifest, _files = check_manifest(manifest_path)
    app_mode = manifest["metadata"]["appmode"]
    python_version = (manifest.get("python") or {}).get("version") or None

    def build():
        bundle = bundles.manifest_bundle(path, progress=progress)
        changed = bundles.changed_files(bundle, manifest)
        if changed:
            shown = ", ".join(changed[:5]) + (" and %d more" % (len(changed) - 5) if len(changed) > 5 else "")
            log("Warning: %s changed since the manifest was written (its checksums differ); they are published "
                "as they are now: run \"rsconnect write-manifest\" with --overwrite to refresh it." % shown)
        return bundle

    return publish(server, path, app_mode, build, title=title, environment_vars=environment, new=new,
                   app_id=app_id, python_version=python_version, ignore_python_version=ignore_python_version,
                   log=log, fallback_title=manifest_title(path, manifest), progress=progress)
