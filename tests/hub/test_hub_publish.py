"""Two people publishing through one JupyterHub (examples/jupyterhub/jupyterhub_config.py, installed by
docs/jupyterhub.md's commands), in headless Chromium, to the local Connect-compatible server.

user1 signs in on the hub's login page and publishes a notebook from JupyterLab (the finished
document), then with its source from the classic UI (to a new location: content keeps its mode).
user2 gets a copy of the notebook (same metadata), saves the same server with their own key, is
told to publish a copy until user1 makes them a collaborator, then republishes to the same content.
Neither key reaches a page, a response or the hub's log (which holds the proxy's and the
single-user servers' output too), and user2 cannot read user1's saved servers.
"""

import os
import pwd
import stat
import time
import uuid

import pytest
import requests

from tests.extension import extension_ui as classic
from tests.extension.extension_notebooks import write_notebook
from tests.hub.conftest import Recorder, another_page
from tests.hub.hub_servers import HubClassic, HubLab, give_file, sign_in
from tests.lab import lab_ui
from tests.reliability.secrets_helpers import Secrets
from tests.ui.adapter import assert_serves, make_collaborator

# The first test also installs the hub with pip (the guide's commands): more than the default 600 s
# on a cold package cache.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def bundles_of(local_server, key, guid):
    return local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()


def log_in(hub, user, timeout):
    """A requests session that sent `user`'s name and password on the hub's login page; and its answer."""
    s = requests.Session()
    s.get(hub.url + "hub/login", timeout=30)
    r = s.post(
        hub.url + "hub/login?next=",
        data={"username": user.name, "password": user.password, "_xsrf": s.cookies.get("_xsrf", path="/hub/")},
        timeout=timeout,
    )
    return s, r


def signed_in(hub, user):
    """A requests session signed in to the hub as `user`, once their single-user server answers."""
    s, r = log_in(hub, user, timeout=180)
    assert r.status_code == 200, r.status_code
    # Wait for the single-user server (it may be starting). Its first page takes the session
    # through the hub's OAuth (API requests without that cookie get a 403, not a redirect).
    for _ in range(120):
        r = s.get(hub.user_url(user) + "lab", timeout=30)
        if r.status_code == 200 and r.url.startswith(hub.user_url(user)):
            r = s.get(hub.user_url(user) + "rsconnect_jupyter/rules", timeout=30)
            if r.status_code == 200 and "env_name_pattern" in r.text:
                return s
        time.sleep(1)
    raise AssertionError(
        "the single-user server of %s did not answer (%s %s); the hub's log:\n%s"
        % (user.name, r.status_code, r.url, hub.log()[-3000:])
    )


