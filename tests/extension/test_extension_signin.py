"""The toolbar's link to a published document, in a browser that has not signed in to the local server:
the content is `acl` (as on Connect), so the link shows the server's sign-in page; the person signs in
there, as they would, and lands on the published notebook. Under notebook 6.5 and nbclassic."""

from __future__ import annotations

import uuid

import pytest

from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook

pytestmark = pytest.mark.browser


def test_the_published_link_asks_to_sign_in_then_opens_the_notebook(jupyter, local_server, page, no_saved_servers):
    heading = "Signed-in sales " + uuid.uuid4().hex[:6]
    # A title of its own: the administrator sees every item, so a shared title would ask about a conflict.
    path = write_notebook(
        jupyter.root, "signin%s/report%s.ipynb" % (uuid.uuid4().hex[:6], uuid.uuid4().hex[:6]), heading=heading
    )
    url = ui.publish_first_time(page, jupyter, path, local_server.url, local_server.api_key, name="local")
    assert url.startswith(local_server.url)
    guid = ui.rsconnect_metadata(page)["servers"][local_server.url.rstrip("/")]["content_guid"]
    item = local_server.api("GET", "v1/content/%s" % guid).json()
    assert item["access_type"] == "acl"

    # The browser has never signed in to the local server: the link shows its sign-in page, not the notebook.
    assert not [c for c in page.context.cookies(local_server.url) if c["name"].startswith("rsconnect_local_session_")]
    with page.context.expect_page() as opened:
        page.click("#notification_rsconnect")
    document = opened.value
    document.wait_for_load_state()
    assert document.url.startswith(local_server.url + "__login__?"), document.url
    document.wait_for_selector("form[action='/__login__'] input[name=username]", state="visible")
    assert "Sign in" in document.inner_text("h1")
    assert heading not in document.content()

    # The person types the administrator's user name and password, as on any sign-in page.
    document.click("input[name=username]")
    document.keyboard.type("admin")
    document.click("input[name=password]")
    document.keyboard.type(local_server.admin_password)
    with document.expect_navigation():
        document.click("form[action='/__login__'] button[type=submit]")
    document.wait_for_load_state()

    # Back where the link pointed: the published notebook.
    assert document.url.rstrip("/") == url.rstrip("/"), document.url
    assert heading in document.content()
    assert [c for c in page.context.cookies(local_server.url) if c["name"].startswith("rsconnect_local_session_")]
    document.close()
