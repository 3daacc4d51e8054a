"""Who sees what, in Chromium: people sign in on the login page (typing into the form) and open
content by its URL, its vanity path, and through the app proxy (a Flask API and a Streamlit app,
whose WebSocket is checked too).

ann (viewer) is on the `acl` items' lists, bob (viewer) is not; a visitor is signed out.
The server is one of this module's own (its users are its own); its Python environments are the
session server's, so the apps' environments are built once per test session.
"""

import json

import pytest
import tornado.httpclient
import tornado.websocket

from tests.localserver.localserver_helpers import Client, run_coroutine, static_bundle
from tests.localserver.signin_helpers import (
    APPS,
    Person,
    Visit,
    add_viewer,
    cookie_name,
    published,
    published_app,
    set_access,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACL_TEXT = "acl-only-quarterly-numbers-8c2f"
MEMBERS_TEXT = "members-only-notes-31d0"
OPEN_TEXT = "open-to-everyone-5aa9"
FLASK_TEXT = "Hello from the sample Flask API"
STREAMLIT_TEXT = "Hello from the sample Streamlit app"
FORBIDDEN = "You do not have permission to see this content"

# The sample Flask API, plus a route that shows what credentials reached the app.
HEADERS_ROUTE = """

@app.route("/headers")
def headers():
    return {"cookie": request.headers.get("Cookie", ""), "authorization": request.headers.get("Authorization", "")}
"""


@pytest.fixture(scope="module")
def server(local_servers, local_server, tmp_path_factory):
    environments = local_server.data_dir / "environments"
    s = local_servers.start(
        tmp_path_factory.mktemp("access-browser"), extra_args=["--environments-dir", str(environments)]
    )
    yield s
    local_servers.stop(s)


class Admin:
    """The administrator, as a person who signs in (the password written at first start)."""

    def __init__(self, server):
        self.name, self.password = "admin", server.admin_password


@pytest.fixture(scope="module")
def people(server):
    return {
        "ann": Person(server, "ann", "viewer", "ann-secret-pass-1"),
        "bob": Person(server, "bob", "viewer", "bob-secret-pass-2"),
    }


@pytest.fixture(scope="module")
def items(server, people):
    acl = published(server, "quarterly", "acl", ACL_TEXT, title="Quarterly numbers")
    add_viewer(server, acl["guid"], people["ann"])
    members = published(server, "members", "logged_in", MEMBERS_TEXT)
    everyone = published(server, "everyone", "all", OPEN_TEXT)
    return {"acl": acl, "logged_in": members, "all": everyone}


@pytest.fixture
def visits(browser):
    opened = []

    def visit():
        v = Visit(browser)
        opened.append(v)
        return v

    yield visit
    for v in opened:
        v.close()


def login_url(server):
    return server.url + "__login__"


def signed_in_from(visit, url, person, server):
    """A signed-out visitor opens `url`, is sent to the sign-in page, and signs in there."""
    response = visit.goto(url)
    assert response.ok
    assert visit.page.url.startswith(login_url(server) + "?next="), visit.page.url
    assert visit.session(server) is None
    visit.type_sign_in(person.name, person.password)
    assert visit.session(server)


def assert_refused(visit, url, text):
    """A signed-in person who may not see `url`: a 403 page, and the text is in nothing received."""
    response = visit.goto(url)
    assert response.status == 403, (response.status, visit.page.url)
    assert FORBIDDEN in visit.page.inner_text("body")
    assert text not in visit.page.content()
    bodies = visit.bodies()
    assert any(FORBIDDEN in body for body in bodies)
    assert not any(text in body for body in bodies)


# -- documents -----------------------------------------------------------------------------------
def test_acl_document_for_ann_not_for_bob_nor_a_visitor(server, people, items, visits):
    url = items["acl"]["content_url"]
    ann = visits()
    signed_in_from(ann, url, people["ann"], server)
    assert ann.page.url == url  # back where she started, signed in
    assert ACL_TEXT in ann.page.inner_text("body")

    bob = visits()
    signed_in_from(bob, url, people["bob"], server)
    assert bob.page.url == url
    assert_refused(bob, url, ACL_TEXT)

    visitor = visits()
    visitor.goto(url)
    assert visitor.page.url.startswith(login_url(server))
    assert visitor.page.locator('input[name="password"]').is_visible()
    assert not any(ACL_TEXT in body for body in visitor.bodies())


def test_logged_in_document_for_anyone_signed_in(server, people, items, visits):
    url = items["logged_in"]["content_url"]
    for name in ("ann", "bob"):
        visit = visits()
        signed_in_from(visit, url, people[name], server)
        assert visit.page.url == url and MEMBERS_TEXT in visit.page.inner_text("body")
    visitor = visits()
    visitor.goto(url)
    assert visitor.page.url.startswith(login_url(server) + "?next=")
    assert not any(MEMBERS_TEXT in body for body in visitor.bodies())


def test_all_document_is_open_to_a_visitor(server, items, visits):
    visitor = visits()
    response = visitor.goto(items["all"]["content_url"])
    assert response.status == 200 and visitor.page.url == items["all"]["content_url"]
    assert OPEN_TEXT in visitor.page.inner_text("body")


def test_vanity_path_leads_only_those_who_may_see(server, people, items, visits):
    r = Client(server)("PUT", "v1/content/%s/vanity" % items["acl"]["guid"], json={"path": "/q4/"})
    assert r.status_code == 200, r.text
    vanity = server.url + "q4/"
    visitor = visits()
    visitor.goto(vanity)
    assert visitor.page.url.startswith(login_url(server) + "?next=")
    assert not any(ACL_TEXT in body for body in visitor.bodies())
    # Served in place, as on Connect: a visitor who may not see it never learns the GUID
    # (it used to redirect to /content/GUID/, then to the sign-in page with that in next=).
    guid = items["acl"]["guid"]
    assert guid not in visitor.page.url and not any(guid in url or guid in body for url, _, body in visitor.received)
    visitor.type_sign_in("ann", people["ann"].password)  # the visitor was ann all along
    assert visitor.page.url == vanity
    assert ACL_TEXT in visitor.page.inner_text("body")

    bob = visits()
    signed_in_from(bob, vanity, people["bob"], server)
    assert_refused(bob, vanity, ACL_TEXT)
    assert not any(guid in url or guid in body for url, _, body in bob.received)


def test_draft_preview_only_for_those_who_may_deploy(server, people, visits):
    """A draft (built, not live) is previewed at /content/GUID/_bundleID/ by its owner,
    collaborators and administrators; a viewer on the list sees the live version only."""
    admin = Client(server)
    item = published(server, "drafted", "acl", "live-version-text-0b", title="Drafted")
    add_viewer(server, item["guid"], people["ann"])
    live = admin("GET", "v1/content/" + item["guid"]).json()["bundle_id"]
    bundle = admin.upload(item["guid"], static_bundle("<p>draft-version-text-6e</p>"))
    r = admin("POST", "v1/content/%s/deploy" % item["guid"], json={"bundle_id": bundle["id"], "activate": False})
    assert r.status_code == 202, r.text
    task, lines = admin.wait(r.json()["task_id"])
    assert task["code"] == 0, "\n".join(lines)
    draft_url = item["content_url"] + "_bundle%s/" % bundle["id"]

    ann = visits()
    signed_in_from(ann, item["content_url"], people["ann"], server)
    assert "live-version-text-0b" in ann.page.inner_text("body")
    ann.goto(item["content_url"] + "_bundle%s/" % live)  # the live version's preview
    assert "live-version-text-0b" in ann.page.inner_text("body")
    response = ann.goto(draft_url)
    assert response.status == 403
    assert "Only the content's owner, collaborators and administrators may preview its drafts." in ann.page.inner_text(
        "body"
    )
    assert not any("draft-version-text-6e" in body for body in ann.bodies())

    owner = visits()
    signed_in_from(owner, draft_url, Admin(server), server)
    assert owner.page.url == draft_url and "draft-version-text-6e" in owner.page.inner_text("body")


# -- an API through the app proxy ----------------------------------------------------------------
@pytest.fixture(scope="module")
def api(server, people):
    app_py = (APPS / "flask" / "app.py").read_text() + HEADERS_ROUTE
    item = published_app(server, "acl-flask", "flask", "python-api", "app:app", "acl", {"app.py": app_py.encode()})
    add_viewer(server, item["guid"], people["ann"])
    return item


def test_api_through_the_proxy(server, people, api, visits):
    url = api["content_url"]
    ann = visits()
    ann.context.add_cookies([{"name": "app_own_cookie", "value": "kept", "url": server.url}])
    signed_in_from(ann, url, people["ann"], server)
    assert ann.page.url == url and ann.page.inner_text("body").startswith(FLASK_TEXT)
    # The app never sees this server's session, only its own cookies.
    ann.goto(url + "headers")
    seen = json.loads(ann.page.inner_text("body"))
    assert cookie_name(server) not in seen["cookie"] and ann.session(server) not in seen["cookie"]
    assert "app_own_cookie=kept" in seen["cookie"]
    # A program with ann's API key gets in, and the app does not see the key either.
    r = server.get(url + "headers", key=people["ann"].key)
    assert r.status_code == 200 and r.json()["authorization"] == "", r.text
    assert server.get(url, key=people["bob"].key).status_code == 403

    bob = visits()
    signed_in_from(bob, url, people["bob"], server)
    assert_refused(bob, url, FLASK_TEXT)
    assert_refused(bob, url + "headers", '"cookie"')

    visitor = visits()
    visitor.goto(url)
    assert visitor.page.url.startswith(login_url(server) + "?next=")
    assert not any(FLASK_TEXT in body for body in visitor.bodies())


def test_api_open_to_signed_in_people_then_to_all(server, people, api, visits):
    url = api["content_url"]
    try:
        set_access(server, api["guid"], "logged_in")
        bob = visits()
        signed_in_from(bob, url, people["bob"], server)
        assert bob.page.inner_text("body").startswith(FLASK_TEXT)
        visitor = visits()
        visitor.goto(url)
        assert visitor.page.url.startswith(login_url(server))

        set_access(server, api["guid"], "all")
        visitor.goto(url)
        assert visitor.page.url == url and visitor.page.inner_text("body").startswith(FLASK_TEXT)
    finally:
        set_access(server, api["guid"], "acl")


# -- a Streamlit app and its WebSocket -----------------------------------------------------------
@pytest.fixture(scope="module")
def streamlit(server, people):
    item = published_app(server, "acl-streamlit", "streamlit", "python-streamlit", "app.py", "acl")
    add_viewer(server, item["guid"], people["ann"])
    return item


def websocket_status(server, item, session=None, origin=None):
    """Open the app's WebSocket (`_stcore/stream`) with a session cookie: 101 (opened) or the
    HTTP status it was refused with."""
    url = item["content_url"].replace("http://", "ws://") + "_stcore/stream"
    headers = {"Origin": origin or server.url.rstrip("/")}
    if session:
        headers["Cookie"] = "%s=%s" % (cookie_name(server), session)

    async def go():
        request = tornado.httpclient.HTTPRequest(url, headers=headers, connect_timeout=20, request_timeout=30)
        try:
            conn = await tornado.websocket.websocket_connect(request, subprotocols=["streamlit"])
        except tornado.httpclient.HTTPClientError as e:
            return e.code
        conn.close()
        return 101

    return run_coroutine(go())


def test_streamlit_app_and_its_websocket(server, people, streamlit, visits):
    url = streamlit["content_url"]
    ann = visits()
    sockets = []
    ann.page.on("websocket", lambda ws: sockets.append(ws))
    signed_in_from(ann, url, people["ann"], server)
    assert ann.page.url == url
    ann.page.get_by_text(STREAMLIT_TEXT).wait_for()  # the app's text arrives over its WebSocket
    assert any(s.url.endswith("/_stcore/stream") for s in sockets), [s.url for s in sockets]
    assert websocket_status(server, streamlit, ann.session(server)) == 101
    for origin in ("http://127.0.0.1:1", "http://evil.example", "null"):  # her session, another page
        assert websocket_status(server, streamlit, ann.session(server), origin) == 403, origin

    bob = visits()
    bob_sockets = []
    bob.page.on("websocket", lambda ws: bob_sockets.append(ws))
    signed_in_from(bob, url, people["bob"], server)
    assert_refused(bob, url, "<title>Streamlit</title>")
    assert not bob_sockets
    assert websocket_status(server, streamlit, bob.session(server)) == 403
    assert websocket_status(server, streamlit) == 401  # signed out
    assert websocket_status(server, streamlit, "forged-" + bob.session(server)) == 401

    visitor = visits()
    visitor.goto(url)
    assert visitor.page.url.startswith(login_url(server) + "?next=")
    assert not any("<title>Streamlit</title>" in body for body in visitor.bodies())


CROSS_SITE_SOCKET = """<pre id="results">not run</pre><script>
const out = {opened: false, read: false, closed: null};
const finish = () => {
  document.getElementById("results").textContent = JSON.stringify(out);
  if (!document.getElementById("done")) {
    const done = document.createElement("div");
    done.id = "done";
    document.body.appendChild(done);
  }
};
const ws = new WebSocket("SOCKET_URL", ["streamlit"]);
ws.binaryType = "arraybuffer";
let got = "";
ws.onopen = () => { out.opened = true; ws.send(new Uint8Array([0x5a, 0x00])); };
ws.onmessage = (e) => {
  got += new TextDecoder().decode(e.data);
  if (got.includes("Hello from the sample Streamlit app")) { out.read = true; finish(); }
};
ws.onclose = (e) => { out.closed = e.code; finish(); };
</script>"""


def test_a_page_of_another_port_cannot_use_the_session_for_the_websocket(
    server, people, streamlit, visits, local_servers, tmp_path
):
    """Browsers send a SameSite=Lax cookie to every port of the same host: a page served on another
    port of 127.0.0.1 (here another local server) opening the app's WebSocket while ann is signed in
    would carry her session. The proxy refuses a WebSocket from another origin for content that is
    not open to all. The same page served by the app's own server (its origin) opens the socket
    and reads the app: what fails from the other port is the origin, nothing else."""
    other = local_servers.start(tmp_path / "other")
    try:
        socket_url = streamlit["content_url"].replace("http://", "ws://") + "_stcore/stream"
        html = CROSS_SITE_SOCKET.replace("SOCKET_URL", socket_url)
        pages = {}
        for name, host in (("same-site", server), ("cross-site", other)):
            pages[name] = published(host, name, "all", "")
            task, lines = Client(host).publish(pages[name]["guid"], static_bundle(html))
            assert task["code"] == 0, "\n".join(lines)
        ann = visits()
        signed_in_from(ann, streamlit["content_url"], people["ann"], server)
        ann.page.get_by_text(STREAMLIT_TEXT).wait_for()  # her own page's socket works
        found = {}
        for name, page in pages.items():
            ann.goto(page["content_url"])
            ann.page.wait_for_selector("#done", state="attached", timeout=60000)
            found[name] = json.loads(ann.page.inner_text("#results"))
        assert found["same-site"]["opened"] is True and found["same-site"]["read"] is True, found
        # Refused, and seen to be: the socket closed without opening (no timer decides it).
        assert found["cross-site"]["opened"] is False and found["cross-site"]["read"] is False, found
        assert found["cross-site"]["closed"] is not None, found
    finally:
        local_servers.stop(other)


CROSS_SITE_CALLS = """<pre id="results">not run</pre><script>
(async () => {
  const out = {};
  const frame = (name) => {
    const f = document.createElement("iframe");
    f.name = name;
    document.body.appendChild(f);
    return f;
  };
  // Each frame's next load event: the form's answer, the framed page (or the browser's error
  // page when it refuses frames). No timer: what the test reads has arrived.
  const loaded = (f) => new Promise((resolve) => f.addEventListener("load", () => resolve("loaded"), {once: true}));
  const sink = loaded(frame("sink"));
  const form = document.createElement("form");
  form.method = "post"; form.action = "API_URLecho"; form.target = "sink";
  const input = document.createElement("input");
  input.name = "order"; input.value = "sent-by-another-site";
  form.appendChild(input);
  document.body.appendChild(form);
  form.submit();
  try {
    await fetch("API_URLecho", {method: "POST", mode: "no-cors", credentials: "include", body: "from-fetch"});
    out.fetch = "sent";
  } catch (e) { out.fetch = String(e); }
  const shown = frame("shown");
  const framed = loaded(shown);
  shown.src = "ACL_URL";
  out.form = await sink;
  out.frame = await framed;
  document.getElementById("results").textContent = JSON.stringify(out);
  const done = document.createElement("div");
  done.id = "done";
  document.body.appendChild(done);
})();
</script>"""


def test_a_page_of_another_port_cannot_call_an_app_or_frame_content_as_the_viewer(
    server, people, items, api, visits, local_servers, tmp_path
):
    """The same for HTTP: forms and calls from a page on another port of this host reach the
    content without the viewer's session (so an acl app refuses them), and acl content framed by
    it shows the sign-in page (which refuses frames). A link from there still opens content."""
    other = local_servers.start(tmp_path / "other")
    try:
        html = CROSS_SITE_CALLS.replace("API_URL", api["content_url"]).replace("ACL_URL", items["acl"]["content_url"])
        page = published(other, "cross-site-calls", "all", "")
        task, lines = Client(other).publish(
            page["guid"], static_bundle(html + '<a id="link" href="%s">report</a>' % items["acl"]["content_url"])
        )
        assert task["code"] == 0, "\n".join(lines)
        ann = visits()
        signed_in_from(ann, api["content_url"], people["ann"], server)
        log_start = len(server.log())
        ann.goto(page["content_url"])
        ann.page.wait_for_selector("#done", state="attached", timeout=60000)
        found = json.loads(ann.page.inner_text("#results"))
        assert found == {"fetch": "sent", "form": "loaded", "frame": "loaded"}, found
        log = server.log()[log_start:]
        calls = [line.split(" localconnect.access ")[1] for line in log.splitlines() if " localconnect.access " in line]
        echo = [c for c in calls if c.split()[1:3] == ["POST", "/content/%s/echo" % api["guid"]]]
        assert len(echo) == 2 and all(not c.startswith("200 ") for c in echo), calls
        framed = [c for c in calls if c.split()[1:3] == ["GET", "/content/%s/" % items["acl"]["guid"]]]
        assert framed and all(c.startswith("302 ") for c in framed), calls

        with ann.page.expect_navigation():
            ann.page.click("#link")  # a top-level navigation from the other port: her session goes
        assert ann.page.url == items["acl"]["content_url"]
        assert ACL_TEXT in ann.page.inner_text("body")
    finally:
        local_servers.stop(other)
