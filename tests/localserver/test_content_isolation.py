"""Published documents run their scripts on the server's origin: they must not act with a signed-in
viewer's session. mallory (publisher) publishes, open to all, a static page and a notebook whose
output cell holds the same script; the administrator, signed in, opens them in Chromium. The script
tries to read the dashboard, the API, another item's content and the session cookie, to sign the
viewer out or in as mallory, to change a title and to activate or delete a version (with fetch,
forms, frames and pop-ups), and writes what it got into its own page. Nothing it tries may work,
and nothing may change.

Content runs on the server's origin, as on Connect (docs/security.md): what stays open is that the
script reads other content the viewer may see, and the test checks that too, as documented.
"""

import json

import pytest
import requests

from tests.localserver.localserver_helpers import Client, notebook_bundle, static_bundle
from tests.localserver.signin_helpers import Person, Visit, app_bundle, cookie_name, published, set_access

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VICTIM_TEXT = "victim-private-text-v2-91fe"
MALLORY_PASSWORD = "mallory-pass-77aa"

SCRIPT = r"""
(async function () {
  const out = {};
  const results = document.getElementById("results");
  const show = () => { results.textContent = JSON.stringify(out); };
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  async function attempt(name, fn) {
    try { out[name] = await fn(); } catch (e) { out[name] = {error: String(e)}; }
    show();
  }
  async function read(url, options) {
    const r = await fetch(url, Object.assign({credentials: "include"}, options || {}));
    return {status: r.status, type: r.type, read: await r.text()};
  }
  const form = {"Content-Type": "application/x-www-form-urlencoded"};
  function postForm(action, fields) {
    return new Promise((resolve) => {
      const name = "sink" + Math.random().toString(36).slice(2);
      const frame = document.createElement("iframe");
      frame.name = name;
      document.body.appendChild(frame);
      const f = document.createElement("form");
      f.method = "post"; f.action = action; f.target = name;
      for (const [k, v] of Object.entries(fields)) {
        const input = document.createElement("input");
        input.name = k; input.value = v; f.appendChild(input);
      }
      document.body.appendChild(f);
      frame.onload = () => resolve(frameResult(frame));
      f.submit();
    });
  }
  function frameRead(url) {
    return new Promise((resolve) => {
      const frame = document.createElement("iframe");
      frame.onload = () => resolve(frameResult(frame));
      frame.src = url;
      document.body.appendChild(frame);
    });
  }
  // What a frame shows once it has loaded (no timer: a frame that never loads leaves #done unset,
  // and the test fails waiting for it). A page that refuses frames shows the browser's error page.
  function frameResult(frame) {
    try {
      const doc = frame.contentDocument;
      return {loaded: true, read: doc ? doc.documentElement.outerHTML : null};
    } catch (e) { return {loaded: true, error: String(e)}; }
  }
  // A window the script opens, once it has a page: either its document (same origin, loaded), or
  // no handle, when the page's Cross-Origin-Opener-Policy cut the opener off (w.closed, or its
  // location blocked as cross-origin).
  async function popupRead(url) {
    const w = window.open(url, "_blank");
    if (!w) { return {read: null, note: "no window"}; }
    for (;;) {
      if (w.closed) { return {read: null, cut_off: true}; }
      let found = null;
      try {
        if (w.location.href !== "about:blank" && w.document.readyState === "complete") {
          found = {read: w.document.documentElement.outerHTML};
        }
      } catch (e) { found = {error: String(e)}; }
      if (found) { try { w.close(); } catch (e) {} return found; }
      await wait(50);
    }
  }

  await attempt("document.cookie", () => ({read: document.cookie}));
  await attempt("fetch /connect/", () => read("/connect/"));
  await attempt("fetch /connect/ no-cors", () => read("/connect/", {mode: "no-cors"}));
  await attempt("fetch the item's dashboard page", () => read("/connect/apps/VICTIM/"));
  await attempt("fetch the content list", () => read("/__api__/v1/content"));
  await attempt("fetch the acl item", () => read("/content/VICTIM/"));
  await attempt("fetch the acl item no-cors", () => read("/content/VICTIM/", {mode: "no-cors"}));
  const json = {"Content-Type": "application/json"};
  await attempt("PATCH the title", () => read("/__api__/v1/content/VICTIM", {
    method: "PATCH", headers: json, body: JSON.stringify({title: "changed by mallory"})}));
  await attempt("POST the title no-cors", () => read("/__api__/v1/content/VICTIM", {
    method: "POST", mode: "no-cors", body: JSON.stringify({title: "changed by mallory"})}));
  await attempt("fetch sign out", () => read("/__logout__", {
    method: "POST", mode: "no-cors", headers: form, body: "csrf=x"}));
  await attempt("fetch activate", () => read("/connect/apps/VICTIM/bundles/OLD/activate", {
    method: "POST", mode: "no-cors", headers: form, body: "csrf=x"}));
  await attempt("fetch delete", () => read("/connect/apps/VICTIM/bundles/OLD/delete", {
    method: "POST", mode: "no-cors", headers: form, body: "csrf=x"}));
  await attempt("form sign out", () => postForm("/__logout__", {csrf: "x"}));
  await attempt("form activate", () => postForm("/connect/apps/VICTIM/bundles/OLD/activate", {csrf: "x"}));
  await attempt("form sign in as mallory", () => postForm("/__login__", {
    username: "mallory", password: "MALLORY_PASSWORD", next: "/connect/"}));
  await attempt("iframe /connect/", () => frameRead("/connect/"));
  await attempt("iframe the acl item", () => frameRead("/content/VICTIM/"));
  await attempt("window.open /connect/", () => popupRead("/connect/"));
  await attempt("window.open the acl item", () => popupRead("/content/VICTIM/"));
  out.done = true;
  show();
  const done = document.createElement("div");
  done.id = "done";
  document.body.appendChild(done);
})();
"""

