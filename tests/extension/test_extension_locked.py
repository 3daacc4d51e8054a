"""Publishing from the dialogs to locked content (over HTTP on a real Jupyter server, against the
local server): the publish job ends with the one sentence that carries the owner's message (and the
dialog's way on: a copy at a new location), and nothing is uploaded."""

import uuid

from tests.extension.extension_notebooks import write_notebook
from tests.extension.test_extension_handlers import wait_job
from tests.extension.test_extension_versions import publish

REASON = "Frozen while the auditors read it"


def test_a_locked_item_refuses_a_publish_from_the_dialog(jupyter, local_server, no_saved_servers):
    key = local_server.add_user("lena" + uuid.uuid4().hex[:6], "publisher")
    assert jupyter.api("POST", "servers/add", json={"url": local_server.url, "name": "mine", "api_key": key}).ok
    notebook = write_notebook(jupyter.root, "locked%s/report.ipynb" % uuid.uuid4().hex[:6], heading="Audited")
    first, _ = publish(jupyter, notebook, new=True, title="Audited report")
    guid = first["content_guid"]
    locked = local_server.api("PATCH", "v1/content/" + guid, key=key, json={"locked": True, "locked_message": REASON})
    assert locked.status_code == 200, locked.text
    bundles = local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json()

    body = {"server": "mine", "notebook_path": notebook, "mode": "static", "app_id": guid}
    r = jupyter.api("POST", "publish", json=body)
    assert r.status_code == 202, r.text
    state, lines = wait_job(jupyter, r.json()["job_id"])
    # The dialog's own advice for content that is not the user's to change follows the owner's message.
    assert state["error"] == (
        '"Audited report" on %s is locked, so it takes no new deploy: %s; '
        'or check "Publish to a new location" to publish a copy of your own.' % (local_server.url, REASON)
    )
    assert not any(line.startswith("Uploading") for line in lines)
    assert local_server.api("GET", "v1/content/%s/bundles" % guid, key=key).json() == bundles
