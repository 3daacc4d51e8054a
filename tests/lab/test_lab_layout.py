"""The lab extension's dialogs and toolbar link at 1280x900 in JupyterLab 4 and Notebook 7: they fit
the window, nothing overflows, the server row's controls line up, and text is readable; the folded
"Sharing and draft" section and the Versions view at 1280x800 in the light and the dark theme, the
dialog's buttons in the window while logs stream.
Screenshots go to $RSC_SCREENSHOTS (a folder) when set, for a person to look at."""

import json
import uuid

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui
from tests.ui.looks import CONTRAST, OVERFLOWING, shoot

pytestmark = pytest.mark.browser


def assert_fits(page, dialog):
    box = page.locator(dialog).bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 900, box
    assert page.evaluate(OVERFLOWING, dialog) == []


def test_dialogs_and_link_fit_and_line_up(lab, local_server, page, no_saved_servers):
    key = local_server.add_user("lay" + uuid.uuid4().hex[:6], "publisher")
    path = write_notebook(
        lab.root,
        "layout%s/a rather long notebook name for the title field.ipynb" % uuid.uuid4().hex[:6],
        extra={"data.csv": "a\n", "lookup table.csv": "b\n"},
    )
    ui.open_notebook(page, lab, path)
    ui.click_publish_button(page)
    page.wait_for_selector("#rsc-server-url", state="visible")
    shoot(page, lab.kind, "add-server")
    assert_fits(page, ".jp-Dialog-content")
    assert page.evaluate(CONTRAST, "#rsc-add-server-form p") >= 4.5

    ui.add_server(page, local_server.url, key, name="local")
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    page.click("#rsc-env-add")
    shoot(page, lab.kind, "publish")
    assert_fits(page, ".jp-Dialog-content")
    # The server row: select and buttons share one line and one height.
    boxes = [page.locator(s).bounding_box() for s in ("#rsc-server", "#rsc-add-server", "#rsc-remove-server")]
    assert len({round(b["y"]) for b in boxes}) == 1 and len({round(b["height"]) for b in boxes}) == 1, boxes
    # The environment row: name, value and remove button on one line.
    row = [
        page.locator(".rsc-env-row " + s).bounding_box() for s in (".rsc-env-name", ".rsc-env-value", ".rsc-env-remove")
    ]
    assert max(b["y"] for b in row) - min(b["y"] for b in row) < 4, row
    for selector in (".rsc-help", "label[for=rsc-title]"):
        assert page.evaluate(CONTRAST, selector) >= 4.5, selector

    # Content with this title exists: the conflict question, inside the publish dialog.
    title = page.input_value("#rsc-title")
    r = local_server.api("POST", "v1/content", key=key, json={"name": "lay-" + uuid.uuid4().hex[:6], "title": title})
    assert r.status_code == 200, r.text
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-conflict-form", state="visible")
    page.locator("#rsc-conflict-form").scroll_into_view_if_needed()
    assert page.inner_text("#rsc-status").strip() == ""  # no stale "Looking for content…" under it
    shoot(page, lab.kind, "conflict")
    assert_fits(page, ".jp-Dialog-content")
    buttons = [
        page.locator(s).bounding_box() for s in ("#rsc-conflict-cancel", "#rsc-conflict-new", "#rsc-conflict-overwrite")
    ]
    assert len({round(b["y"]) for b in buttons}) == 1 and len({round(b["height"]) for b in buttons}) == 1, buttons
    page.click("#rsc-conflict-new")
    ui.wait_published(page)
    shoot(page, lab.kind, "published")
    link = page.locator(".rsc-published").bounding_box()
    toolbar = page.locator(".jp-NotebookPanel-toolbar").bounding_box()
    assert toolbar["y"] <= link["y"] and link["y"] + link["height"] <= toolbar["y"] + toolbar["height"] + 1
    assert page.evaluate(CONTRAST, ".rsc-published") >= 4.5
    # It looks like a link: underlined, and not in the toolbar's text color.
    style = page.evaluate(
        "[getComputedStyle(document.querySelector('.rsc-published')).textDecorationLine,"
        " getComputedStyle(document.querySelector('.rsc-published')).color,"
        " getComputedStyle(document.querySelector('.jp-NotebookPanel-toolbar')).color]"
    )
    assert style[0] == "underline" and style[1] != style[2], style
    assert page.evaluate(OVERFLOWING, ".rsc-published-item") == []