ATTEMPTS = [
    "document.cookie",
    "fetch /connect/",
    "fetch /connect/ no-cors",
    "fetch the item's dashboard page",
    "fetch the content list",
    "fetch the acl item",
    "fetch the acl item no-cors",
    "PATCH the title",
    "POST the title no-cors",
    "fetch sign out",
    "fetch activate",
    "fetch delete",
    "form sign out",
    "form activate",
    "form sign in as mallory",
    "iframe /connect/",
    "iframe the acl item",
    "window.open /connect/",
    "window.open the acl item",
]


def attack_html(victim, old_bundle):
    script = SCRIPT.replace("VICTIM", victim).replace("OLD", old_bundle).replace("MALLORY_PASSWORD", MALLORY_PASSWORD)
    return '<h1>Harmless chart</h1><pre id="results">not run</pre><script>%s</script>' % script


@pytest.fixture(scope="module")
def server(local_servers, local_server, tmp_path_factory):
    environments = local_server.data_dir / "environments"
    s = local_servers.start(tmp_path_factory.mktemp("isolation"), extra_args=["--environments-dir", str(environments)])
    yield s
    local_servers.stop(s)


@pytest.fixture(scope="module")
def victim(server):
    """The administrator's acl item with two versions (the second live); mallory is not on its list."""
    admin = Client(server)
    item = published(server, "victim", "acl", "victim-private-text-v1", title="Victim report")
    old = admin("GET", "v1/content/%s" % item["guid"]).json()["bundle_id"]
    task, lines = admin.publish(item["guid"], static_bundle("<h1>Victim report</h1><p>%s</p>" % VICTIM_TEXT))
    assert task["code"] == 0, "\n".join(lines)
    return item, str(old)


@pytest.fixture(scope="module")
def mallory(server):
    return Person(server, "mallory", "publisher", MALLORY_PASSWORD)


def state_of(server, guid):
    """What the attack must not change: the item's title and live version, and its versions."""
    admin = Client(server)
    item = admin("GET", "v1/content/" + guid).json()
    bundles = sorted(b["id"] for b in admin("GET", "v1/content/%s/bundles" % guid).json())
    return item["title"], item["bundle_id"], bundles


