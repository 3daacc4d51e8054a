"""Driving the classic Notebook's page (notebook 6.5, nbclassic): what differs from the other UIs
(tests/ui/adapter.py has the steps they share). `extension_ui.open_notebook(...)` and the other
steps also work as module functions, as tests/install and tests/reliability call them."""

import json

from tests.ui.adapter import NotebookUI


class Classic(NotebookUI):
    DIALOG = ".rsc-modal.in .modal-content"
    PUBLISH_BUTTON = "#rsc-publish-button"
    # `rsc-ready`: Bootstrap's fade-in has ended; before that, Jupyter moves the focus to a button
    # and typed text would be lost.
    READY = ".rsc-publish-modal.rsc-ready"
    LINK = "#notification_rsconnect.rsc-published"
    LINK_URL = "data-url"

    def open_notebook(self, page, jupyter, path):
        """Open a notebook and wait for the extension's button and a connected kernel."""
        page.goto(jupyter.notebook_url(path))
        self.wait_notebook_ready(page)

    def wait_notebook_ready(self, page):
        """The classic notebook page (at any address) is loaded, with a connected kernel and our button."""
        page.wait_for_function(
            "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded"
            " && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
            timeout=60000,
        )
        page.wait_for_selector(self.PUBLISH_BUTTON)

    def wait_add_server(self, page):
        page.wait_for_selector(".rsc-modal.rsc-ready #rsc-server-url", state="visible")
        # A user sees the cursor in the URL field once the dialog has opened.
        assert page.evaluate("document.activeElement.id") == "rsc-server-url"

    def rsconnect_metadata(self, page):
        """The `rsconnect` metadata the page holds (saved or not)."""
        return json.loads(page.evaluate("JSON.stringify(Jupyter.notebook.metadata.rsconnect || null)"))


CLASSIC = Classic()


def __getattr__(name):
    return getattr(CLASSIC, name)
