"""The publish dialog shows the bundle's build and upload as a <progress> bar with its bytes, in every
notebook UI, against the local server."""

import os
import re
import uuid

import pytest

from tests.extension.extension_notebooks import write_notebook

pytestmark = pytest.mark.browser

# Every state the bar goes through, recorded as the dialog changes it (the dialog closes on success).
WATCH_PROGRESS = """() => {
    window.rscProgress = [];
    const form = document.querySelector('#rsc-publish-form');
    const record = () => {
        const bar = form.querySelector('#rsc-progress');
        const row = form.querySelector('#rsc-progress-row');
        window.rscProgress.push({value: bar.value, max: bar.max, visible: row.style.display !== 'none',
                                 text: form.querySelector('#rsc-progress-text').textContent});
    };
    new MutationObserver(record).observe(form, {subtree: true, attributes: true, childList: true,
                                                characterData: true});
}"""
UPLOAD_ENDED = """() => window.rscProgress.some(p => p.visible && p.max > 1000000 && p.value === p.max
    && /^Uploading [0-9.]+ MB of [0-9.]+ MB$/.test(p.text))"""


def test_publish_shows_the_upload_progress(front, local_server, page, no_saved_servers):
    ui, server = front.ui, front.server
    key = local_server.add_user("pat" + uuid.uuid4().hex[:6], "publisher")
    path = write_notebook(server.root, "progress-%s/big.ipynb" % uuid.uuid4().hex[:6], heading="Big data")
    (server.root / path).parent.joinpath("data.bin").write_bytes(os.urandom(3 * 1000 * 1000))
    ui.open_publish_dialog(page, server, path, local_server.url, key)
    assert not page.is_visible("#rsc-progress")  # nothing to show before a publish
    page.check(".rsc-file[data-file='data.bin']")
    page.evaluate(WATCH_PROGRESS)
    ui.submit_publish(page)
    page.wait_for_function(UPLOAD_ENDED, timeout=ui.PUBLISH_TIMEOUT_MS)
    ui.wait_published(page)
    states = page.evaluate("window.rscProgress")
    uploads = [s for s in states if s["text"].startswith("Uploading")]
    assert re.fullmatch(r"Uploading (3\.\d) MB of \1 MB", uploads[-1]["text"]), states  # data + rendered page
    assert all(0 <= s["value"] <= s["max"] for s in states)
