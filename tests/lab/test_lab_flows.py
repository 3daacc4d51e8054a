"""The lab extension's other flows, in headless Chromium against JupyterLab 4 and Notebook 7 (the
`lab` fixture's two params) and the local Connect server: Create manifest, New location in the
conflict question, Remove server, a collaborator and a non-collaborator republishing with their
own key, a non-Python kernel, and a failed render. Each test checks what the user sees and the
state behind it (files, notebook metadata, what the local server holds)."""

import json
import subprocess
import uuid

import pytest

from tests.extension.extension_notebooks import ECHO_KERNEL, write_notebook
from tests.lab import lab_ui as ui
from tests.lab.lab_servers import lab_python
from tests.lab.test_lab_browser import assert_serves
from tests.lab.test_lab_layout import CONTRAST, shoot

pytestmark = pytest.mark.browser


def unique(prefix):
    return "%s%s" % (prefix, uuid.uuid4().hex[:6])


def assert_in_view(page, selector):
    """`selector` is inside the dialog's visible (scrolled) area, not below the fold."""
    body = page.locator(".jp-Dialog-body").bounding_box()
    box = page.locator(selector).bounding_box()
    assert body["y"] <= box["y"] and box["y"] + min(box["height"], 20) <= body["y"] + body["height"], (body, box)


def content_titled(local_server, key, title):
    """The content owned by the user of `key` with this title (other tests' content left out)."""
    me = local_server.api("GET", "v1/user", key=key).json()["guid"]
    listed = local_server.api("GET", "v1/content", key=key, params={"owner_guid": me}).json()
    return [c for c in listed if c["title"] == title]


def test_create_manifest_from_the_kernel_snapshot(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("mia"), "publisher")
    folder = unique("manifest")
    path = write_notebook(lab.root, folder + "/etl.ipynb", extra={"lookup.csv": "a,b\n"})
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    assert page.is_checked("#rsc-packages-generate")  # no requirements.txt yet
    page.check("#rsc-files input[data-file='lookup.csv']")
    page.click(".jp-Dialog button.rsc-write-manifest")
    ui.wait_status(page, "Wrote")
    assert "manifest.json" in page.inner_text("#rsc-status")
    manifest = json.loads((lab.root / folder / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "jupyter-static", "entrypoint": "etl.ipynb"}
    assert sorted(manifest["files"]) == ["etl.ipynb", "lookup.csv", "requirements.txt"]
    # The snapshot came from the kernel's Python: .venv-lab's interpreter, which runs the kernel.
    kernel_python = subprocess.run(
        [lab_python(), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert manifest["python"]["version"] == kernel_python
    requirements = (lab.root / folder / "requirements.txt").read_text()
    assert "jupyterlab" in requirements.lower()  # .venv-lab's packages, read in the kernel
    assert "rsconnect" not in requirements.lower()
    assert local_server.api("GET", "v1/content", key=key).json() == []  # nothing was published

    # A second click asks before replacing the file; the third replaces it.
    page.click(".jp-Dialog button.rsc-write-manifest")
    assert "already exists" in ui.dialog_error(page)
    assert page.inner_text(".jp-Dialog button.rsc-write-manifest").strip() == "Replace manifest.json"
    (lab.root / folder / "manifest.json").write_text("{}")
    page.click(".jp-Dialog button.rsc-write-manifest")
    ui.wait_status(page, "Wrote")
    assert not page.is_visible("#rsc-error")
    assert page.inner_text(".jp-Dialog button.rsc-write-manifest").strip() == "Save package list (manifest.json)"
    assert json.loads((lab.root / folder / "manifest.json").read_text())["metadata"]["entrypoint"] == "etl.ipynb"


def test_conflict_new_location(lab, local_server, page, no_saved_servers):
    """Content titled like the notebook exists: "New location" makes a second item, the first untouched."""
    key = local_server.add_user(unique("nils"), "publisher")
    title = unique("Budget ")
    existing = local_server.api("POST", "v1/content", key=key, json={"name": unique("budget-"), "title": title})
    assert existing.status_code == 200, existing.text
    guid = existing.json()["guid"]
    path = write_notebook(lab.root, unique("newloc") + "/budget.ipynb", heading="Budget 2028")
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    page.fill("#rsc-title", title)
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    page.wait_for_selector("#rsc-conflict-form", state="visible")
    assert title in page.inner_text("#rsc-conflict-form")
    page.click("#rsc-conflict-new")
    url = ui.wait_published(page)
    assert_serves(url, "Budget 2028", key)

    ui.wait_saved(lab, path, local_server.url, url)
    new_guid = ui.record_for(lab, path, local_server.url)["content_guid"]
    assert new_guid != guid and new_guid in url
    assert sorted(c["guid"] for c in content_titled(local_server, key, title)) == sorted([guid, new_guid])
    assert local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json() == []  # untouched


def test_remove_server(lab, local_server, page, no_saved_servers):
    """Remove the chosen saved server; removing the last one falls back to the add-server dialog."""
    key = local_server.add_user(unique("rosa"), "publisher")
    for name in ("first-connect", "second-connect"):
        r = lab.api("POST", "servers/add", json={"url": local_server.url, "name": name, "api_key": key})
        assert r.status_code == 200, r.text
    path = write_notebook(lab.root, unique("remove") + "/notes.ipynb")
    ui.open_notebook(page, lab, path)
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
    assert [s["name"] for s in lab.api("GET", "servers").json()["servers"]] == ["first-connect"]

    page.click("#rsc-remove-server")
    page.wait_for_selector("#rsc-server-url", state="visible")  # none left: add one
    assert page.locator("#rsc-publish-form").count() == 0
    assert lab.api("GET", "servers").json()["servers"] == []
    assert key not in page.content()  # the browser never held the key


def test_collaborator_republishes_with_own_key(lab, local_server, page, browser, no_saved_servers):
    owner_key = local_server.add_user(unique("olga"), "publisher")
    path = write_notebook(lab.root, unique("collab") + "/forecast.ipynb", heading="Forecast")
    url = ui.publish_first_time(page, lab, path, local_server.url, owner_key, name="olga-connect")
    ui.wait_saved(lab, path, local_server.url, url)
    guid = ui.record_for(lab, path, local_server.url)["content_guid"]

    collaborator_key = local_server.add_user(unique("bruno"), "publisher")
    bruno = local_server.api("GET", "v1/user", key=collaborator_key).json()
    r = local_server.api(
        "POST",
        "v1/content/%s/permissions" % guid,
        key=owner_key,
        json={"principal_guid": bruno["guid"], "principal_type": "user", "role": "owner"},
    )
    assert r.status_code in (200, 201), r.text

    # The collaborator opens the shared notebook with their own saved server for the same URL.
    assert lab.api("POST", "servers/remove", json={"server": "olga-connect"}).status_code == 200
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, lab, path, local_server.url, collaborator_key, name="bruno-connect")
        assert other.input_value("#rsc-title") == "forecast"
        assert other.is_checked("#rsc-mode-static")
        ui.submit_publish(other)
        assert ui.wait_published(other) == url
        assert other.locator("#rsc-conflict-form").count() == 0
        ui.wait_saved(lab, path, local_server.url, url)
    finally:
        context.close()
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=owner_key).json()
    assert len(bundles) == 2
    assert ui.record_for(lab, path, local_server.url)["content_guid"] == guid
    assert collaborator_key not in (lab.root / path).read_text()


def test_non_collaborator_is_told_and_can_publish_a_copy(lab, local_server, page, browser, no_saved_servers):
    owner_key = local_server.add_user(unique("owen"), "publisher")
    path = write_notebook(lab.root, unique("shared") + "/kpis.ipynb", heading="KPIs")
    url = ui.publish_first_time(page, lab, path, local_server.url, owner_key, name="owen-connect")
    ui.wait_saved(lab, path, local_server.url, url)
    guid = ui.record_for(lab, path, local_server.url)["content_guid"]
    assert lab.api("POST", "servers/remove", json={"server": "owen-connect"}).status_code == 200

    stranger_key = local_server.add_user(unique("sara"), "publisher")
    context = browser.new_context()
    try:
        other = context.new_page()
        ui.open_publish_dialog(other, lab, path, local_server.url, stranger_key, name="sara-connect")
        assert other.is_visible("#rsc-new-location")  # the notebook was published to this server
        ui.submit_publish(other)
        message = ui.dialog_error(other)
        assert "collaborator" in message and '"Publish to a new location"' in message, message
        assert "--" not in message and "\n" not in message and message.endswith(".")
        assert other.is_enabled(".jp-Dialog button.rsc-publish-submit")
        other.check("#rsc-new-location")
        ui.submit_publish(other)
        copy_url = ui.wait_published(other)
        assert copy_url != url
        assert_serves(copy_url, "KPIs", stranger_key)
        ui.wait_saved(lab, path, local_server.url, copy_url)
    finally:
        context.close()
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid, key=owner_key).json()) == 1
    copy = ui.record_for(lab, path, local_server.url)
    assert copy["content_guid"] != guid and copy["content_url"] == copy_url
    mine = local_server.api("GET", "v1/content/%s" % copy["content_guid"], key=stranger_key).json()
    assert mine["guid"] == copy["content_guid"]


