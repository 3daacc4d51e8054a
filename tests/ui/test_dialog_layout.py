"""Each state of the publish dialogs, in all four notebook UIs, at 1280x800 and 1024x700 (JupyterLab 4
and Notebook 7 also in JupyterLab Dark; the classic Notebook has one theme): the element the state
is about is inside the window and inside the dialog's visible part (no scrolling needed), nothing
in the dialog is wider than its box, and the state has exactly one primary button.
Screenshots go to $RSC_SCREENSHOTS (a folder) when set, for a person to look at."""

import json
import uuid

import pytest

from tests.extension.extension_notebooks import write_notebook
from tests.ui.looks import CLIPPED, OVERFLOWING, shoot

pytestmark = pytest.mark.browser

SIZES = ((1280, 800), (1024, 700))

PRIMARY = """dialog => Array.from(document.querySelectorAll(dialog + ' button[data-primary]'))
    .filter(b => b.offsetParent !== null).map(b => b.id)"""


def unique(prefix):
    return prefix + uuid.uuid4().hex[:6]


def check_state(page, front, theme, name, about, reach=None):
    """At both sizes: `about` (selectors) fully in view, nothing overflows, one primary button.
    `reach(page)`, when given, brings the state about again at each size, as a person would there."""
    dialog = front.ui.DIALOG
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function("([w, h]) => innerWidth === w && innerHeight === h", arg=[width, height])
        if reach:
            reach(page)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shoot(page, front.kind, "%s-%s-%dx%d" % (theme, name, width, height))
        where = "%s at %dx%d" % (name, width, height)
        for selector in about:
            assert page.evaluate(CLIPPED, [dialog, selector]) == [], (where, selector)
        assert page.evaluate(OVERFLOWING, dialog) == [], where
        assert len(page.evaluate(PRIMARY, dialog)) == 1, (where, page.evaluate(PRIMARY, dialog))


@pytest.fixture
def theme(request, front):
    """JupyterLab Dark for this test only (put back afterwards); conftest gives it to the lab UIs only."""
    if request.param == "dark":
        from tests.lab.test_lab_more_flows import set_theme

        set_theme(front.server, json.dumps({"theme": "JupyterLab Dark"}))
    yield request.param
    if request.param == "dark":
        set_theme(front.server, "{}")


@pytest.mark.every_ui  # each host's CSS around the dialogs
def test_every_dialog_state_fits(front, local_server, page, no_saved_servers, theme):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("fit"), "publisher")
    path = write_notebook(server.root, unique("fit") + "/quarterly sales report.ipynb", extra={"a.csv": "a\n"})
    ui.open_notebook(page, server, path)
    ui.click_publish_button(page)
    page.wait_for_selector("#rsc-server-url", state="visible")
    check_state(page, front, theme, "add-server", ["#rsc-server-url", "#rsc-add-submit"])

    ui.add_server(page, local_server.url, key, name="local")
    ui.wait_publish_dialog(page)
    ui.choose_mode(page, source=True)
    essentials = ["#rsc-server", "#rsc-title", "#rsc-mode-static", "#rsc-mode-voila", "#rsc-publish-submit"]
    check_state(page, front, theme, "publish", essentials)

    # The Schedule section unfolded, a daily schedule chosen: it scrolls into view, its fields and
    # the Publish button all showing at once.
    def unfold_schedule(page):
        if page.get_attribute("#rsc-schedule", "open") is not None:
            page.click("#rsc-schedule > summary")  # folded again, then unfolded at this size
        page.click("#rsc-schedule > summary")
        page.select_option("#rsc-schedule-every", "day")

    schedule = ["#rsc-schedule-every", "#rsc-schedule-email", "#rsc-publish-submit"]
    check_state(page, front, theme, "schedule", schedule, reach=unfold_schedule)
    page.select_option("#rsc-schedule-every", "off")
    page.click("#rsc-schedule > summary")

    # A title too short: the error sentence shows where the eye is, the choices still in view.
    page.fill("#rsc-title", "x")
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-error", state="visible")
    check_state(page, front, theme, "error", essentials + ["#rsc-error"])

    # Content with this title exists: the question is a step of the same dialog.
    title = unique("Fit ")
    page.fill("#rsc-title", title)
    r = local_server.api("POST", "v1/content", key=key, json={"name": unique("fit-"), "title": title})
    assert r.status_code == 200, r.text
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-conflict-form", state="visible")
    assert page.locator(".rsc-modal:visible").count() == 1  # no second dialog on top
    assert page.evaluate("document.activeElement.id") != "rsc-conflict-overwrite"  # nothing destructive
    assert "yours" in page.inner_text("#rsc-conflict-form")  # the owner, and a link to the content
    assert page.locator("#rsc-conflict-form a[href]").count() == 1
    check_state(page, front, theme, "conflict", ["#rsc-conflict-form", "#rsc-conflict-new", "#rsc-conflict-cancel"])
    page.click("#rsc-conflict-new")
    ui.wait_published(page)

    # The Versions step, after a publish.
    ui.click_publish_button(page)
    ui.wait_publish_dialog(page)
    page.click("#rsc-versions")
    page.wait_for_selector("#rsc-versions-view[data-loaded] .rsc-version", state="visible")
    check_state(page, front, theme, "versions", ["#rsc-versions-view", "#rsc-versions-close"])
