"""The steps of publishing that every notebook UI has, written once over the few that each UI takes
its own way: how a notebook page opens, where the Publish button and the result link are, when a
dialog is ready for typing. The dialogs are the shared core's (labextension/src/core/), with the
same element ids in every UI. tests/extension/extension_ui.py (the classic Notebook) and
tests/lab/lab_ui.py (JupyterLab 4 and Notebook 7) subclass NotebookUI; the tests take one through
tests/ui/fronts.py's Front."""

import json
import re
import time
import uuid

import requests

PUBLISH_TIMEOUT_MS = 400000  # a source publish builds a Python environment on the (busy) local server

# Shown: the element is there and not hidden by display:none on it or above it.
SHOWN = "s => { const e = document.querySelector(s); return !!e && e.offsetParent !== null; }"
# A publish is over: its dialog has closed (a result link is then expected), or it shows an error.
FINISHED = """() => document.querySelector('#rsc-publish-form') === null
    || ((e => !!e && e.offsetParent !== null)(document.querySelector('#rsc-error')))"""


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def signed_in_publisher(local_server, page, prefix):
    """A new publisher with a password, signed in to the local server in the page's browser (as a
    person who signed in there once); returns the API key."""
    name, password = unique(prefix), unique("pw-")
    key = local_server.add_user(name, "publisher", password=password)
    local_server.sign_in(page.context, name, password)
    return key


def make_collaborator(local_server, guid, owner_key, key):
    """The owner makes the user of `key` a collaborator of the content, as Connect's Sharing panel does."""
    person = local_server.api("GET", "v1/user", key=key).json()
    r = local_server.api(
        "POST",
        "v1/content/%s/permissions" % guid,
        key=owner_key,
        json={"principal_guid": person["guid"], "principal_type": "user", "role": "owner"},
    )
    assert r.status_code in (200, 201), r.text


def assert_serves(url, text, key=None):
    """The content URL serves `text` to a program with the API key `key`: new content is `acl`, so
    it needs the key of someone who may see it (without one, only `all` content answers)."""
    headers = {"Authorization": "Key " + key} if key else {}
    r = requests.get(url, headers=headers, timeout=30)
    assert r.status_code == 200, (url, r.status_code)
    assert text in r.text


# -- what the notebook file remembers ------------------------------------------------------------
def saved_metadata(server, path):
    """The notebook file's `rsconnect` metadata, as on disk (None if there is none)."""
    return json.loads((server.root / path).read_text())["metadata"].get("rsconnect")


def record_for(server, path, server_url):
    return saved_metadata(server, path)["servers"][server_url.rstrip("/")]


def wait_saved(server, path, server_url, content_url, timeout=30):
    """The record of the publish to `content_url` has reached the notebook's file; returns it.
    (An unsaved mark is no sign: a kernel that starts after the save marks it again.)"""
    deadline = time.time() + timeout
    while True:
        try:
            record = record_for(server, path, server_url)
        except (TypeError, KeyError, ValueError):  # no record yet, or the file mid-write
            record = None
        if record and record["content_url"] == content_url:
            return record
        if time.time() > deadline:
            raise AssertionError("the notebook file does not remember %s: %r" % (content_url, record))
        time.sleep(0.2)


def approve_sign_in(page, who, password):
    """Click "Sign in with a code" (the device flow) in the open add-server dialog, then, as the person
    would, sign in to Connect in the tab it opens, check the code the dialog shows, and approve.
    Returns the tab."""
    with page.context.expect_page() as opened:
        page.click("#rsc-signin")
    page.wait_for_selector("#rsc-signin-status", state="visible")
    code = re.search(r"code ([A-Z]{4}-[A-Z]{4})", page.inner_text("#rsc-signin-status")).group(1)
    tab = opened.value  # the approval page, on the Connect server
    tab.wait_for_selector("input[name=username]")
    tab.fill("input[name=username]", who)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_selector("strong.user-code")
    assert tab.inner_text("strong.user-code") == code
    assert tab.inner_text("strong.client-name") == "rsconnect-jupyter"
    tab.click("button[value=approve]")
    tab.wait_for_selector("text=You may close this tab")
    return tab


def approve_in_browser(page, jupyter_url, who, password):
    """Click "Sign in with Connect" (the authorization code flow, offered once the dialog asked the
    server), then sign in and approve in the tab it opens; the tab ends on the Jupyter server's
    callback page. Returns the tab."""
    page.wait_for_selector("#rsc-signin-browser", state="visible")
    with page.context.expect_page() as opened:
        page.click("#rsc-signin-browser")
    tab = opened.value  # the server's sign-in page, then its consent page
    tab.wait_for_selector("input[name=username]")
    tab.fill("input[name=username]", who)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_selector("button[value=approve]")
    assert tab.inner_text("strong.client-name") == "rsconnect-jupyter"
    tab.click("button[value=approve]")
    tab.wait_for_selector("#rsc-signin-result")
    assert tab.url.startswith(jupyter_url + "rsconnect_jupyter/oauth/callback?")
    return tab