# What each attempt gets. Content runs on the server's origin (documents are not sandboxed: their
# own images and scripts need the viewer's session, docs/security.md), so the server's defences are:
# its pages answer a script's GET with 403, the API takes API keys only, its POSTs need a form
# navigation from this origin with the session's CSRF token, its pages refuse frames, and a
# window they open gives no handle (Cross-Origin-Opener-Policy).
REFUSED = {
    "fetch /connect/": 403,
    "fetch /connect/ no-cors": 403,
    "fetch the item's dashboard page": 403,
    "fetch sign out": 403,
    "fetch activate": 403,
    "fetch delete": 403,
    "fetch the content list": 401,
    "PATCH the title": 401,
    "POST the title no-cors": 405,
}
NOTHING_READ = [
    "form sign out",
    "form activate",
    "form sign in as mallory",
    "iframe /connect/",
    "window.open /connect/",
]
# What stays open, as docs/security.md says (and as on Connect): a published script reads other
# content the viewer may see, by fetch, in a frame or in a window it opens.
READS_CONTENT_THE_VIEWER_SEES = [
    "fetch the acl item",
    "fetch the acl item no-cors",
    "iframe the acl item",
    "window.open the acl item",
]
assert sorted(["document.cookie", *REFUSED, *NOTHING_READ, *READS_CONTENT_THE_VIEWER_SEES]) == sorted(ATTEMPTS)


def run_attack(server, browser, url, victim_item):
    """The administrator signs in on the login page and opens mallory's document; returns what its
    script reported."""
    before = state_of(server, victim_item["guid"])
    log_start = len(server.log())
    visit = Visit(browser)
    try:
        visit.page.goto(server.url + "__login__")
        visit.type_sign_in("admin", server.admin_password)
        session = visit.session(server)
        assert session
        response = visit.page.goto(url)
        assert response.status == 200
        visit.page.wait_for_selector("#done", state="attached", timeout=120000)
        found = json.loads(visit.page.inner_text("#results"))
        # The browser still holds the administrator's own session (not signed out, nor in as mallory).
        assert visit.session(server) == session
    finally:
        visit.close()
    assert found["done"] is True and sorted(found) == sorted(ATTEMPTS + ["done"]), found

    assert cookie_name(server) not in found["document.cookie"].get("read", "")  # HttpOnly
    for attempt, status in REFUSED.items():
        result = found[attempt]
        assert result["status"] == status, (attempt, result)
        for shown in ("Victim report", 'name="csrf"', "Sign out", server.api_key):
            assert shown not in result["read"], (attempt, shown)
    for attempt in NOTHING_READ:
        assert not found[attempt].get("read"), (attempt, found[attempt])
        # Seen to happen, not timed out: the frame loaded (the browser's error page for a page
        # that refuses frames), or the page cut the window's opener off (the handle is closed,
        # or reading it is blocked as cross-origin).
        if attempt.startswith("window.open"):
            result = found[attempt]
            assert result.get("cut_off") is True or "SecurityError" in result.get("error", ""), (attempt, result)
        else:
            assert found[attempt].get("loaded") is True, (attempt, found[attempt])
    for attempt in READS_CONTENT_THE_VIEWER_SEES:
        assert VICTIM_TEXT in found[attempt]["read"], (attempt, found[attempt])
    for attempt in ["document.cookie", *REFUSED, *NOTHING_READ]:
        text = json.dumps(found[attempt])
        for secret in (VICTIM_TEXT, session, server.api_key):
            assert secret not in text, (attempt, secret)

    # Still signed in, as the administrator (who may see the acl item; mallory may not).
    r = requests.get(
        victim_item["content_url"], cookies={cookie_name(server): session}, allow_redirects=False, timeout=60
    )
    assert r.status_code == 200 and VICTIM_TEXT in r.text
    assert state_of(server, victim_item["guid"]) == before  # title, live version, versions
    log = server.log()[log_start:]
    assert log.count("302 POST /__login__") == 1  # the administrator's own sign-in; mallory's form: 403
    assert "403 POST /__login__" in log
    return found


