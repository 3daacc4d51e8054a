"""The sign-in as an attacker tries it from a published page, in Chromium on the session server:
mallory (a publisher) publishes pages open to all whose scripts (1) send the sign-in form with
her own name and password, with and without a token she got from the sign-in page herself, to a
signed-out visitor's browser (login CSRF), and (2) plant copies of the session cookie, hers and
garbage, for other paths of the server, in a signed-in viewer's browser. Neither may work: the
visitor stays signed out, the viewer stays signed in as herself, and the copies are cleared.
"""

import json
import re

import pytest
import requests

from tests.certificates import self_signed
from tests.localserver.signin_helpers import Person, Visit, cookie_name, login, published, signin_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"mallory": "mallory-attack-pass-5e1c", "vera": "vera-viewer-pass-0b7d"}

# Runs once the page has loaded; writes what happened into #results and adds #done when finished.
LOGIN_CSRF = r"""<pre id="results">not run</pre><script>
(async function () {
  const out = {};
  // mallory's own browser cookie and token, planted for the sign-in path (an HttpOnly copy for "/"
  // that the server set cannot be replaced by a script, but one for a longer path is sent first)
  if ("PLANT") { document.cookie = "BROWSER_COOKIE=MALLORY_BROWSER; path=/__login__"; }
  const frame = document.createElement("iframe");
  frame.name = "sink";
  document.body.appendChild(frame);
  const loaded = new Promise((resolve) => frame.addEventListener("load", () => resolve(true), {once: true}));
  const form = document.createElement("form");
  form.method = "post"; form.action = "/__login__"; form.target = "sink";
  const fields = {username: "USERNAME", password: "PASSWORD", next: "/connect/", signin: "TOKEN"};
  for (const [k, v] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.name = k; input.value = v; form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
  out.sent = await loaded;
  document.getElementById("results").textContent = JSON.stringify(out);
  const done = document.createElement("div");
  done.id = "done";
  document.body.appendChild(done);
})();
</script>"""

PLANT_COOKIES = r"""<pre id="results">not run</pre><script>
for (const path of ["/connect/", "/connect", "/__login__", "/connect/apps/"]) {
  document.cookie = "SESSION_COOKIE=MALLORY_SESSION; path=" + path;
}
document.cookie = "SESSION_COOKIE=garbage; path=/__logout__";
document.getElementById("results").textContent = document.cookie;
const done = document.createElement("div");
done.id = "done";
document.body.appendChild(done);
</script>"""


@pytest.fixture(scope="module")
def mallory(local_server):
    return Person(local_server, "atk-mallory", "publisher", PASSWORDS["mallory"])


@pytest.fixture(scope="module")
def vera(local_server):
    return Person(local_server, "atk-vera", "viewer", PASSWORDS["vera"])


def mallory_page(server, mallory, name, html):
    item = published(server, name, "all", "", key=mallory.key)
    from tests.localserver.localserver_helpers import Client, static_bundle

    task, lines = Client(server, mallory.key).publish(item["guid"], static_bundle(html))
    assert task["code"] == 0, "\n".join(lines)
    return item


def session_copies(visit, server):
    """Every copy of the session cookie the browser holds, for any path."""
    return [c for c in visit.context.cookies() if c["name"] == cookie_name(server)]


def run_page(visit, item):
    visit.goto(item["content_url"])
    visit.page.wait_for_selector("#done", state="attached", timeout=60000)
    visit.settle()
    return visit.page.inner_text("#results")


@pytest.mark.parametrize("attack", ["no token", "her own token", "her own token and cookie"])
def test_a_published_form_does_not_sign_a_visitor_in(local_server, browser, mallory, attack):
    html = LOGIN_CSRF.replace("USERNAME", mallory.name).replace("PASSWORD", mallory.password)
    if attack.startswith("her own token"):  # what mallory gets from the sign-in page in her own browser
        hers = requests.Session()
        token = signin_form(local_server, hers)
        (browser_cookie,) = [c for c in hers.cookies if c.name.startswith("rsconnect_local_browser_")]
        html = html.replace("TOKEN", token).replace("BROWSER_COOKIE", browser_cookie.name)
        # a token alone is no good if it is bound to her browser; she also plants that browser's cookie
        html = html.replace("MALLORY_BROWSER", browser_cookie.value)
        html = html.replace('"PLANT"', "true" if attack.endswith("cookie") else "false")
    else:
        html = html.replace("TOKEN", "").replace('"PLANT"', "false")
    item = mallory_page(local_server, mallory, "login-csrf-" + attack.replace(" ", "-"), html)
    visitor = Visit(browser)
    try:
        assert json.loads(run_page(visitor, item))["sent"] is True
        assert session_copies(visitor, local_server) == []  # no session cookie: still signed out
        visitor.goto(local_server.url + "connect/")
        assert "/__login__?next=" in visitor.page.url, visitor.page.url
        assert "403 POST /__login__" in local_server.log()
    finally:
        visitor.close()


