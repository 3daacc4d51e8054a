"""The add-server dialog and the saved servers, in notebook 6.5 and JupyterLab 4
(tests/ui/conftest.py): a wrong key and a viewer's key are refused in one sentence with nothing
saved, and a saved server can be removed from the publish dialog (removing the last one leads back
to adding one)."""

import json

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import unique

pytestmark = pytest.mark.browser


def open_add_server(front, page, path):
    front.ui.open_notebook(page, front.server, path)
    front.ui.click_publish_button(page)
    front.ui.wait_add_server(page)


def assert_one_sentence(message):
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message, message


def test_a_wrong_key_is_one_sentence(front, local_server, page, no_saved_servers):
    path = write_notebook(front.server.root, unique("badkey") + "/notes.ipynb")
    open_add_server(front, page, path)
    front.ui.add_server(page, local_server.url, "0123456789abcdef0123456789abcdef", name="local")
    message = front.ui.dialog_error(page, "#rsc-add-error")
    assert "API key" in message and "0123456789abcdef" not in message
    assert_one_sentence(message)
    assert front.server.api("GET", "servers").json() == {"servers": []}  # nothing saved
    assert page.is_visible("#rsc-add-server-form")  # the user can correct the key in place


def test_a_viewer_is_refused_and_nothing_is_saved(front, local_server, page, no_saved_servers, isolated_config):
    key = local_server.add_user(unique("victor"), "viewer")
    path = write_notebook(front.server.root, unique("viewer") + "/notes.ipynb")
    open_add_server(front, page, path)
    front.ui.add_server(page, local_server.url, key, name="viewer-connect")
    message = front.ui.dialog_error(page, "#rsc-add-error")
    assert "viewer" in message and "cannot publish" in message and key not in message, message
    assert_one_sentence(message)
    assert page.is_visible("#rsc-add-server-form")  # still open: the user can use another key
    assert page.locator("#rsc-publish-form").count() == 0
    assert front.server.api("GET", "servers").json() == {"servers": []}
    saved = isolated_config / "rsconnect-python" / "servers.json"  # as the handlers write it
    if saved.exists():
        assert "viewer-connect" not in json.loads(saved.read_text()) and key not in saved.read_text()


def test_remove_server(front, local_server, page, no_saved_servers):
    """Remove the chosen saved server; removing the last one falls back to the add-server dialog."""
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("rosa"), "publisher")
    for name in ("first-connect", "second-connect"):
        r = server.api("POST", "servers/add", json={"url": local_server.url, "name": name, "api_key": key})
        assert r.status_code == 200, r.text
    path = write_notebook(server.root, unique("remove") + "/notes.ipynb")
    ui.open_notebook(page, server, path)
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    assert page.eval_on_selector_all("#rsc-server option", "os => os.map(o => o.value)") == [
        "first-connect",
        "second-connect",
    ]

    page.select_option("#rsc-server", "second-connect")
    page.click("#rsc-remove-server")
    page.wait_for_function("document.querySelectorAll('#rsc-server option').length === 1")
    assert page.input_value("#rsc-server") == "first-connect"
    assert [s["name"] for s in server.api("GET", "servers").json()["servers"]] == ["first-connect"]

    page.click("#rsc-remove-server")
    page.wait_for_selector("#rsc-server-url", state="visible")  # none left: add one
    page.wait_for_selector("#rsc-publish-form", state="detached")
    assert server.api("GET", "servers").json()["servers"] == []
    assert key not in page.content()  # the browser never held the key