# The toolbar's items by name, left to right (JupyterLab's toolbar marks each with its name).
TOOLBAR_NAMES = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar > [data-jp-item-name]'))
    .map(e => e.getAttribute('data-jp-item-name'))"""


def test_publish_button_sits_with_the_notebook_actions(lab, page):
    """Right after the cell type menu and before the spacer, in both front ends (it used to land
    at the far right of Notebook 7's toolbar, past the kernel name)."""
    path = write_notebook(lab.root, "toolbar%s/where.ipynb" % uuid.uuid4().hex[:6])
    ui.open_notebook(page, lab, path)
    names = page.evaluate(TOOLBAR_NAMES)
    assert "rsconnect-publish" in names, names
    assert names.index("rsconnect-publish") == names.index("cellType") + 1, names
    assert names.index("rsconnect-publish") < names.index("spacer"), names
    shoot(page, lab.kind, "toolbar")


# -- the folded "Sharing and draft" section and the Versions view, light and dark, at 1280x800 ----

# Watches the publish dialog while its log streams: after every change of a log, where the dialog and
# its buttons are (window.rscBoxes), so a test can check them once the dialog has closed.
WATCH_LOGS = """() => {
  window.rscBoxes = [];
  const record = () => {
    const content = document.querySelector('.rsc-publish-modal .jp-Dialog-content');
    const footer = document.querySelector('.rsc-publish-modal .jp-Dialog-footer');
    if (!content || !footer) return;
    const c = content.getBoundingClientRect(), f = footer.getBoundingClientRect();
    window.rscBoxes.push({top: c.top, bottom: c.bottom, footerTop: f.top, footerBottom: f.bottom,
                          height: window.innerHeight});
  };
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(params=["light", "dark"])
def theme(request, lab):
    """The default light theme, or JupyterLab Dark for this test only (put back afterwards)."""
    from tests.lab.test_lab_more_flows import set_theme

    if request.param == "dark":
        set_theme(lab, json.dumps({"theme": "JupyterLab Dark"}))
    yield request.param
    if request.param == "dark":
        set_theme(lab, "{}")


def assert_buttons_visible(page, primary="rsc-publish-submit"):
    footer = page.locator(".rsc-publish-modal .jp-Dialog-footer").bounding_box()
    assert footer["y"] >= 0 and footer["y"] + footer["height"] <= 800, footer
    assert page.locator(".rsc-publish-modal button.%s" % primary).is_visible()


def assert_contrast(page, selectors):
    ratios = {s: round(page.evaluate(CONTRAST, s), 2) for s in selectors}
    low = {s: r for s, r in ratios.items() if r < 4.5}
    assert not low, "text contrast under 4.5:1: %s" % low


def test_sharing_section_and_versions_view_fit_while_logs_stream(lab, local_server, page, no_saved_servers, theme):
    page.set_viewport_size({"width": 1280, "height": 800})
    key = local_server.add_user("lays" + uuid.uuid4().hex[:6], "publisher")
    path = write_notebook(
        lab.root, "layout-versions%s/report.ipynb" % uuid.uuid4().hex[:6], extra={"a.csv": "a\n", "b.csv": "b\n"}
    )
    url = ui.publish_first_time(page, lab, path, local_server.url, key, name="local")
    ui.wait_saved(lab, path, local_server.url, url)
    dark = page.evaluate("document.body.dataset.jpThemeLight") == "false"
    assert dark == (theme == "dark")

    # The publish dialog with the folded section open, in source mode (the longest form).
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    page.click("#rsc-env-add")
    page.click("#rsc-sharing > summary")
    page.wait_for_selector("#rsc-tags", state="visible")
    page.locator("#rsc-tags").scroll_into_view_if_needed()
    shoot(page, lab.kind, "%s-sharing" % theme)
    assert_fits(page, ".rsc-publish-modal .jp-Dialog-content")
    box = page.locator(".rsc-publish-modal .jp-Dialog-content").bounding_box()
    assert box["y"] + box["height"] <= 800, box
    assert_buttons_visible(page)
    assert_contrast(
        page,
        [
            "#rsc-sharing > summary",
            "label[for=rsc-draft]",
            "#rsc-sharing .rsc-help",
            "label[for=rsc-access]",
            "#rsc-access",
            "label[for=rsc-viewers]",
            "#rsc-viewers",
            "label[for=rsc-collaborators]",
            "label[for=rsc-vanity]",
            "label[for=rsc-tags]",
        ],
    )

    # A draft publish: while its log streams, the dialog stays in the window and its buttons show.
    ui.choose_mode(page, source=False)
    page.check("#rsc-draft")
    page.evaluate(WATCH_LOGS)
    ui.submit_publish(page)
    # The first publish's link is still there: wait for the draft's.
    page.wait_for_function(
        "document.querySelector('.rsc-published-draft') !== null"
        " || (document.querySelector('#rsc-error') || {style: {display: 'none'}}).style.display !== 'none'",
        timeout=ui.PUBLISH_TIMEOUT_MS,
    )
    assert page.locator(".rsc-published-draft").count() == 1, ui.dialog_text(page)
    preview = page.get_attribute(".rsc-published", "href")
    boxes = page.evaluate("window.rscBoxes")
    assert boxes, "the dialog was never seen while publishing"
    outside = [b for b in boxes if b["top"] < 0 or b["bottom"] > 800 or b["footerBottom"] > 800]
    assert not outside, outside[:3]
    assert page.inner_text(".rsc-published").startswith("Draft")
    assert_contrast(page, [".rsc-published"])

    # The Versions view, then an activation streaming its log into it.
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-versions")
    page.wait_for_selector("#rsc-versions-view .rsc-version-activate", state="visible")
    shoot(page, lab.kind, "%s-versions" % theme)
    assert_fits(page, ".rsc-publish-modal .jp-Dialog-content")
    assert_buttons_visible(page, "rsc-versions-close")  # the Versions step's way back
    assert_contrast(
        page,
        [
            ".rsc-versions-title",
            ".rsc-versions-status",
            ".rsc-versions-table th",
            ".rsc-version td",
            ".rsc-version-live",
            ".rsc-version-activate",
            ".rsc-version-remove",
        ],
    )
    draft_id = preview.rstrip("/").rsplit("_bundle", 1)[1]
    page.click('.rsc-version[data-bundle="%s"] .rsc-version-activate' % draft_id)
    page.wait_for_function(
        "document.querySelector('.rsc-version[data-bundle=\"%s\"] .rsc-version-live') !== null" % draft_id,
        timeout=ui.PUBLISH_TIMEOUT_MS,
    )
    page.locator("#rsc-versions-log").scroll_into_view_if_needed()
    shoot(page, lab.kind, "%s-versions-activated" % theme)
    assert_fits(page, ".rsc-publish-modal .jp-Dialog-content")
    assert_buttons_visible(page, "rsc-versions-close")
    assert_contrast(page, ["#rsc-versions-log"])
    # Remove's second click asks in the error color: still readable.
    page.click(".rsc-version-remove")
    assert_contrast(page, [".rsc-version-remove.rsc-confirm"])
    page.click(".jp-Dialog button.rsc-versions-close")
    page.click(".jp-Dialog button.rsc-publish-cancel")
