"""Gradio on the local server (tests/apps/gradio): the script runs under GRADIO_ROOT_PATH behind
/content/{guid}/, and its function answers through the proxy (Gradio's API, streamed as server-sent
events)."""

import json

import pytest

from tests.localserver.localserver_helpers import app_bundle
from tests.localserver.test_apps import deployed

pytestmark = pytest.mark.slow


def gradio_call(reader, url, api_name, *data):
    """Gradio's HTTP API (with `reader`'s key): POST the inputs, then read the event stream until it completes."""
    r = reader.request("POST", url + "gradio_api/call/" + api_name, json={"data": list(data)}, timeout=60)
    assert r.status_code == 200, r.text
    stream = reader.get(url + "gradio_api/call/%s/%s" % (api_name, r.json()["event_id"]), timeout=60)
    events = stream.text.split("\n\n")
    complete = [e for e in events if e.startswith("event: complete")]
    assert complete, stream.text
    return json.loads(complete[0].split("data:", 1)[1])


def test_gradio(publisher):
    item, lines = deployed(
        publisher, "sample-gradio", "gradio", "python-gradio", "app.py", env={"SAMPLE_GREETING": "hi gradio"}
    )
    page = publisher.get(item["content_url"], timeout=60)
    assert page.status_code == 200, page.text[:2000]
    assert "Hello from the sample Gradio app" in page.text
    assert '"root":"%s"' % item["content_url"].rstrip("/") in page.text.replace(" ", "")  # its own URL
    assert gradio_call(publisher, item["content_url"], "greet", "Ann") == [
        "Hello Ann, from the sample Gradio app (hi gradio)"
    ]


def test_gradio_script_that_only_defines_the_app(publisher):
    source = (
        b"import gradio as gr\n\ndemo = gr.Interface(lambda x: 'echo: ' + x, 'textbox', 'textbox', api_name='echo')\n"
    )
    item = publisher.create("gradio-no-launch")
    task, lines = publisher.publish(
        item["guid"], app_bundle("gradio", "python-gradio", "app", replace={"app.py": source})
    )
    assert task["code"] == 0, "\n".join(lines)
    assert gradio_call(publisher, item["content_url"], "echo", "abc") == ["echo: abc"]