def test_non_python_kernel_publishes_the_document_only(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("nora"), "publisher")
    path = write_notebook(lab.root, unique("echo") + "/summary.ipynb", heading="Echo summary", kernelspec=ECHO_KERNEL)
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    assert message == (
        "Publishing with source code needs a Python kernel, and this notebook runs echo; choose "
        '"Publish finished document only" or switch to a Python kernel.'
    )
    assert content_titled(local_server, key, "summary") == []  # refused before any request
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves(url, "Echo summary", key)
    ui.wait_saved(lab, path, local_server.url, url)
    assert ui.record_for(lab, path, local_server.url)["app_mode"] == "static"


def test_failed_render_shows_the_log_and_one_sentence(lab, local_server, page, no_saved_servers):
    key = local_server.add_user(unique("fred"), "publisher")
    path = write_notebook(
        lab.root,
        unique("broken") + "/broken.ipynb",
        heading="Broken",
        requirements="# no packages needed\n",
        code="raise RuntimeError('the data file is missing')",
    )
    ui.open_publish_dialog(page, lab, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    shoot(page, lab, "failed-render")
    assert "\n" not in message and message.endswith("."), message
    assert_in_view(page, "#rsc-error")  # the user sees it without scrolling
    assert page.evaluate(CONTRAST, "#rsc-error") >= 4.5
    # Long log lines wrap instead of hiding past the right edge.
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth + 1)(document.querySelector('#rsc-log'))")
    log = page.inner_text("#rsc-log")  # the server's task output streamed into the dialog
    assert "the data file is missing" in log
    assert page.is_enabled(".jp-Dialog button.rsc-publish-submit")  # fix the notebook, try again
    assert page.locator(".rsc-published").count() == 0
    # The publish saved the notebook first; nothing was remembered after the failure.
    assert ui.saved_metadata(lab, path) is None  # nothing remembered for a failed publish
    [content] = content_titled(local_server, key, "broken")
    assert not content.get("bundle_id")  # no bundle went live
