"""ConnectClient against Connect's recorded responses, over real HTTP on 127.0.0.1."""

import hashlib
import io
import json
import os
import tarfile

import pytest

from rsconnect_jupyter.connect import ConnectClient, api_url
from rsconnect_jupyter.exceptions import (
    AuthenticationError,
    ConnectAPIError,
    NotAConnectServer,
    NotFound,
    PermissionDenied,
    ServerUnreachable,
)
from tests.core.fixture_server import FIXTURES, PUB_GUID, SDK_GUID, FixtureServer


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def test_every_fixture_file_is_exercised_by_the_routes():
    from tests.core.fixture_server import ROUTES, USERS

    used = {f for _, _, f in ROUTES} | set(USERS.values())
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.json")}
    assert on_disk - used == set()


def test_api_url_keeps_the_sub_path():
    assert api_url("https://h/rsc", "v1/user") == "https://h/rsc/__api__/v1/user"
    assert api_url("https://h/rsc/", "/v1/user") == "https://h/rsc/__api__/v1/user"
    assert api_url("https://h", "server_settings") == "https://h/__api__/server_settings"


def test_server_information(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    assert client.server_settings() == fixture("publisher/server-settings.json")
    assert client.python_versions() == ["3.11.6", "3.10.12"]
    assert client.quarto_versions() == ["1.4.550"]  # a Connect with Quarto: deploy quarto goes on
    assert client.me()["username"] == "bob"
    for name in ("r", "quarto", "nodejs"):
        assert client.get("v1/server_settings/" + name)["installations"]
    assert client.get("server_settings/applications")["access_types"] == ["acl", "logged_in", "all"]
    first = fixture_server.requests[0]
    assert first["path"] == "/rsc/__api__/server_settings"
    assert first["headers"]["Authorization"] == "Key good"


@pytest.mark.parametrize("key", ["good", "viewer", "locked", "unconfirmed", "sdk"])
def test_every_user_fixture_parses(fixture_server, key):
    user = ConnectClient(fixture_server.url, key).me()
    assert user["guid"] and user["user_role"] in ("publisher", "viewer")


def test_content_endpoints(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    items = client.content_list(name="x", owner_guid="y")
    assert [c["id"] for c in items] == ["583", "8274", "8462"]
    assert "name=x" in fixture_server.requests[-1]["path"] and "owner_guid=y" in fixture_server.requests[-1]["path"]
    assert client.content_get(SDK_GUID)["app_mode"] == "quarto-static"
    created = client.content_create(name="my-fastapi-app", title="My FastAPI App")
    assert created["guid"] == PUB_GUID and created["bundle_id"] is None
    assert json.loads(fixture_server.requests[-1]["body"]) == {"name": "my-fastapi-app", "title": "My FastAPI App"}
    assert client.content_update(PUB_GUID, title="New")["description"] == "A sample FastAPI application"
    assert client.content_delete(PUB_GUID) is None
    # Numeric id: no legacy endpoint here, so the list is searched.
    assert client.content_get_by_id("8274")["guid"] == SDK_GUID
    with pytest.raises(NotFound):
        client.content_get_by_id("999999")


def test_bundles_deploy_and_tasks(fixture_server, tmp_path):
    client = ConnectClient(fixture_server.url, "good")
    bundles = client.bundle_list(SDK_GUID)
    assert bundles[0]["metadata"]["archive_md5"] == "37324238a80595c453c706b22adb83d3"
    assert client.bundle_get(SDK_GUID, "101")["id"] == "101"
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(os.urandom(300_000))
    updates = []
    with archive.open("rb") as f:
        uploaded = client.bundle_upload(PUB_GUID, f, progress=updates.append)
    assert uploaded["id"] == "201"
    request = fixture_server.requests[-1]
    assert request["body"] == archive.read_bytes()
    assert request["headers"]["Content-Length"] == str(archive.stat().st_size)  # streamed, still sized
    # Progress as requests read the file: from 0 to the size, a few dozen updates at most (one a percent).
    done = [u.done for u in updates]
    assert {u.phase for u in updates} == {"upload"} and {u.total for u in updates} == {300_000}
    assert done[0] == 0 and done[-1] == 300_000 and done == sorted(done) and 3 <= len(done) <= 102
    assert client.deploy(PUB_GUID, 201) == "task-abc123-def456"
    assert json.loads(fixture_server.requests[-1]["body"]) == {"bundle_id": "201"}
    task = client.task("task-abc123-def456", first=0, wait=1)
    assert task["finished"] and task["code"] == 0 and task["last"] == 4
    # The cookie the deploy set goes back with the task poll (sticky sessions).
    assert "sticky=node-7" in fixture_server.requests[-1]["headers"].get("Cookie", "")
    assert "first=0" in fixture_server.requests[-1]["path"] and "wait=1" in fixture_server.requests[-1]["path"]
    failed = client.task("jXhOhdm5OOSkGhJw")
    assert failed["code"] == 1 and failed["error"].startswith("Unable to render")
    assert client.task("task-failed")["error"] == "Error code: python-package-install-failed"


def test_upload_of_an_unsized_stream_is_chunked(fixture_server):
    client = ConnectClient(fixture_server.url, "good")

    def chunks():
        yield b"a" * 1000
        yield b"b" * 1000

    client.bundle_upload(PUB_GUID, chunks())
    request = fixture_server.requests[-1]
    assert request["headers"].get("Transfer-Encoding") == "chunked"
    assert request["body"] == b"a" * 1000 + b"b" * 1000


def test_environment_variables(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    assert client.environment_get(PUB_GUID) == ["DATABASE_URL", "SECRET_KEY", "API_TOKEN"]
    assert client.environment_patch(PUB_GUID, {"A": "1", "B": None}) == ["DATABASE_URL", "SECRET_KEY", "API_TOKEN"]
    assert json.loads(fixture_server.requests[-1]["body"]) == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": None},
    ]


def test_errors_are_typed(fixture_server):
    with pytest.raises(AuthenticationError) as bad_key:
        ConnectClient(fixture_server.url, "wrong").me()
    assert bad_key.value.code == 30 and bad_key.value.status == 401
    assert "wrong" not in str(bad_key.value)  # never the key
    client = ConnectClient(fixture_server.url, "good")
    with pytest.raises(PermissionDenied) as denied:
        client.get("v1/content/x/forbidden")
    assert denied.value.code == 22
    with pytest.raises(NotFound) as missing:
        client.content_get("00000000-0000-0000-0000-000000000000")
    assert missing.value.code == 4
    with pytest.raises(ConnectAPIError) as boom:
        client.get("boom")
    assert boom.value.status == 500 and boom.value.code == 0 and boom.value.payload is None
    assert "Internal server error" in str(boom.value)


def test_a_url_without_connect_is_named_clearly(fixture_server):
    wrong_path = ConnectClient(fixture_server.url.replace("/rsc/", "/other/"), "good")
    with pytest.raises(NotAConnectServer) as e:
        wrong_path.server_settings()
    assert "does not look like a Connect server" in str(e.value)
    html = FixtureServer(html=True)
    try:
        with pytest.raises(NotAConnectServer) as e:
            ConnectClient(html.url, "good").me()
        assert "HTML page" in str(e.value)
    finally:
        html.close()


def test_unreachable_server():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServerUnreachable) as e:
        ConnectClient("http://127.0.0.1:%d/" % port, "good").me()
    assert "Connection refused" in str(e.value)


def test_proxy_from_the_environment_and_no_proxy(fixture_server, monkeypatch):
    proxy = FixtureServer(prefix="/rsc/")
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("/rsc/", ""))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        target = "http://connect.invalid/rsc/"
        assert ConnectClient(target, "good").me()["username"] == "bob"
        assert proxy.requests[-1]["path"] == "/rsc/__api__/v1/user"
        # NO_PROXY sends the request straight to the server.
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        before = len(proxy.requests)
        assert ConnectClient(fixture_server.url, "good").me()["username"] == "bob"
        assert len(proxy.requests) == before
    finally:
        proxy.close()


