"""jupyter-static: notebooks run on the server in a Python environment built from requirements.txt.

These share the session server so the environment (empty requirements.txt + ipykernel) is built
once; later deploys reuse it.
"""

import threading

import pytest

from tests.localserver.localserver_helpers import PY_VERSION, notebook_bundle

pytestmark = pytest.mark.slow

SECRET = "s3cret-value-7d1f"


@pytest.fixture(scope="module")
def report(publisher):
    """A notebook deployed once, with an environment variable it prints."""
    item = publisher.create("notebook-report", "Notebook report")
    r = publisher("PATCH", "v1/content/%s/environment" % item["guid"], json=[{"name": "GREETING", "value": SECRET}])
    assert r.status_code == 200
    data = notebook_bundle("import os\nprint('greeting:', os.environ['GREETING'])", "print('the answer is', 6 * 7)")
    task, lines = publisher.publish(item["guid"], data)
    assert task["code"] == 0, "\n".join(lines)
    return item, lines


def test_notebook_is_executed_and_served_as_html(report, publisher, local_server):
    item, lines = report
    page = publisher.get(item["content_url"])
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "the answer is 42" in page.text  # executed output, not just source
    assert "jp-InputArea" in page.text and "environ" in page.text  # the source is shown too
    assert "<title>report</title>" in page.text  # named like the notebook, as Connect does
    after = publisher("GET", "v1/content/" + item["guid"]).json()
    assert after["app_mode"] == "jupyter-static"
    assert after["py_version"].rsplit(".", 1)[0] == PY_VERSION.rsplit(".", 1)[0]
    assert any("Bundle requested Python version %s" % PY_VERSION in line for line in lines)
    assert any("Python environment" in line for line in lines)


def test_environment_variables_reach_the_notebook_but_not_the_log(report, local_server, publisher):
    item, lines = report
    assert "greeting: " + SECRET in publisher.get(item["content_url"]).text
    assert SECRET not in local_server.log()
    assert not any(SECRET in line for line in lines)
    assert SECRET not in publisher("GET", "v1/content/%s/environment" % item["guid"]).text


def test_redeploy_reuses_the_environment(report, publisher):
    item, _ = report
    task, lines = publisher.publish(item["guid"], notebook_bundle("print('second version')"))
    assert task["code"] == 0, "\n".join(lines)
    assert any(line.startswith("Reusing the Python environment") for line in lines), lines
    assert not any(line.startswith("Building a new Python environment") for line in lines)
    assert "second version" in publisher.get(item["content_url"]).text


def test_failing_cell_fails_the_task_and_keeps_the_previous_bundle(publisher):
    item = publisher.create("notebook-fails")
    task, lines = publisher.publish(item["guid"], notebook_bundle("print('good version')"))
    assert task["code"] == 0, "\n".join(lines)
    good = publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"]
    task, lines = publisher.publish(item["guid"], notebook_bundle("x = 1", "raise ValueError('boom-marker-91')"))
    assert task["finished"] and task["code"] != 0
    assert task["error"]
    assert any("boom-marker-91" in line for line in lines)
    assert any("ValueError" in line for line in lines)
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] == good
    assert "good version" in publisher.get(publisher("GET", "v1/content/" + item["guid"]).json()["content_url"]).text


def test_hide_all_input(publisher):
    item = publisher.create("notebook-hide-all")
    data = notebook_bundle(
        "marker_in_source = 'visible-output-1'\nprint(marker_in_source)", jupyter={"hide_all_input": True}
    )
    task, lines = publisher.publish(item["guid"], data)
    assert task["code"] == 0, "\n".join(lines)
    html = publisher.get(item["content_url"]).text
    assert "visible-output-1" in html and "marker_in_source" not in html


def test_hide_tagged_input(publisher):
    item = publisher.create("notebook-hide-tagged")
    data = notebook_bundle(
        ("hidden_source_var = 'out-a'\nprint(hidden_source_var)", ["hide_input"]),
        "shown_source_var = 'out-b'\nprint(shown_source_var)",
        jupyter={"hide_tagged_input": True},
    )
    task, lines = publisher.publish(item["guid"], data)
    assert task["code"] == 0, "\n".join(lines)
    html = publisher.get(item["content_url"]).text
    assert "out-a" in html and "out-b" in html
    assert "hidden_source_var" not in html and "shown_source_var" in html


def test_concurrent_deploys_build_one_environment(publisher):
    """Three deploys needing the same new environment at once: one builds it, the others wait and reuse."""
    # A requirement no other test uses (a new environment key) that the server installs anyway.
    requirements = "ipykernel>=6.0.0\n"
    items = [publisher.create("concurrent-%d" % i) for i in range(3)]
    bundles = [
        publisher.upload(it["guid"], notebook_bundle("print('run %d')" % i, requirements=requirements))
        for i, it in enumerate(items)
    ]
    task_ids = [publisher.deploy(it["guid"], b["id"]) for it, b in zip(items, bundles)]
    results = [None] * 3

    def follow(i):
        results[i] = publisher.wait(task_ids[i])

    threads = [threading.Thread(target=follow, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    logs = [lines for _, lines in results]
    assert all(task["code"] == 0 for task, _ in results), logs
    built = sum(any(line.startswith("Building a new Python environment") for line in lines) for lines in logs)
    reused = sum(any(line.startswith("Reusing the Python environment") for line in lines) for lines in logs)
    assert (built, reused) == (1, 2), logs
    for i, it in enumerate(items):
        assert "run %d" % i in publisher.get(it["content_url"]).text


def test_python_version_mismatch_fails_naming_the_versions(publisher, local_server):
    item = publisher.create("notebook-old-python")
    task, lines = publisher.publish(item["guid"], notebook_bundle("print(1)", python="2.7.18"))
    assert task["code"] != 0
    available = [i["version"] for i in publisher("GET", "v1/server_settings/python").json()["installations"]]
    assert "2.7.18" in task["error"]
    assert all(v in task["error"] for v in available)
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is None


def test_manifest_without_python_version_fails_clearly(publisher):
    item = publisher.create("notebook-no-python")
    task, lines = publisher.publish(item["guid"], notebook_bundle("print(1)", python=""))
    assert task["code"] != 0 and "python.version" in task["error"]


def test_long_poll_answers_when_lines_arrive(publisher):
    """With wait=20, each answer comes because new lines arrived (or the task finished), never empty-handed."""
    item = publisher.create("long-poll")
    bundle = publisher.upload(item["guid"], notebook_bundle("import time\ntime.sleep(3)\nprint('slept')"))
    task_id = publisher.deploy(item["guid"], bundle["id"])
    first, answers = 0, []
    while True:
        task = publisher("GET", "v1/tasks/" + task_id, params={"first": first, "wait": 20}).json()
        answers.append(task)
        assert task["output"] or task["finished"], task
        assert task["last"] == first + len(task["output"])
        first = task["last"]
        if task["finished"]:
            break
    assert task["code"] == 0
    assert len(answers) > 1 and not answers[0]["finished"]  # it streamed, not one answer at the end


def test_failing_first_deploy_says_nothing_was_deployed(publisher):
    item = publisher.create("notebook-fails-first")
    task, lines = publisher.publish(item["guid"], notebook_bundle("raise ValueError('first-boom-17')"))
    assert task["finished"] and task["code"] != 0
    assert task["error"].endswith("nothing was deployed."), task["error"]
    assert "stays live" not in task["error"]
    assert publisher("GET", "v1/content/" + item["guid"]).json()["bundle_id"] is None
