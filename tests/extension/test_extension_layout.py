"""The classic publish dialog at 1280x800 (notebook 6.5 and nbclassic), with every section open and a
long log streaming: the sharing fields stay inside their section, and the choices, the state of the
publish and the footer's buttons stay in the window. (tests/ui/test_dialog_layout.py checks each
step of the dialog in every UI; this one fills the classic dialog as far as it goes.)"""

import pytest

from tests.extension import extension_ui as ui
from tests.extension.extension_notebooks import write_notebook
from tests.ui.adapter import unique

pytestmark = pytest.mark.browser


def open_sharing(page):
    page.click("#rsc-sharing > summary")
    assert page.get_attribute("#rsc-sharing", "open") is not None


def test_footer_buttons_stay_on_screen_at_1280x800(jupyter, local_server, browser, no_saved_servers):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30000)
    try:
        key = local_server.add_user(unique("lea"), "publisher")
        path = write_notebook(
            jupyter.root,
            unique("layout") + "/long.ipynb",
            requirements="# none\n",
            extra={"data%d.csv" % i: "x\n" for i in range(12)},
        )
        ui.open_publish_dialog(page, jupyter, path, local_server.url, key)
        ui.choose_mode(page, source=True)
        open_sharing(page)
        page.click("#rsc-env-add")
        # The section's fields stay inside it.
        section = page.locator("#rsc-sharing").bounding_box()
        for field in ("#rsc-draft", "#rsc-access", "#rsc-viewers", "#rsc-collaborators", "#rsc-vanity", "#rsc-tags"):
            box = page.locator(field).bounding_box()
            assert section["x"] <= box["x"] and box["x"] + box["width"] <= section["x"] + section["width"], field
        # A publish streaming a long log, with warnings and an error: the state shows right above
        # the buttons, and the server, title and mode stay in view, all without scrolling.
        page.evaluate(
            "() => { var lines = ['Warning: the kernel has packages that are not in requirements.txt'];"
            " for (var i = 0; i < 400; i++) { lines.push('Building: step ' + i); }"
            " $('#rsc-status').text('Publishing to local…');"
            " $('#rsc-warnings').append($('<li/>').text(lines[0].slice(9))); $('#rsc-warnings-box').show();"
            " $('#rsc-log').text(lines.join('\\n')); $('#rsc-log-box').show();"
            " $('#rsc-error').text('Something to read.').show(); }"
        )
        assert page.evaluate("$('#rsc-log')[0].scrollHeight > $('#rsc-log')[0].clientHeight")
        in_view = ("#rsc-server", "#rsc-title", "#rsc-mode-source", "#rsc-warnings", "#rsc-error", "#rsc-log")
        for selector in in_view + ("#rsc-publish-submit", "#rsc-publish-cancel", "#rsc-write-manifest"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            assert 0 <= box["y"] and box["y"] + box["height"] <= 800, (selector, box)
            assert 0 <= box["x"] and box["x"] + box["width"] <= 1280, (selector, box)
    finally:
        context.close()