def test_planted_session_cookies_do_not_sign_a_viewer_out(local_server, browser, mallory, vera):
    r = login(local_server, mallory.name, mallory.password)
    assert r.status_code == 302
    html = PLANT_COOKIES.replace("SESSION_COOKIE", cookie_name(local_server))
    html = html.replace("MALLORY_SESSION", r.cookies[cookie_name(local_server)].strip('"'))
    item = mallory_page(local_server, mallory, "cookie-planting", html)
    viewer = Visit(browser)
    try:
        viewer.goto(local_server.url + "connect/")
        viewer.type_sign_in(vera.name, vera.password)
        own = viewer.session(local_server)
        assert own and viewer.page.url == local_server.url + "connect/"
        run_page(viewer, item)
        assert len(session_copies(viewer, local_server)) == 6  # the script planted five copies
        for path in ("connect/", "connect/apps/" + item["guid"], "__login__"):
            viewer.goto(local_server.url + path)
            # still herself: neither signed out (the page would be the sign-in form) nor mallory
            assert "/__login__" not in viewer.page.url or path == "__login__", viewer.page.url
            if path != "__login__":
                assert vera.name in viewer.page.inner_text("header"), path
                assert mallory.name not in viewer.page.inner_text("header"), path
        # The server told the browser to drop the copies it never set: hers for / is the only one left.
        copies = session_copies(viewer, local_server)
        assert [(c["path"], c["value"]) for c in copies if c["path"] != "/__logout__"] == [("/", own)], copies
    finally:
        viewer.close()


PLANT_OVER_HTTPS = r"""<pre id="results">not run</pre><script>
// The server's own name (with __Host-, which the browser refuses for another path) and the name
// a plain-HTTP server would use.
for (const name of ["HOST_NAME", "PLAIN_NAME"]) {
  document.cookie = name + "=planted; Secure; path=/connect/";
}
document.getElementById("results").textContent = document.cookie;
const done = document.createElement("div");
done.id = "done";
document.body.appendChild(done);
</script>"""


def test_over_https_the_browser_refuses_a_planted_copy_of_the_host_cookie(
    local_servers, tmp_path, browser, monkeypatch
):
    (tmp_path / "tls").mkdir()
    cert, key, _ = self_signed(tmp_path / "tls")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # the helpers' calls trust this server
    server = local_servers.start(tmp_path / "data", extra_args=["--certfile", str(cert), "--keyfile", str(key)])
    try:
        name = cookie_name(server)
        assert name.startswith("__Host-")
        html = PLANT_OVER_HTTPS.replace("HOST_NAME", name).replace("PLAIN_NAME", re.sub("^__Host-", "", name))
        item = published(server, "https-planting", "all", "")
        from tests.localserver.localserver_helpers import Client, static_bundle

        task, lines = Client(server).publish(item["guid"], static_bundle(html))
        assert task["code"] == 0, "\n".join(lines)
        viewer = Visit(browser, ignore_https_errors=True)
        try:
            viewer.goto(server.url + "connect/")
            viewer.type_sign_in("admin", server.admin_password)
            assert viewer.page.url == server.url + "connect/"
            run_page(viewer, item)
            copies = [c for c in viewer.context.cookies() if c["name"] == name]
            assert [(c["path"], c["secure"], c["httpOnly"]) for c in copies] == [("/", True, True)], copies
            viewer.goto(server.url + "connect/")
            assert viewer.page.url == server.url + "connect/" and "admin" in viewer.page.inner_text("header")
        finally:
            viewer.close()
    finally:
        local_servers.stop(server)
