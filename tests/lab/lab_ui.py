"""Driving JupyterLab 4 / Notebook 7's notebook page and the extension's dialogs (by element ids;
dialog buttons by the class names the extension gives them), and what the notebook file remembers."""

import json
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

DIALOG = ".rsc-modal .jp-Dialog-content"  # the open dialog's visible box (tests/ui)
PUBLISH_TIMEOUT_MS = 400000  # a source publish builds a Python environment on the (busy) local server


def open_notebook(page, lab, path):
    """Open a notebook and wait for the extension's toolbar button (the kernel may still be starting)."""
    page.goto(lab.notebook_url(path))
    page.wait_for_selector(".rsc-publish-button", state="visible", timeout=60000)


def click_publish_button(page):
    page.click(".rsc-publish-button")


def add_server(page, url, api_key, name=""):
    """Fill and submit the add-server dialog (it must be open)."""
    page.wait_for_selector("#rsc-server-url", state="visible")
    page.fill("#rsc-server-url", url)
    page.fill("#rsc-nickname", name)
    page.fill("#rsc-api-key", api_key)
    page.click(".jp-Dialog button.rsc-add-submit")


def wait_publish_dialog(page):
    page.wait_for_selector("#rsc-publish-form", state="visible")


def choose_mode(page, source):
    page.check("#rsc-mode-source" if source else "#rsc-mode-static")


def submit_publish(page):
    page.click(".jp-Dialog button.rsc-publish-submit")


def dialog_text(page):
    """Status, error and deploy log of the publish dialog, and the page's console errors."""
    shown = page.evaluate(
        "['#rsc-status', '#rsc-error', '#rsc-log'].map("
        "s => (document.querySelector(s) || {}).textContent || '').join('\\n')"
    )
    return "%s\nconsole errors: %s" % (shown, getattr(page, "console_errors", []))


# Done: the toolbar link is there, or the dialog shows an error, or it closed without a link.
FINISHED = """() => document.querySelector('.rsc-published') !== null
    || document.querySelector('#rsc-publish-form') === null
    || (document.querySelector('#rsc-error') || {style: {display: 'none'}}).style.display !== 'none'"""


def wait_published(page):
    """The toolbar link appears when the publish succeeded; returns its URL."""
    try:
        page.wait_for_function(FINISHED, timeout=PUBLISH_TIMEOUT_MS)
    except Exception as e:
        raise AssertionError("publishing did not finish; the dialog said: %s" % dialog_text(page)) from e
    if page.locator(".rsc-published").count() == 0:
        raise AssertionError("publishing did not succeed; the dialog said: %s" % dialog_text(page))
    return page.get_attribute(".rsc-published", "href")


def open_publish_dialog(page, lab, path, server_url, api_key, name="local"):
    """First use on this page: add the server, then the publish dialog is open."""
    open_notebook(page, lab, path)
    click_publish_button(page)
    add_server(page, server_url, api_key, name)
    wait_publish_dialog(page)


def publish_first_time(page, lab, path, server_url, api_key, name="", source=False):
    """First use: the add-server dialog, then the publish dialog. Returns the published URL."""
    open_publish_dialog(page, lab, path, server_url, api_key, name)
    choose_mode(page, source)
    submit_publish(page)
    return wait_published(page)


def run_from_palette(page, label):
    """Open the command palette (Ctrl+Shift+C in both front ends) and run a command by its label."""
    palette = ".jp-mod-commandPalette input, #command-palette input"
    # A page that has just opened may not have bound its shortcuts yet (seen on a loaded machine:
    # the key went unheard and the palette stayed hidden): press again until it opens.
    for _ in range(6):
        page.click(".jp-Notebook")  # focus the notebook, so the command applies to it
        page.keyboard.press("Control+Shift+C")
        try:
            page.wait_for_selector(palette, state="visible", timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_selector(palette, state="visible")
    page.keyboard.type(label)
    page.click(".lm-CommandPalette-item:has-text('%s')" % label)


def dialog_error(page, selector="#rsc-error"):
    """The one sentence a dialog shows when something went wrong (waits for it)."""
    page.wait_for_selector(selector, state="visible", timeout=PUBLISH_TIMEOUT_MS)
    return page.inner_text(selector).strip()


def wait_status(page, text):
    """The publish dialog's status line says `text` (e.g. after "Save package list (manifest.json)")."""
    page.wait_for_function(
        "(document.querySelector('#rsc-status') || {}).textContent.indexOf(%r) >= 0" % text, timeout=PUBLISH_TIMEOUT_MS
    )


# -- what the notebook file remembers ------------------------------------------------------------
def saved_metadata(lab, path):
    """The notebook file's `rsconnect` metadata, as on disk (None if there is none)."""
    return json.loads((lab.root / path).read_text())["metadata"].get("rsconnect")


def record_for(lab, path, server_url):
    return saved_metadata(lab, path)["servers"][server_url.rstrip("/")]


def wait_saved(lab, path, server_url, content_url, timeout=30):
    """The record of the publish to `content_url` has reached the notebook's file; returns it.
    (JupyterLab's unsaved mark is no sign: a kernel that starts after the save marks it again.)"""
    deadline = time.time() + timeout
    while True:
        try:
            record = record_for(lab, path, server_url)
        except (TypeError, KeyError, ValueError):  # no record yet, or the file mid-write
            record = None
        if record and record["content_url"] == content_url:
            return record
        if time.time() > deadline:
            raise AssertionError("the notebook file does not remember %s: %r" % (content_url, record))
        time.sleep(0.2)
