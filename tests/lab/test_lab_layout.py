"""The lab extension's dialogs and toolbar link at 1280x900 in JupyterLab 4 and Notebook 7: they fit
the window, nothing overflows, the server row's controls line up, and text is readable.
Screenshots go to $RSC_SCREENSHOTS (a folder) when set, for a person to look at."""

import os
import uuid
from pathlib import Path

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.lab import lab_ui as ui

pytestmark = pytest.mark.browser

# Elements inside `root` whose content is wider than their box (cut off or scrolled sideways).
OVERFLOWING = """root => Array.from(document.querySelectorAll(root + ' *'))
    .filter(e => getComputedStyle(e).display !== 'none' && e.tagName !== 'SELECT'
                 && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
    .map(e => e.tagName + '#' + e.id + '.' + e.className)"""

# WCAG contrast ratio of an element's text against the first opaque background behind it, the
# text's own transparency blended in (themes give secondary text as rgba(..., .54): it reads fainter).
CONTRAST = """sel => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
      .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const node = document.querySelector(sel);
  let bg = null;
  for (let e = node; e && !bg; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0.9) { if (!(c.length >= 4 && c[3] === 0)) bg = c; }
  }
  const back = bg || [255, 255, 255], fg = rgb(getComputedStyle(node).color), al = fg.length > 3 ? fg[3] : 1;
  const a = lum(fg.slice(0, 3).map((v, i) => v * al + back[i] * (1 - al))), b = lum(back);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def shoot(page, lab, name):
    folder = os.environ.get("RSC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / ("%s-%s.png" % (lab.kind, name))))


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
    shoot(page, lab, "add-server")
    assert_fits(page, ".jp-Dialog-content")
    assert page.evaluate(CONTRAST, "#rsc-add-server-form p") >= 4.5

    ui.add_server(page, local_server.url, key, name="local")
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    page.click("#rsc-env-add")
    shoot(page, lab, "publish")
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
    shoot(page, lab, "conflict")
    assert_fits(page, ".jp-Dialog-content")
    buttons = [
        page.locator(s).bounding_box() for s in ("#rsc-conflict-cancel", "#rsc-conflict-new", "#rsc-conflict-overwrite")
    ]
    assert len({round(b["y"]) for b in buttons}) == 1 and len({round(b["height"]) for b in buttons}) == 1, buttons
    page.click("#rsc-conflict-new")
    ui.wait_published(page)
    shoot(page, lab, "published")
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
    shoot(page, lab, "toolbar")
