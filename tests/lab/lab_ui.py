"""Driving JupyterLab 4 / Notebook 7's notebook page: what differs from the other UIs (tests/ui/adapter.py
has the steps they share), and the command palette, which only they have. `lab_ui.open_notebook(...)`
and the other steps also work as module functions, as tests/install and tests/hub call them."""

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.ui.adapter import NotebookUI


class Lab(NotebookUI):
    DIALOG = ".rsc-modal .jp-Dialog-content"
    PUBLISH_BUTTON = ".rsc-publish-button"
    LINK = ".rsc-published"

    def open_notebook(self, page, lab, path):
        """Open a notebook and wait for the extension's toolbar button (the kernel may still be starting)."""
        page.goto(lab.notebook_url(path))
        page.wait_for_selector(self.PUBLISH_BUTTON, state="visible", timeout=60000)

    def run_from_palette(self, page, label):
        """Open the command palette (Ctrl+Shift+C in both front ends) and run a command by its label."""
        palette = ".jp-mod-commandPalette input, #command-palette input"
        item = ".lm-CommandPalette-item:has-text('%s')" % label
        # A page that has just opened may not have bound its shortcuts yet, or not yet added the
        # extension's command to the palette (both seen on a loaded machine: the key went unheard,
        # or the palette opened without the item): open it again until the item shows.
        for _ in range(6):
            page.click(".jp-Notebook")  # focus the notebook, so the command applies to it
            page.keyboard.press("Control+Shift+C")
            try:
                page.wait_for_selector(palette, state="visible", timeout=5000)
                page.fill(palette, label)  # into the palette's own field, wherever the focus went
                page.wait_for_selector(item, state="visible", timeout=5000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
                continue
        page.click(item)


LAB = Lab()


def __getattr__(name):
    return getattr(LAB, name)