def test_a_static_document_cannot_act_with_the_viewers_session(server, browser, victim, mallory):
    item, old = victim
    page = published(server, "mallory-static", "all", "", key=mallory.key)
    task, lines = Client(server, mallory.key).publish(page["guid"], static_bundle(attack_html(item["guid"], old)))
    assert task["code"] == 0, "\n".join(lines)
    run_attack(server, browser, page["content_url"], item)


def test_a_notebook_cannot_act_with_the_viewers_session(server, browser, victim, mallory):
    item, old = victim
    client = Client(server, mallory.key)
    notebook = client.create("mallory-notebook", "Mallory's notebook")
    set_access(server, notebook["guid"], "all", key=mallory.key)
    cell = "from IPython.display import HTML, display\ndisplay(HTML(%r))" % attack_html(item["guid"], old)
    task, lines = client.publish(notebook["guid"], notebook_bundle(cell))
    assert task["code"] == 0, "\n".join(lines)
    assert client("GET", "v1/content/" + notebook["guid"]).json()["app_mode"] == "jupyter-static"
    run_attack(server, browser, notebook["content_url"], item)


# -- an app's service worker ---------------------------------------------------------------------
SW_APP = r'''
PAGE = b"""<!doctype html><html><body><pre id="results">not run</pre><script>
(async () => {
  const out = {};
  for (const [name, options] of [["whole server", {scope: "/"}], ["own path", undefined]]) {
    try { out[name] = "registered " + (await navigator.serviceWorker.register("sw.js", options)).scope; }
    catch (e) { out[name] = "refused: " + e; }
  }
  document.getElementById("results").textContent = JSON.stringify(out);
  const done = document.createElement("div");
  done.id = "done";
  document.body.appendChild(done);
})();
</script></body></html>"""
# A worker that could read every page of the server and what people type into its sign-in form.
WORKER = b"self.addEventListener('fetch', (event) => {});"


def app(environ, start_response):
    if environ["PATH_INFO"].endswith("/toss"):  # replace the viewer's session with another
        port = environ["HTTP_RSTUDIO_CONNECT_APP_BASE_URL"].split("/")[2].rsplit(":", 1)[1]
        start_response("200 OK", [
            ("Content-Type", "text/plain"),
            ("Set-Cookie", "rsconnect_local_session_%s=tossed-by-the-app; Path=/" % port),
            ("Set-Cookie", "app_cookie=kept; Path=/"),
        ])
        return [b"tossed"]
    if environ["PATH_INFO"].endswith("/sw.js"):
        start_response("200 OK", [("Content-Type", "application/javascript"), ("Service-Worker-Allowed", "/")])
        return [WORKER]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [PAGE]
'''


def test_an_app_cannot_install_a_service_worker_for_the_whole_server(server, browser, mallory):
    """An app's script runs on the server's origin, unsandboxed. A service worker it installed for
    `/` would see every page of the server (the dashboard and its CSRF tokens, the sign-in form's
    password); the proxy drops the app's `Service-Worker-Allowed` header, so a worker stays under
    the app's own /content/GUID/. Nor can the app's answer set the viewer's session cookie."""
    client = Client(server, mallory.key)
    item = client.create("mallory-worker")
    task, lines = client.publish(item["guid"], app_bundle("wsgi", "python-api", "app:app", {"app.py": SW_APP.encode()}))
    assert task["code"] == 0, "\n".join(lines)
    set_access(server, item["guid"], "all", key=mallory.key)
    visit = Visit(browser)
    try:
        visit.page.goto(server.url + "__login__")
        visit.type_sign_in("admin", server.admin_password)
        visit.page.goto(item["content_url"])
        visit.page.wait_for_selector("#done", state="attached", timeout=60000)
        found = json.loads(visit.page.inner_text("#results"))
        session = visit.session(server)
        visit.page.goto(item["content_url"] + "toss")
        assert visit.page.inner_text("body") == "tossed"
        assert visit.session(server) == session  # the app cannot replace the viewer's session
        assert "kept" in [c["value"] for c in visit.context.cookies(server.url) if c["name"] == "app_cookie"]
    finally:
        visit.close()
    assert found["own path"] == "registered " + item["content_url"], found  # the script ran
    assert found["whole server"].startswith("refused: SecurityError"), found