class NotebookUI:
    """One notebook UI, driven as a person does. Subclasses give the selectors and `open_notebook`."""

    DIALOG = ""  # the open dialog's visible box (tests/ui/test_dialog_layout.py)
    PUBLISH_BUTTON = ""  # the toolbar's Publish button
    READY = ".rsc-publish-modal"  # the publish dialog, once it takes input
    LINK = ""  # the toolbar's link to the published document, once shown
    LINK_URL = "href"  # the link's attribute that holds its address
    PUBLISH_TIMEOUT_MS = PUBLISH_TIMEOUT_MS

    saved_metadata = staticmethod(saved_metadata)
    record_for = staticmethod(record_for)
    wait_saved = staticmethod(wait_saved)

    def open_notebook(self, page, server, path):
        raise NotImplementedError

    def click_publish_button(self, page):
        page.click(self.PUBLISH_BUTTON)

    def wait_add_server(self, page):
        page.wait_for_selector("#rsc-server-url", state="visible")

    def add_server(self, page, url, api_key, name=""):
        """Fill and submit the add-server dialog (it must be open)."""
        self.wait_add_server(page)
        for selector, value in (("#rsc-server-url", url), ("#rsc-nickname", name), ("#rsc-api-key", api_key)):
            page.fill(selector, value)
            assert page.input_value(selector) == value, "%s did not take the text" % selector
        page.click("#rsc-add-submit")

    def wait_publish_dialog(self, page):
        """The publish dialog, ready for input; fails at once with the add-server dialog's sentence
        if that refused the server."""
        page.wait_for_function(
            "ready => { const shown = %s; return shown(ready + ' #rsc-publish-form') || shown('#rsc-add-error'); }"
            % SHOWN,
            arg=self.READY,
        )
        if page.is_visible("#rsc-add-error"):
            raise AssertionError("the add-server dialog refused: %s" % page.inner_text("#rsc-add-error"))

    def wait_conflict_dialog(self, page):
        """The question is a step of the publish dialog."""
        page.wait_for_selector(".rsc-publish-modal #rsc-conflict-form", state="visible")

    def choose_mode(self, page, source):
        page.check("#rsc-mode-source" if source else "#rsc-mode-static")

    def submit_publish(self, page):
        page.click("#rsc-publish-submit")

    def dialog_text(self, page):
        """Status, error and deploy log of the publish dialog, and the page's console errors."""
        shown = page.evaluate(
            "['#rsc-status', '#rsc-error', '#rsc-log'].map("
            "s => (document.querySelector(s) || {}).textContent || '').join('\\n')"
        )
        return "%s\nconsole errors: %s" % (shown, getattr(page, "console_errors", []))

    def link_url(self, page):
        return page.get_attribute(self.LINK, self.LINK_URL)

    def wait_published(self, page):
        """The publish dialog closes with the toolbar's link shown; returns the link's URL."""
        try:
            page.wait_for_function(FINISHED, timeout=self.PUBLISH_TIMEOUT_MS)
        except Exception as e:
            raise AssertionError("publishing did not finish; the dialog said: %s" % self.dialog_text(page)) from e
        if page.is_visible("#rsc-error"):
            raise AssertionError("publishing failed: %s" % self.dialog_text(page))
        # Put in the toolbar as the dialog closes (a narrow window's toolbar may fold it away).
        page.wait_for_selector(self.LINK, state="attached", timeout=10000)
        return self.link_url(page)

    def wait_link(self, page, timeout=PUBLISH_TIMEOUT_MS):
        """The toolbar's link shows (after a publish whose dialog was hidden, say); returns its URL."""
        page.wait_for_selector(self.LINK, state="visible", timeout=timeout)
        return self.link_url(page)

    def open_link(self, page):
        """Click the toolbar's link; returns the page it opened, loaded."""
        with page.context.expect_page() as opened:
            page.click(self.LINK)
        document = opened.value
        document.wait_for_load_state()
        return document

    def dialog_error(self, page, selector="#rsc-error"):
        """The one sentence a dialog shows when something went wrong (waits for it)."""
        page.wait_for_selector(selector, state="visible", timeout=self.PUBLISH_TIMEOUT_MS)
        return page.inner_text(selector).strip()

    def wait_status(self, page, text):
        """The publish dialog's status line says `text` (e.g. after "Save package list (manifest.json)")."""
        page.wait_for_function(
            "t => (document.querySelector('#rsc-status') || {textContent: ''}).textContent.indexOf(t) >= 0",
            arg=text,
            timeout=self.PUBLISH_TIMEOUT_MS,
        )

    def open_publish_dialog(self, page, server, path, server_url, api_key, name="local"):
        """First use on this page: add the server, then the publish dialog is open."""
        self.open_notebook(page, server, path)
        self.click_publish_button(page)
        self.add_server(page, server_url, api_key, name)
        self.wait_publish_dialog(page)

    def publish_first_time(self, page, server, path, server_url, api_key, name="", source=False):
        """First use: the add-server dialog, then the publish dialog. Returns the published URL."""
        self.open_publish_dialog(page, server, path, server_url, api_key, name)
        self.choose_mode(page, source)
        self.submit_publish(page)
        return self.wait_published(page)
