"""Driving the notebook page: open a notebook, use the extension's dialogs (by their element ids)."""

import json

DIALOG = ".rsc-modal.in .modal-content"  # the open dialog's visible box (tests/ui)
PUBLISH_TIMEOUT_MS = 400000  # a source publish builds a Python environment on the (busy) local server


def open_notebook(page, jupyter, path):
    """Open a notebook and wait for the extension's button and a connected kernel."""
    page.goto(jupyter.notebook_url(path))
    wait_notebook_ready(page)


def wait_notebook_ready(page):
    """The classic notebook page (at any address) is loaded, with a connected kernel and our button."""
    page.wait_for_function(
        "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded"
        " && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
        timeout=60000,
    )
    page.wait_for_selector("#rsc-publish-button")


def click_publish_button(page):
    page.click("#rsc-publish-button")


def add_server(page, url, api_key, name=""):
    """Fill and submit the add-server dialog (it must be open). Typing waits for the dialog to be
    ready: before that, Jupyter moves the focus to a button and the text would be lost."""
    page.wait_for_selector(".rsc-modal.rsc-ready #rsc-server-url", state="visible")
    # A user sees the cursor in the URL field once the dialog has opened.
    assert page.evaluate("document.activeElement.id") == "rsc-server-url"
    for selector, value in (("#rsc-server-url", url), ("#rsc-nickname", name), ("#rsc-api-key", api_key)):
        page.fill(selector, value)
        assert page.input_value(selector) == value, "%s did not take the text" % selector
    page.click("#rsc-add-submit")


def wait_publish_dialog(page):
    """The publish dialog, ready for input; fails at once with the add-server dialog's sentence
    if that refused the server."""
    page.wait_for_function(
        "$('.rsc-publish-modal.rsc-ready #rsc-publish-form').is(':visible') || $('#rsc-add-error').is(':visible')"
    )
    if page.is_visible("#rsc-add-error"):
        raise AssertionError("the add-server dialog refused: %s" % page.inner_text("#rsc-add-error"))


def wait_conflict_dialog(page):
    """The question is a step of the publish dialog."""
    page.wait_for_selector(".rsc-publish-modal #rsc-conflict-form", state="visible")


def choose_mode(page, source):
    page.check("#rsc-mode-source" if source else "#rsc-mode-static")


def submit_publish(page):
    page.click("#rsc-publish-submit")


def wait_published(page):
    """The toolbar notification appears when the publish succeeded; returns its URL."""
    try:
        page.wait_for_function(
            "$('#notification_rsconnect.rsc-published').is(':visible') || $('#rsc-error').is(':visible')",
            timeout=PUBLISH_TIMEOUT_MS,
        )
    except Exception as e:
        raise AssertionError("publishing did not finish; the dialog said: %s" % dialog_text(page)) from e
    if page.is_visible("#rsc-error"):
        raise AssertionError("publishing failed: %s" % dialog_text(page))
    return page.get_attribute("#notification_rsconnect", "data-url")


def dialog_text(page):
    """Status, error and deploy log of the publish dialog, for failure messages."""
    return page.evaluate("[$('#rsc-status').text(), $('#rsc-error').text(), $('#rsc-log').text()].join('\\n')")


def dialog_error(page, selector="#rsc-error"):
    page.wait_for_selector(selector, state="visible", timeout=PUBLISH_TIMEOUT_MS)
    return page.inner_text(selector).strip()


def rsconnect_metadata(page):
    return json.loads(page.evaluate("JSON.stringify(Jupyter.notebook.metadata.rsconnect || null)"))


def open_publish_dialog(page, jupyter, path, server_url, api_key, name="local"):
    """First use on this page: add the server, then the publish dialog is open."""
    open_notebook(page, jupyter, path)
    click_publish_button(page)
    add_server(page, server_url, api_key, name)
    wait_publish_dialog(page)


def publish_first_time(page, jupyter, path, server_url, api_key, name="", source=False):
    """First use: the add-server dialog, then the publish dialog. Returns the published URL."""
    open_publish_dialog(page, jupyter, path, server_url, api_key, name)
    choose_mode(page, source)
    submit_publish(page)
    return wait_published(page)