def test_tls_verification(tls_cert):
    server = FixtureServer(prefix="/", certfile=str(tls_cert["pem"]))
    try:
        with pytest.raises(ServerUnreachable) as e:
            ConnectClient(server.url, "good").me()
        assert "--cacert" in str(e.value) and "--insecure" in str(e.value)
        assert ConnectClient(server.url, "good", ca_cert=str(tls_cert["cert"])).me()["username"] == "bob"
        # rsconnect-python saves the certificate's text, not its path.
        assert ConnectClient(server.url, "good", ca_cert=tls_cert["cert"].read_text()).me()["username"] == "bob"
        assert ConnectClient(server.url, "good", insecure=True).me()["username"] == "bob"
    finally:
        server.close()


def test_bundle_download_of_a_missing_bundle_is_not_found(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    out = io.BytesIO()
    with pytest.raises(NotFound):
        client.bundle_download(SDK_GUID, "101", out)


class Chunks(io.BytesIO):
    """A file that remembers the size of each write."""

    def __init__(self):
        super().__init__()
        self.writes = []

    def write(self, data):
        self.writes.append(len(data))
        return super().write(data)


def static_bundle_with(blob):
    """A static bundle (manifest first) holding `blob`: the .tar.gz's bytes."""
    files = {"index.html": b"<h1>Download me</h1>", "blob.bin": blob}
    manifest = {
        "version": 1,
        "metadata": {"appmode": "static", "primary_html": "index.html"},
        "files": {n: {"checksum": hashlib.md5(d).hexdigest()} for n, d in files.items()},
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode())] + sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_bundle_download_streams_to_a_file(local_server):
    # A real bundle on the real local server, larger than a few download chunks (random: gzip keeps its size).
    client = ConnectClient(local_server.url, local_server.add_user("download-%s" % os.urandom(4).hex()))
    item = client.content_create(name="download-%s" % os.urandom(4).hex(), title="Download")
    archive = static_bundle_with(os.urandom(600 * 1024))
    bundle = client.bundle_upload(item["guid"], io.BytesIO(archive))
    out = Chunks()
    client.bundle_download(item["guid"], bundle["id"], out)
    assert out.getvalue() == archive  # the bytes uploaded, unchanged
    # Written as it arrives, a chunk at a time (64 KiB at most), never as one body read into memory.
    assert len(out.writes) >= len(archive) // (64 * 1024) and max(out.writes) <= 64 * 1024, out.writes


