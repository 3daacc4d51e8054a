"""Every notebook UI's add-server dialog signs in with Connect instead of taking an API key, by
either flow the server offers (its RFC 8414 metadata): the device flow, where the dialog shows a
code and opens the server's approval page in a new tab, and the authorization code flow, where the
tab opens the server's sign-in and consent pages, which send it back to the Jupyter server's own
callback URL. A person signs in and approves there, the Jupyter server (which holds the PKCE
verifier and state, and exchanges the code itself) saves the server, and the notebook publishes.
No token reaches a response, the page, the notebook or a log. A server without OAuth gets one
sentence that says to use an API key."""

import json

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.reliability.secrets_helpers import Secrets
from tests.ui.adapter import approve_in_browser, approve_sign_in, unique

pytestmark = pytest.mark.browser


def open_add_server(ui, page, server, path, url, name):
    page.set_viewport_size({"width": 1280, "height": 800})  # the check: a laptop's screen
    ui.open_notebook(page, server, path)
    ui.click_publish_button(page)
    ui.wait_add_server(page)  # in the classic UI, the fade-in's end: before it, typed text is lost
    page.wait_for_selector("#rsc-signin", state="visible")
    for selector, value in (("#rsc-server-url", url), ("#rsc-nickname", name)):
        page.fill(selector, value)
        assert page.input_value(selector) == value, "%s did not take the text" % selector


def in_view(page, selector):
    """Whether the element is wholly inside the 1280x800 window, as shown (no scrolling)."""
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }",
    )


def test_sign_in_with_connect_then_publish_without_an_api_key(
    front, local_server, page, no_saved_servers, isolated_config
):
    ui, server = front.ui, front.server
    who, password = unique("signer"), "signer-password-1"
    local_server.add_user(who, "publisher", password=password)
    path = write_notebook(server.root, unique("signin") + "/report.ipynb")
    answers = []
    page.on("response", lambda r: answers.append(r) if "/rsconnect_jupyter/" in r.url else None)

    name = unique("signed")
    open_add_server(ui, page, server, path, local_server.url, name)
    assert page.input_value("#rsc-api-key") == ""
    approve_sign_in(page, who, password).close()

    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert url.startswith(local_server.url + "content/")
    item = [c for c in local_server.api("GET", "v1/content").json() if url.startswith(c["content_url"])][0]
    assert local_server.api("GET", "v1/users/" + item["owner_guid"]).json()["username"] == who

    saved = json.loads((isolated_config / "rsconnect-python" / "servers.json").read_text())[name]
    assert saved["oauth_client_id"] and not saved["api_key"]
    tokens = Secrets(access=saved["oauth_access_token"], refresh=saved["oauth_refresh_token"])
    for answer in answers:
        try:
            body = answer.body()
        except Exception:  # a redirect or an aborted request has no body
            continue
        assert tokens.find(body) == [], answer.url
    assert tokens.find(page.content()) == []
    assert tokens.find((server.root / path).read_bytes()) == []
    assert tokens.find(server.log()) == [] and tokens.find(local_server.log()) == []


def test_sign_in_with_the_authorization_code_flow_then_publish(
    front, local_server, page, no_saved_servers, isolated_config
):
    ui, server = front.ui, front.server
    who, password = unique("coder"), "coder-password-1"
    local_server.add_user(who, "publisher", password=password)
    path = write_notebook(server.root, unique("codeflow") + "/report.ipynb")
    answers = []
    page.context.on("response", lambda r: answers.append(r))  # every tab's: the dialog's and the sign-in's

    name = unique("coded")
    open_add_server(ui, page, server, path, local_server.url, name)
    page.wait_for_selector("#rsc-signin-browser", state="visible")
    assert in_view(page, "#rsc-signin-browser") and in_view(page, "#rsc-signin")
    tab = approve_in_browser(page, server.url, who, password)
    assert tab.inner_text("#rsc-signin-result") == "Signed in to %s. You may close this tab." % name
    tab.close()

    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    item = [c for c in local_server.api("GET", "v1/content").json() if url.startswith(c["content_url"])][0]
    assert local_server.api("GET", "v1/users/" + item["owner_guid"]).json()["username"] == who

    saved = json.loads((isolated_config / "rsconnect-python" / "servers.json").read_text())[name]
    assert saved["oauth_client_id"] and not saved["api_key"]
    tokens = Secrets(access=saved["oauth_access_token"], refresh=saved["oauth_refresh_token"])
    assert any("/rsconnect_jupyter/oauth/callback?" in a.url for a in answers)
    for answer in answers:
        try:
            body = answer.body()
        except Exception:  # a redirect or an aborted request has no body
            continue
        assert tokens.find(body) == [], answer.url
        assert tokens.find(repr(answer.headers)) == [], answer.url
    assert tokens.find(page.content()) == []
    assert tokens.find((server.root / path).read_bytes()) == []
    assert tokens.find(server.log()) == [] and tokens.find(local_server.log()) == []


def test_a_server_without_oauth_gets_one_sentence(front, page, no_saved_servers):
    """The Jupyter server itself answers 404 at /.well-known/oauth-authorization-server: no OAuth."""
    ui, server = front.ui, front.server
    path = write_notebook(server.root, unique("nooauth") + "/report.ipynb")
    open_add_server(ui, page, server, path, server.url, unique("old"))
    with page.context.expect_page() as opened:
        page.click("#rsc-signin")
    page.wait_for_selector("#rsc-add-error", state="visible")
    message = page.inner_text("#rsc-add-error").strip()
    assert "does not offer sign-in with Connect" in message and message.endswith("use an API key instead.")
    tab = opened.value  # the tab opened for the approval page closes again
    if not tab.is_closed():  # the sync API handles events only inside its calls: no race here
        tab.wait_for_event("close")
    assert tab.is_closed()