def test_two_users_publish_and_share_through_the_hub(hub, two_users, local_server, browsers, tmp_path):
    user1, user2 = two_users
    key1 = local_server.add_user(unique("ann"), "publisher")
    key2 = local_server.add_user(unique("ben"), "publisher")
    keys = Secrets(key1=key1, key2=key2)
    seen1, seen2 = Recorder(), Recorder()

    # user1: a notebook in their home, published from JupyterLab (the hub's default UI).
    path = "reports/sales.ipynb"
    give_file(user1, tmp_path / write_notebook(tmp_path, "sales.ipynb", heading="Quarterly sales"), path)
    # The single-user servers start before the browsers sign in: the hub's spawn page streams its
    # progress and leaves the moment it ends, too soon for that stream's body to be read.
    signed_in(hub, user1)
    signed_in(hub, user2)
    page1 = browsers(seen1)
    sign_in(page1, hub, user1)
    seen1.settle(page1)
    lab1 = HubLab(hub.user_url(user1), user1.home)
    first_url = lab_ui.publish_first_time(page1, lab1, path, local_server.url, key1, name="team-connect")
    assert first_url.startswith(local_server.url)
    assert_serves(first_url, "Quarterly sales", key1)  # new content is `acl`: user1's key
    record = lab_ui.wait_saved(lab1, path, local_server.url, first_url)
    assert record["app_mode"] == "static"
    guid = record["content_guid"]

    # ...then with its source, from the classic UI of the same single-user server.
    seen1.settle(page1)
    classic1 = HubClassic(hub.user_url(user1), user1.home)
    lab_page1, page1 = page1, another_page(page1.context)
    classic.open_notebook(page1, classic1, path)
    classic.click_publish_button(page1)
    classic.wait_publish_dialog(page1)  # the saved server: no add-server dialog this time
    classic.choose_mode(page1, source=True)
    classic.submit_publish(page1)
    # Content keeps its mode, so the dialog asks: that content can't be overwritten in this mode,
    # and user1 publishes to a new location.
    classic.wait_conflict_dialog(page1)
    assert "sales" in page1.inner_text("#rsc-conflict-form")
    assert page1.is_disabled("input[data-guid='%s']" % guid)
    page1.click("#rsc-conflict-new")
    url = classic.wait_published(page1)
    assert url.startswith(local_server.url) and url != first_url
    assert_serves(url, "Quarterly sales", key1)
    record = lab_ui.wait_saved(lab1, path, local_server.url, url)
    assert record["app_mode"] == "jupyter-static" and record["content_guid"] != guid
    guid = record["content_guid"]
    assert len(bundles_of(local_server, key1, guid)) == 1

    # user1's saved servers: in their home, theirs alone.
    servers = user1.home / ".rsconnect-python" / "servers.json"
    info = servers.stat()
    assert info.st_uid == pwd.getpwnam(user1.name).pw_uid
    assert stat.S_IMODE(info.st_mode) == 0o600
    peek = user2.run_as("cat", str(servers))
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, peek
    assert keys.find(servers.read_bytes()) == ["key1"]

    # user2: a copy of the notebook (its metadata names the content), their own key.
    copy = give_file(user2, user1.home / path, "from-user1/sales.ipynb")
    page2 = browsers(seen2)
    sign_in(page2, hub, user2)
    seen2.settle(page2)
    lab2 = HubLab(hub.user_url(user2), user2.home)
    lab_ui.open_publish_dialog(page2, lab2, "from-user1/sales.ipynb", local_server.url, key2, name="my-connect")
    assert page2.is_visible("#rsc-new-location")  # the notebook was published to this server
    lab_ui.submit_publish(page2)
    message = lab_ui.dialog_error(page2)
    assert "collaborator" in message and '"Publish to a new location"' in message, message
    assert len(bundles_of(local_server, key1, guid)) == 1  # nothing reached the content

    # user1 makes user2 a collaborator (as Connect's Sharing panel does); user2 publishes again.
    make_collaborator(local_server, guid, key1, key2)
    lab_ui.submit_publish(page2)
    assert lab_ui.wait_published(page2) == url
    assert lab_ui.wait_saved(lab2, "from-user1/sales.ipynb", local_server.url, url)["content_guid"] == guid
    assert len(bundles_of(local_server, key1, guid)) == 2
    assert_serves(url, "Quarterly sales", key2)  # user2, now a collaborator, sees it too

    # No key anywhere it should not be: the notebooks, the pages, every response, the hub's log.
    user2_servers = user2.home / ".rsconnect-python" / "servers.json"
    assert keys.find(user2_servers.read_bytes()) == ["key2"]
    assert stat.S_IMODE(user2_servers.stat().st_mode) == 0o600
    assert keys.find((user1.home / path).read_bytes()) == []
    assert keys.find(copy.read_bytes()) == []
    assert [keys.find(page.content()) for page in (lab_page1, page1, page2)] == [[], [], []]
    for page in (lab_page1, page1, page2):
        Recorder.settle(page)
    responses = seen1.seen() + seen2.seen()
    assert len(responses) > 50  # the pages, the hub's API, our handlers' answers
    leaks = {address: keys.find(body) for address, body in responses if keys.find(body)}
    assert leaks == {}
    log = hub.log()
    assert "/user/%s/rsconnect_jupyter/publish" % user2.name in log  # the single-user servers log here
    assert keys.find(log) == []


def test_the_hub_guards_the_publishing_handlers(hub, two_users):
    """Our handlers sit behind the hub's sign-in and XSRF check: a POST without the XSRF token, or
    from another person's session, changes nothing."""
    user1, user2 = two_users

    servers = user1.home / ".rsconnect-python" / "servers.json"
    before = servers.read_bytes() if servers.exists() else None
    add = hub.user_url(user1) + "rsconnect_jupyter/servers/add"
    body = {"url": "http://127.0.0.1:9/", "name": "planted", "api_key": "k" * 32}

    own = signed_in(hub, user1)
    r = own.post(add, json=body, timeout=30)  # signed in, but no X-XSRFToken header
    assert r.status_code == 403, (r.status_code, r.text[:300])
    other = signed_in(hub, user2)
    r = other.post(
        add,
        json=body,
        headers={"X-XSRFToken": other.cookies.get("_xsrf", path="/user/%s/" % user2.name) or ""},
        timeout=30,
    )
    assert r.status_code in (302, 403), (r.status_code, r.text[:300])
    r = requests.post(add, json=body, timeout=30, allow_redirects=False)  # nobody signed in
    assert r.status_code in (302, 403), r.status_code
    assert (servers.read_bytes() if servers.exists() else None) == before
    listed = own.get(hub.user_url(user1) + "rsconnect_jupyter/servers", timeout=30).json()
    assert "planted" not in [s["name"] for s in listed["servers"]]
    assert os.path.exists(user1.home)


def test_only_the_hub_group_signs_in(hub, hub_users):
    """The configuration lets in members of jupyterhub-users: another Unix account, with its right
    password, stays on the login page and gets no server."""
    outsider = hub_users.add("outsider", in_group=False)
    s, r = log_in(hub, outsider, timeout=60)
    assert r.status_code == 403 and "/hub/login" in r.url, (r.status_code, r.url)
    assert "Invalid username or password" in r.text
    r = s.get(hub.user_url(outsider) + "lab", timeout=30)
    assert "/hub/login" in r.url  # sent back to sign in
    assert not (outsider.home / ".rsconnect-python").exists()
