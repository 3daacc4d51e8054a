"""Publishing from every notebook UI, against the local Connect server: the first publish (add a
server, the finished document; the toolbar link opens it), a publish with source code and its
republish from a fresh page (no question asked, the same content), a non-Python kernel, and a
failed render. Each test checks what the person sees and what is behind it (the notebook file,
what the local server holds)."""

import pytest

from tests.extension.extension_notebooks import ECHO_KERNEL, write_notebook
from tests.ui.adapter import assert_serves, record_for, saved_metadata, signed_in_publisher, unique, wait_saved
from tests.ui.looks import CLIPPED, CONTRAST, shoot

pytestmark = pytest.mark.browser


def content_titled(local_server, key, title):
    """The content owned by the user of `key` with this title (other tests' content left out)."""
    me = local_server.api("GET", "v1/user", key=key).json()["guid"]
    listed = local_server.api("GET", "v1/content", key=key, params={"owner_guid": me}).json()
    return [c for c in listed if c["title"] == title]


@pytest.mark.every_ui  # each host's toolbar, link and save of the notebook file
def test_first_publish_static(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = signed_in_publisher(local_server, page, "alice")
    path = write_notebook(server.root, unique("first") + "/sales.ipynb", heading="Sales in May")
    url = ui.publish_first_time(page, server, path, local_server.url, key, name="local")
    assert url.startswith(local_server.url)
    assert_serves(url, "Sales in May", key)
    # The toolbar button says "Publish" (the docs' blue button); the result is an underlined link.
    assert page.inner_text(ui.PUBLISH_BUTTON).strip() == "Publish"
    if front.classic:
        assert "btn-primary" in page.get_attribute(ui.PUBLISH_BUTTON, "class")
    assert page.evaluate("s => getComputedStyle(document.querySelector(s)).textDecorationLine", ui.LINK) == "underline"

    # The notebook file remembers the target (never the key).
    record = wait_saved(server, path, local_server.url, url)
    assert record["app_mode"] == "static" and record["title"] == "sales" and record["content_url"] == url
    assert saved_metadata(server, path)["last_server_url"] == local_server.url.rstrip("/")
    # The record names the content the server holds (a 404 page would name the GUID too: read its fields).
    content = local_server.api("GET", "v1/content/%s" % record["content_guid"], key=key)
    assert content.status_code == 200, content.text
    content = content.json()
    assert content["guid"] == record["content_guid"] and content["content_url"] == url
    assert content["title"] == "sales" and content["bundle_id"]  # published: it has an active bundle
    assert key not in (server.root / path).read_text()

    # The toolbar link opens the published document (alice signed in to the server before).
    document = ui.open_link(page)
    assert document.url.rstrip("/") == url.rstrip("/")
    assert "Sales in May" in document.content()


@pytest.mark.every_ui  # each host's notebook model is what a fresh page reads the record from
def test_publish_with_source_then_republish_from_a_fresh_page(front, local_server, page, no_saved_servers):
    """A fresh page reads the notebook file's `rsconnect` metadata: same server, title and mode, the
    environment variable's name (never its value), no question, the same content."""
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("sam"), "publisher")
    path = write_notebook(
        server.root, unique("source") + "/model.ipynb", heading="Model run", requirements="# no packages needed\n"
    )
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    assert page.is_checked("#rsc-packages-file")  # requirements.txt is there, so it is the default
    page.click("#rsc-env-add")
    page.fill(".rsc-env-row:last-child .rsc-env-name", "REPORT_COLOR")
    page.fill(".rsc-env-row:last-child .rsc-env-value", "teal-secret-value")
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves(url, "Model run", key)
    record = wait_saved(server, path, local_server.url, url)
    guid = record["content_guid"]
    assert record["app_mode"] == "jupyter-static"
    assert saved_metadata(server, path)["environment_names"] == ["REPORT_COLOR"]
    assert "REPORT_COLOR" in local_server.api("GET", "v1/content/%s/environment" % guid, key=key).json()

    fresh = page.context.new_page()  # only the file remembers
    ui.open_notebook(fresh, server, path)
    assert fresh.locator(ui.LINK).count() == 0
    ui.click_publish_button(fresh)
    ui.wait_publish_dialog(fresh)
    assert fresh.is_checked("#rsc-mode-source")
    assert fresh.input_value("#rsc-title") == "model"
    assert fresh.input_value(".rsc-env-row .rsc-env-name") == "REPORT_COLOR"
    assert fresh.input_value(".rsc-env-row .rsc-env-value") == ""  # values are never remembered
    ui.submit_publish(fresh)
    assert ui.wait_published(fresh) == url
    assert fresh.locator("#rsc-conflict-form").count() == 0
    assert len(local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()) == 2
    assert record_for(server, path, local_server.url)["content_guid"] == guid
    text = (server.root / path).read_text()
    assert "teal-secret-value" not in text and key not in text


def test_non_python_kernel_publishes_the_document_only(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("nora"), "publisher")
    path = write_notebook(
        server.root, unique("echo") + "/summary.ipynb", heading="Echo summary", kernelspec=ECHO_KERNEL
    )
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    assert ui.dialog_error(page) == (
        "Publishing with source code needs a Python kernel, and this notebook runs echo; choose "
        '"Publish finished document only" or switch to a Python kernel.'
    )
    assert content_titled(local_server, key, "summary") == []  # refused before any request
    ui.choose_mode(page, source=False)
    ui.submit_publish(page)
    url = ui.wait_published(page)
    assert_serves(url, "Echo summary", key)
    assert wait_saved(server, path, local_server.url, url)["app_mode"] == "static"


def test_failed_render_shows_the_log_and_one_sentence(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user(unique("fred"), "publisher")
    path = write_notebook(
        server.root,
        unique("broken") + "/broken.ipynb",
        heading="Broken",
        requirements="# no packages needed\n",
        code="raise RuntimeError('the data file is missing')",
    )
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    ui.choose_mode(page, source=True)
    ui.submit_publish(page)
    message = ui.dialog_error(page)
    shoot(page, front.kind, "failed-render")
    assert "\n" not in message and message.endswith("."), message
    assert page.evaluate(CLIPPED, [ui.DIALOG, "#rsc-error"]) == []  # seen without scrolling
    assert page.evaluate(CONTRAST, "#rsc-error") >= 4.5
    # Long log lines wrap instead of hiding past the right edge.
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth + 1)(document.querySelector('#rsc-log'))")
    assert "the data file is missing" in page.inner_text("#rsc-log")  # the server's task output
    assert page.is_enabled("#rsc-publish-submit")  # fix the notebook, try again
    assert page.locator(ui.LINK).count() == 0
    # The publish saved the notebook first; nothing was remembered after the failure.
    assert saved_metadata(server, path) is None
    [content] = content_titled(local_server, key, "broken")
    assert not content.get("bundle_id")  # no bundle went live