def test_task_timeout_is_honoured(fixture_server, monkeypatch):
    from rsconnect_jupyter.deploy import follow_task, task_timeout
    from rsconnect_jupyter.exceptions import DeployFailed, InvalidInput

    monkeypatch.setenv("CONNECT_TASK_TIMEOUT", "1")
    assert task_timeout() == 1
    lines = []
    with pytest.raises(DeployFailed, match="did not finish within 1 seconds") as e:
        follow_task(ConnectClient(fixture_server.url, "good"), "task-running", lines.append)
    assert "    still working" in lines and "CONNECT_TASK_TIMEOUT" in str(e.value)
    polls = [r["path"] for r in fixture_server.requests if "task-running" in r["path"]]
    assert "first=0" in polls[0] and all("first=1" in p for p in polls[1:])
    monkeypatch.setenv("CONNECT_TASK_TIMEOUT", "soon")
    with pytest.raises(InvalidInput, match="positive number of seconds"):
        task_timeout()


def test_find_content_keeps_only_what_the_user_may_deploy_to(fixture_server):
    from rsconnect_jupyter.deploy import find_content

    client = ConnectClient(fixture_server.url, "sdk")  # carlos12 owns "My Streamlit app" (app_role viewer)
    assert [c["name"] for c in find_content(client, "My Streamlit app")] == ["My-Streamlit-app"]
    assert find_content(client, "Team admin dashboard") == []  # someone else's, viewer only
