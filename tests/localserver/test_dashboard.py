"""The dashboard at /connect/ on a real local server: the list, an item's page (versions, logs,
environment variable names, sharing), Activate and Remove, and what hostile pages, titles and
forms cannot do. Over plain HTTP with session cookies, and in Chromium."""

import re
import sqlite3

import pytest
import requests

from tests.localserver.localserver_helpers import (
    Client,
    app_bundle,
    notebook_bundle,
    static_bundle,
)

SECRET_VALUE = "s3cret-value-never-shown"
XSS_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2; alert(1)">'
XSS_ENV_NAME = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def world(tmp_path_factory, local_servers):
    """One server: pat (publisher) owns an `acl` item shared with ann (viewer); bob (viewer) is on
    no list; an `all` item and a hostile-titled item; an item of the administrator."""
    server = local_servers.start(tmp_path_factory.mktemp("dashboard") / "data")
    admin = Client(server)
    pat = Client(server, server.add_user("pat", "publisher", password="pat-password-1"))
    server.add_user("ann", "viewer", password="ann-password-1")
    server.add_user("bob", "viewer", password="bob-password-1")
    users = {u["username"]: u["guid"] for u in admin("GET", "v1/users").json()["results"]}

    item = pat.create("quarterly", "Quarterly report")
    guid = item["guid"]
    first, lines = pat.publish(guid, static_bundle("<p>version one</p>"))
    assert first["code"] == 0, lines
    second, lines = pat.publish(guid, static_bundle("<p>version two</p>"))
    assert second["code"] == 0, lines
    bundles = pat("GET", "v1/content/%s/bundles" % guid).json()
    r = pat(
        "POST",
        "v1/content/%s/permissions" % guid,
        json={"principal_guid": users["ann"], "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text
    r = pat("PATCH", "v1/content/%s/environment" % guid, json=[{"name": "DB_PASSWORD", "value": SECRET_VALUE}])
    assert r.status_code == 200, r.text
    assert pat("PUT", "v1/content/%s/vanity" % guid, json={"path": "/quarterly-report/"}).status_code == 200
    tag = admin("POST", "v1/tags", json={"name": "finance"}).json()
    assert pat("POST", "v1/content/%s/tags" % guid, json={"tag_id": tag["id"]}).status_code == 200

    public = pat.create("open-page", "Open page")
    task, lines = pat.publish(public["guid"], static_bundle("<p>open to all</p>"))
    assert task["code"] == 0, lines
    assert pat("PATCH", "v1/content/" + public["guid"], json={"access_type": "all"}).status_code == 200

    hostile = pat.create("hostile", XSS_TITLE)
    task, lines = pat.publish(hostile["guid"], static_bundle("<p>hostile</p>"))
    assert task["code"] == 0, lines
    # A name the API refuses, put straight into the database (as an older server or a bug might
    # leave it): the page must still show it as text.
    with sqlite3.connect(server.data_dir / "connect.db", timeout=30) as db:
        db.execute(
            "INSERT INTO environment (content_guid, name, value) VALUES (?, ?, ?)",
            (hostile["guid"], XSS_ENV_NAME, SECRET_VALUE),
        )

    own = admin.create("admins-own", "Administrator's notes")
    yield {
        "server": server,
        "admin": admin,
        "pat": pat,
        "guid": guid,
        "bundles": [b["id"] for b in bundles],
        "public": public["guid"],
        "hostile": hostile["guid"],
        "own": own["guid"],
        "dashboard_url": item["dashboard_url"],
    }
    local_servers.stop(server)


PASSWORDS = {"pat": "pat-password-1", "ann": "ann-password-1", "bob": "bob-password-1"}


def session(server, who):
    """A requests session signed in as `who` (admin: the first start's password)."""
    s = requests.Session()
    cookie = server.session_cookie(who, PASSWORDS.get(who))
    s.cookies.set(cookie["name"], cookie["value"])
    return s


def page_of(s, server, path, **kwargs):
    r = s.get(server.url + path.lstrip("/"), allow_redirects=False, timeout=60, **kwargs)
    return r


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def listed_guids(html):
    return set(re.findall(r'data-guid="([0-9a-f-]{36})"', html))


def live_text(world):
    return world["server"].get(world["server"].url + "content/%s/" % world["guid"]).text


def bundle_ids(world):
    return [b["id"] for b in world["pat"]("GET", "v1/content/%s/bundles" % world["guid"]).json()]


# -- the list -------------------------------------------------------------------------------------
def test_a_visitor_is_sent_to_the_sign_in_page(world):
    server = world["server"]
    r = requests.get(server.url + "connect/", allow_redirects=False, timeout=60)
    assert r.status_code == 302 and r.headers["Location"].startswith("/__login__?next=")
    r = requests.get(server.url + "connect/apps/" + world["guid"], allow_redirects=False, timeout=60)
    assert r.status_code == 302 and "/__login__" in r.headers["Location"]


def test_the_list_shows_only_what_each_user_may_see(world):
    server = world["server"]
    everything = {world["guid"], world["public"], world["hostile"], world["own"]}
    # Other tests add items of their own: only these four are looked at.
    seen = {
        who: listed_guids(page_of(session(server, who), server, "/connect/").text) & everything
        for who in ("admin", *PASSWORDS)
    }
    assert seen["admin"] == everything
    assert seen["pat"] == {world["guid"], world["public"], world["hostile"]}
    assert seen["ann"] == {world["guid"], world["public"]}  # on the list of one, `all` for the other
    assert seen["bob"] == {world["public"]}  # on no list: not the acl item


def test_the_list_row_says_what_the_item_is(world):
    server = world["server"]
    html = page_of(session(server, "ann"), server, "/connect/").text
    row = re.search(r'<tr class="item" data-guid="%s">(.*?)</tr>' % world["guid"], html, re.S).group(1)
    for text in (
        "Quarterly report",
        "Finished document",
        "pat",
        "Only the people listed",
        "/content/%s/" % world["guid"],
    ):
        assert text in row, text
    assert "/connect/apps/%s" % world["guid"] in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row)
    assert "Anyone, no login required" in html  # the `all` item, in the publish dialog's words


# -- the item page ----------------------------------------------------------------------------------
def test_the_item_page_shows_versions_logs_variable_names_and_sharing(world):
    server = world["server"]
    r = page_of(session(server, "pat"), server, "/connect/apps/" + world["guid"])
    assert r.status_code == 200
    html = r.text
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    first, second = world["bundles"][:2]
    assert re.search(r'data-bundle="%s">.*?<td class="state">live' % second, html, re.S)
    assert re.search(r'data-bundle="%s">.*?<td class="state">previously live' % first, html, re.S)
    live_row = re.search(r'data-bundle="%s">(.*?)</tr>' % second, html, re.S).group(1)
    older_row = re.search(r'data-bundle="%s">(.*?)</tr>' % first, html, re.S).group(1)
    assert 'class="activate"' not in live_row and 'class="delete"' not in live_row
    assert 'class="activate"' in older_row and 'class="delete"' in older_row
    assert "Deploying bundle %s of content %s." % (second, world["guid"]) in html  # a deploy log
    assert "Bundle %s is live." % first in html
    assert "<code>DB_PASSWORD</code>" in html and SECRET_VALUE not in html
    for text in ("Only the people listed", "ann", "/quarterly-report/", "finance"):
        assert text in html, text
    assert 'class="vanity-link" href="/quarterly-report/"' in html


def test_a_viewer_sees_sharing_and_versions_but_no_buttons_variables_or_logs(world):
    server = world["server"]
    ann = session(server, "ann")
    html = page_of(ann, server, "/connect/apps/" + world["guid"]).text
    assert 'id="versions"' in html and 'id="sharing"' in html
    assert 'class="activate"' not in html and 'class="delete"' not in html
    assert "DB_PASSWORD" not in html and 'id="environment"' not in html and 'id="app-log"' not in html
    # Logs are for those who may change the content, as the jobs API and Connect have it
    assert 'id="deploy-logs"' not in html and "/tasks/" not in html
    pat_html = page_of(session(server, "pat"), server, "/connect/apps/" + world["guid"]).text
    task_page = re.search(r'href="(/connect/apps/[^"]+/tasks/[^"]+)"', pat_html).group(1)
    assert page_of(ann, server, task_page).status_code == 404


def test_open_content_shows_its_page_but_not_its_versions_to_others(world):
    """bob may open the `all` item (its page and link) but is on no list: no versions, logs or sharing."""
    server = world["server"]
    html = page_of(session(server, "bob"), server, "/connect/apps/" + world["public"]).text
    assert "Open page" in html and 'class="live-link" href="/content/%s/"' % world["public"] in html
    for section in ("versions", "sharing", "deploy-logs", "app-log", "environment"):
        assert 'id="%s"' % section not in html, section


def test_unseen_and_unknown_content_get_the_same_404(world):
    server = world["server"]
    bob = session(server, "bob")
    unseen = page_of(bob, server, "/connect/apps/" + world["guid"])
    unknown = page_of(bob, server, "/connect/apps/00000000-0000-0000-0000-000000000000")
    assert unseen.status_code == unknown.status_code == 404
    assert unseen.text == unknown.text
    assert "Quarterly" not in unseen.text and "pat" not in unseen.text
    task_page = "/connect/apps/%s/tasks/%s" % (world["guid"], "x" * 16)
    assert page_of(bob, server, task_page).status_code == 404


@pytest.mark.browser
def test_the_dashboard_url_opens_the_item_page(world, browser):
    context = browser.new_context()
    world["server"].sign_in(context, "pat", PASSWORDS["pat"])
    page = context.new_page()
    page.goto(world["dashboard_url"])
    page.wait_for_url("**/connect/apps/%s" % world["guid"])
    assert page.locator("h1.item-title").inner_text() == "Quarterly report"
    # A draft's link (rsconnect-python shows dashboard_url/draft/ID) opens that version's preview.
    draft = world["bundles"][0]
    page.goto("%s/draft/%s" % (world["dashboard_url"], draft))
    page.wait_for_url("**/content/%s/_bundle%s/" % (world["guid"], draft))
    assert "version one" in page.content()
    context.close()


def test_the_app_log_is_shown_to_those_who_may_change_the_content(world):
    """An API's own output (tests/apps/chatty prints numbered lines) on its page: pat sees it, ann
    (a viewer on the list) does not."""
    pat, server = world["pat"], world["server"]
    item = pat.create("chatty-api", "Chatty API")
    task, lines = pat.publish(item["guid"], app_bundle("chatty", "python-api", "app:app"))
    assert task["code"] == 0, "\n".join(lines)
    users = {u["username"]: u["guid"] for u in world["admin"]("GET", "v1/users").json()["results"]}
    r = pat(
        "POST",
        "v1/content/%s/permissions" % item["guid"],
        json={"principal_guid": users["ann"], "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text
    r = pat.get(server.url + "content/%s/?lines=3" % item["guid"])
    assert r.status_code == 200 and r.text == "printed 3 lines", r.text
    path = "/connect/apps/" + item["guid"]
    html = page_of(session(server, "pat"), server, path).text
    log = re.search(r'<section id="app-log">(.*?)</section>', html, re.S).group(1)
    assert "chatty line 0000002" in log and "running" in log
    assert "API (Flask)" in html
    viewer_html = page_of(session(server, "ann"), server, path).text
    assert 'id="app-log"' not in viewer_html and "chatty line" not in viewer_html
    assert "Chatty API" in viewer_html


def test_a_published_notebook_shows_up_with_its_versions_and_logs(local_server):
    """On the session's server (its environments are built once): two versions of a notebook."""
    admin = Client(local_server)
    item = admin.create(title="Dashboard notebook")
    for text in ("first render", "second render"):
        task, lines = admin.publish(item["guid"], notebook_bundle("print(%r)" % text))
        assert task["code"] == 0, "\n".join(lines)
    s = session(local_server, "admin")
    listing = page_of(s, local_server, "/connect/").text
    row = re.search(r'<tr class="item" data-guid="%s">(.*?)</tr>' % item["guid"], listing, re.S).group(1)
    assert "Dashboard notebook" in row and "Document with source code" in row and "admin" in row
    html = page_of(s, local_server, "/connect/apps/" + item["guid"]).text
    bundles = [b["id"] for b in admin("GET", "v1/content/%s/bundles" % item["guid"]).json()]
    assert len(bundles) == 2
    for bundle_id in bundles:
        assert 'data-bundle="%s"' % bundle_id in html
        assert "Deploying bundle %s of content %s." % (bundle_id, item["guid"]) in html
    assert html.count('<details class="task"') == 2
    assert "second render" in local_server.get(item["content_url"]).text


@pytest.mark.browser
def test_the_dashboard_url_opens_the_item_after_signing_in(world, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(world["dashboard_url"])
        page.wait_for_url("**/__login__?next=%2Fconnect%2Fapps%2F" + world["guid"])
        page.fill('input[name="username"]', "ann")
        page.fill('input[name="password"]', PASSWORDS["ann"])
        page.click('button[type="submit"]')
        page.wait_for_url("**/connect/apps/%s" % world["guid"])
        assert page.locator("h1.item-title").inner_text() == "Quarterly report"
    finally:
        context.close()


# -- actions ---------------------------------------------------------------------------------------
@pytest.mark.browser
def test_activate_an_older_version_in_chromium_serves_it(world, browser):
    guid = world["guid"]
    first, second = world["bundles"][:2]
    assert live_text(world) == "<p>version two</p>"
    context = browser.new_context()
    world["server"].sign_in(context, "pat", PASSWORDS["pat"])
    page = context.new_page()
    page.set_default_timeout(60000)
    try:
        page.goto(world["server"].url + "connect/apps/" + guid)
        page.locator('tr.version[data-bundle="%s"] button.activate' % first).click()
        page.wait_for_url(re.compile(r".*/connect/apps/%s/tasks/[A-Za-z0-9_-]+$" % guid))
        page.wait_for_selector('.task-status[data-status="done"]')  # the page reloads until it is
        assert "Bundle %s is live." % first in page.locator("pre.log").inner_text()
        assert live_text(world) == "<p>version one</p>"
        # The item page says so, and the other version can be activated back.
        page.goto(world["server"].url + "connect/apps/" + guid)
        assert page.locator('tr.version[data-bundle="%s"] td.state' % first).inner_text().startswith("live")
        page.locator('tr.version[data-bundle="%s"] button.activate' % second).click()
        page.wait_for_selector('.task-status[data-status="done"]')
        assert live_text(world) == "<p>version two</p>"
    finally:
        context.close()


@pytest.mark.browser
def test_delete_removes_a_version_that_is_not_live(world, browser):
    guid = world["guid"]
    spare = world["pat"].upload(guid, static_bundle("<p>spare</p>"))["id"]
    context = browser.new_context()
    world["server"].sign_in(context, "pat", PASSWORDS["pat"])
    page = context.new_page()
    try:
        page.goto(world["server"].url + "connect/apps/" + guid)
        row = page.locator('tr.version[data-bundle="%s"]' % spare)
        assert not row.locator("button.delete").is_visible()  # asked first: one click removes nothing
        row.locator("summary.delete-ask").click()
        row.locator("button.delete").click()
        page.wait_for_url("**/connect/apps/%s" % guid)
        assert page.locator('tr.version[data-bundle="%s"]' % spare).count() == 0
    finally:
        context.close()
    assert spare not in bundle_ids(world)
    assert live_text(world) == "<p>version two</p>"


def test_the_live_version_cannot_be_deleted(world):
    server = world["server"]
    pat = session(server, "pat")
    url = server.url + "connect/apps/%s" % world["guid"]
    token = csrf_of(pat.get(url, timeout=60).text)
    live = world["bundles"][1]
    before = bundle_ids(world)
    r = pat.post("%s/bundles/%s/delete" % (url, live), data={"csrf": token}, allow_redirects=False, timeout=60)
    assert r.status_code == 409 and "is live and cannot be removed" in r.text
    assert bundle_ids(world) == before


def test_someone_who_may_not_change_the_content_is_refused(world):
    """ann sees the item (a viewer on its list) and has a valid token of her own: still refused."""
    server = world["server"]
    ann = session(server, "ann")
    url = server.url + "connect/apps/%s" % world["guid"]
    token = csrf_of(ann.get(url, timeout=60).text)
    before = bundle_ids(world)
    for action in ("delete", "activate"):
        r = ann.post(
            "%s/bundles/%s/%s" % (url, world["bundles"][0], action),
            data={"csrf": token},
            allow_redirects=False,
            timeout=60,
        )
        assert r.status_code == 403 and "owner, collaborators and administrators" in r.text
    assert bundle_ids(world) == before and live_text(world) == "<p>version two</p>"
    bob = session(server, "bob")  # not on the list: the item does not exist for him
    token = csrf_of(bob.get(server.url + "connect/", timeout=60).text)
    r = bob.post("%s/bundles/%s/delete" % (url, world["bundles"][0]), data={"csrf": token}, timeout=60)
    assert r.status_code == 404 and bundle_ids(world) == before


def test_csrf_a_post_without_the_token_or_from_elsewhere_is_refused(world):
    server = world["server"]
    spare = world["pat"].upload(world["guid"], static_bundle("<p>spare for csrf</p>"))["id"]
    url = server.url + "connect/apps/%s/bundles/%s/delete" % (world["guid"], spare)
    pat = session(server, "pat")
    own_token = csrf_of(pat.get(server.url + "connect/", timeout=60).text)
    other_token = csrf_of(session(server, "pat").get(server.url + "connect/", timeout=60).text)
    assert other_token != own_token
    before = bundle_ids(world)
    attempts = {
        "no token": {"data": {}},
        "an empty token": {"data": {"csrf": ""}},
        "another session's token": {"data": {"csrf": other_token}},
        "a foreign Origin": {"data": {"csrf": own_token}, "headers": {"Origin": "http://evil.example"}},
        "a cross-site fetch": {"data": {"csrf": own_token}, "headers": {"Sec-Fetch-Site": "cross-site"}},
    }
    for what, kwargs in attempts.items():
        r = pat.post(url, allow_redirects=False, timeout=60, **kwargs)
        assert r.status_code == 403, what
        assert bundle_ids(world) == before, what
    # No session at all, with a token: refused too.
    r = requests.post(url, data={"csrf": own_token}, allow_redirects=False, timeout=60)
    assert r.status_code == 403 and bundle_ids(world) == before
    # The same request with the right token from this server's page works (the refusals were real).
    r = pat.post(url, data={"csrf": own_token}, allow_redirects=False, timeout=60)
    assert r.status_code == 303 and spare not in bundle_ids(world)


# -- hostile input ----------------------------------------------------------------------------------
@pytest.mark.browser
def test_markup_in_titles_and_variable_names_is_shown_as_text(world, browser):
    context = browser.new_context()
    world["server"].sign_in(context, "pat", PASSWORDS["pat"])
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path in ("connect/", "connect/apps/" + world["hostile"]):
            page.goto(world["server"].url + path)
            page.wait_for_load_state("load")
            assert page.locator("main img").count() == 0, path
            assert page.locator("main script").count() == 0, path
            assert page.evaluate("window.__pwned") is None, path
        assert page.locator("h1.item-title").inner_text() == XSS_TITLE
        assert XSS_ENV_NAME in page.locator("ul.env-names").inner_text()
        assert SECRET_VALUE not in page.content()
        page.goto(world["server"].url + "connect/")
        assert XSS_TITLE in page.locator('tr[data-guid="%s"] a.item-link' % world["hostile"]).inner_text()
    finally:
        context.close()
    assert dialogs == []


@pytest.mark.browser
def test_published_content_cannot_read_the_dashboard_or_act_with_the_viewers_session(world, browser):
    """A static page of pat's runs its script when the administrator opens it (on the server's
    origin, with the session cookie): it cannot read /connect/ or an item page (they answer only
    top-level navigations, never in a frame), so it has no CSRF token, and its POSTs (a fetch, and
    a form it submits) change nothing."""
    guid = world["guid"]
    spare = world["pat"].upload(guid, static_bundle("<p>keep me</p>"))["id"]
    item_page = "/connect/apps/%s" % guid
    target = "%s/bundles/%s/delete" % (item_page, spare)
    html = """
<p id="read">waiting</p><p id="item">waiting</p><p id="frame">waiting</p><p id="post">waiting</p>
<form id="steal" method="post" action="TARGET"><input type="hidden" name="csrf" value="guess"></form>
<button id="go">go</button>
<iframe id="f" src="/connect/"></iframe>
<script>
function show(id, text) { document.getElementById(id).textContent = text; }
function read(id, url) {
  fetch(url, {credentials: 'include'})
    .then(function (r) { return r.text().then(function (t) {
      show(id, 'READ ' + r.status + (t.indexOf('Quarterly') >= 0 || t.indexOf('name="csrf"') >= 0 ? ' LEAKED' : ''));
    }); })
    .catch(function (e) { show(id, 'FAILED ' + e); });
}
read('read', '/connect/');
read('item', 'ITEM');
document.getElementById('f').addEventListener('load', function () {
  var text;
  try { text = this.contentDocument ? this.contentDocument.body.innerText : 'NO DOCUMENT'; }
  catch (e) { text = 'BLOCKED ' + e; }
  show('frame', text.indexOf('Quarterly') >= 0 ? 'LEAKED' : 'SAW: ' + text.slice(0, 80));
});
fetch('TARGET', {method: 'POST', credentials: 'include',
                 headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=guess'})
  .then(function (r) { show('post', 'POSTED ' + r.status); })
  .catch(function (e) { show('post', 'FAILED ' + e); });
document.getElementById('go').addEventListener('click', function () { document.getElementById('steal').submit(); });
</script>""".replace("TARGET", target).replace("ITEM", item_page)
    evil = world["pat"].create("curious-page", "Curious page")
    task, lines = world["pat"].publish(evil["guid"], static_bundle(html))
    assert task["code"] == 0, lines
    context = browser.new_context()
    world["server"].sign_in(context)  # the administrator: may see and change everything
    page = context.new_page()
    page.set_default_timeout(30000)
    try:
        page.goto(world["server"].url + "content/%s/" % evil["guid"])
        for id in ("read", "item", "frame", "post"):
            page.wait_for_function("document.getElementById('%s').textContent !== 'waiting'" % id)
        results = {id: page.locator("#" + id).inner_text() for id in ("read", "item", "frame", "post")}
        assert results["read"] == "READ 403" and results["item"] == "READ 403", results
        assert "LEAKED" not in results["frame"], results
        assert results["post"] == "POSTED 403", results
        assert spare in bundle_ids(world)
        # The form it submits is a navigation from this origin, but carries no valid token.
        with page.expect_navigation() as navigation:
            page.click("#go")
        assert navigation.value.status == 403
    finally:
        context.close()
    assert spare in bundle_ids(world)
