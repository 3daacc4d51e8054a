"""The logs API as Connect has it: `v1/content/{guid}/jobs`, `.../jobs/{key}`, `.../jobs/{key}/log` and
`DELETE .../jobs/{key}`, judged by posit-sdk-py (pinned in tests/core/posit_sdk.py: `content.jobs`,
`find`, `find_by`, `Job.destroy`) over real HTTP; plain requests for the refusals' status and code.

A job here is a deploy task or one start of an app's process (rsconnect_jupyter/localconnect/jobs.py).
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime

import pytest

from rsconnect_jupyter.localconnect.jobs import tail_lines
from tests.core import posit_sdk
from tests.localserver.localserver_helpers import (
    Client,
    app_bundle,
    manifest,
    notebook_bundle,
    static_bundle,
    tar_bytes,
)

# The fields of one job in Connect's answer (fixture v1_content_<guid>_jobs_tHawGvHZTosJA2Dx.json).
FIXTURE_JOB = {
    "id": "54",
    "ppid": "20253",
    "pid": "20253",
    "key": "tHawGvHZTosJA2Dx",
    "remote_id": "S3ViZXJuZXRlczpyZW5kZXItci1tYXJrZG93bi1zaXRlLWtnODJo",
    "app_id": "54",
    "variant_id": "54",
    "bundle_id": "54",
    "start_time": "2006-01-02T15:04:05-07:00",
    "end_time": "2006-01-02T15:04:05-07:00",
    "last_heartbeat_time": "2006-01-02T15:04:05-07:00",
    "queued_time": "2006-01-02T15:04:05-07:00",
    "queue_name": "default",
    "tag": "build_report",
    "exit_code": 0,
    "status": 0,
    "hostname": "connect",
    "cluster": "Kubernetes",
    "image": "someorg/image:jammy",
    "run_as": "rstudio-connect",
}
KEY = re.compile(r"^[A-Za-z0-9]{16}$")

SDK_READ = """
content = client.content.get(%(guid)r)
jobs = [dict(j) for j in content.jobs]
key = jobs[-1]["key"]
found = dict(content.jobs.find(key))
by_tag = content.jobs.find_by(tag=%(tag)r)
log = client.get("v1/content/%%s/jobs/%%s/log" %% (%(guid)r, key)).json()
last_two = client.get("v1/content/%%s/jobs/%%s/log" %% (%(guid)r, key), params={"maxLogLines": 2}).json()
print(json.dumps({"jobs": jobs, "found": found, "by_tag": by_tag and dict(by_tag), "log": log,
                  "last_two": last_two}))
"""


@pytest.fixture(scope="module")
def people(local_server):
    """An owner, another publisher, a viewer the content is shared with and one it is not."""
    owner = Client(local_server, local_server.add_user("jobs-owner", "publisher"))
    outsider = Client(local_server, local_server.add_user("jobs-olga", "publisher"))
    shared = Client(local_server, local_server.add_user("jobs-sam", "viewer"))
    stranger = Client(local_server, local_server.add_user("jobs-vic", "viewer"))
    return {"owner": owner, "outsider": outsider, "shared": shared, "stranger": stranger}


def share(owner, guid, viewer):
    me = viewer("GET", "v1/user").json()
    r = owner(
        "POST",
        "v1/content/%s/permissions" % guid,
        json={"principal_guid": me["guid"], "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text


def assert_connect_shape(job):
    """The fixture's fields with the fixture's types (ids as strings); null where the server has none."""
    assert set(job) >= set(FIXTURE_JOB), sorted(set(FIXTURE_JOB) - set(job))
    for name, example in FIXTURE_JOB.items():
        if job[name] is not None:
            assert type(job[name]) is type(example), (name, job[name])
    assert KEY.match(job["key"]), job["key"]
    datetime.fromisoformat(job["start_time"].replace("Z", "+00:00"))  # RFC 3339
    assert job["status"] in (0, 1)
    assert job["app_id"] == job["content_id"] and job["hostname"]


def test_posit_sdk_lists_finds_and_reads_the_jobs_of_deploys(local_server, people):
    owner = people["owner"]
    item = owner.create("jobs-static", "Jobs of a static site")
    guid = item["guid"]
    first, first_lines = owner.publish(guid, static_bundle("<p>one</p>"))
    assert first["code"] == 0, first_lines
    second, lines = owner.publish(guid, static_bundle("<p>two</p>"))
    assert second["code"] == 0, lines
    bundles = owner("GET", "v1/content/%s/bundles" % guid).json()

    out = posit_sdk.run(local_server.url, owner.key, SDK_READ % {"guid": guid, "tag": "unknown"})
    jobs = out["jobs"]
    assert len(jobs) == 2
    for job in jobs:
        assert_connect_shape(job)
        assert job["content_guid"] == guid and job["app_id"] == str(item["id"])
        assert job["status"] == 1 and job["exit_code"] == 0 and job["tag"] == "unknown"  # static: no build
        assert job["pid"] is None and job["end_time"] >= job["start_time"]  # a finished deploy records its end
    # newest first: the second deploy, then the first
    assert [j["bundle_id"] for j in jobs] == [str(bundles[1]["id"]), str(bundles[0]["id"])]
    assert jobs[0]["start_time"] >= jobs[1]["start_time"]
    assert len({j["key"] for j in jobs}) == 2
    assert out["found"] == jobs[-1]  # find(key): that job, by its key
    assert out["by_tag"] in jobs
    # the log: the first deploy's lines, in order, as Connect's {"entries": [...]}
    entries = out["log"]["entries"]
    data = [e["data"] for e in entries]
    assert data == first_lines  # what the deploy's task said, line for line
    assert data[0] == "Deploying bundle %s of content %s." % (bundles[0]["id"], guid)
    assert data[-1] == "Bundle %s is live." % bundles[0]["id"]
    assert all(e["source"] == "stdout" and e["timestamp"] is None for e in entries)
    assert out["last_two"]["entries"] == entries[-2:]
    # the keys stay the same from one answer to the next, and reveal no task id
    again = owner("GET", "v1/content/%s/jobs" % guid).json()
    assert [j["key"] for j in again] == [j["key"] for j in jobs]
    assert first["id"] not in json.dumps(again)
    one = owner("GET", "v1/content/%s/jobs/%s" % (guid, jobs[0]["key"]))
    assert one.status_code == 200 and one.json() == jobs[0]


def test_a_failed_deploy_is_a_job_with_exit_code_1_and_its_error_on_stderr(local_server, people):
    owner = people["owner"]
    guid = owner.create("jobs-broken")["guid"]
    files = {"other.html": "<p>not the primary</p>"}
    broken = tar_bytes({**files, "manifest.json": manifest("static", files, metadata={"primary_html": "index.html"})})
    task, lines = owner.publish(guid, broken)
    assert task["code"] == 1 and "index.html" in task["error"], lines
    (job,) = owner("GET", "v1/content/%s/jobs" % guid).json()
    assert job["status"] == 1 and job["exit_code"] == 1
    entries = owner("GET", "v1/content/%s/jobs/%s/log" % (guid, job["key"])).json()["entries"]
    assert entries[-1] == {"source": "stderr", "timestamp": None, "data": task["error"]}
    assert all(e["source"] == "stdout" for e in entries[:-1])


def test_who_may_read_and_stop_jobs_and_what_is_refused(local_server, people):
    owner, outsider, shared, stranger = (people[k] for k in ("owner", "outsider", "shared", "stranger"))
    guid = owner.create("jobs-guarded")["guid"]
    task, lines = owner.publish(guid, static_bundle("<p>guarded</p>"))
    assert task["code"] == 0, lines
    share(owner, guid, shared)
    (job,) = owner("GET", "v1/content/%s/jobs" % guid).json()
    paths = ["v1/content/%s/jobs" % guid, "v1/content/%s/jobs/%s" % (guid, job["key"])]
    paths.append(paths[1] + "/log")

    for path in paths:
        assert owner("GET", path).status_code == 200
        # Jobs and logs are for those who may change the content, as on Connect: not its viewers
        for other in (shared, outsider, stranger):
            r = other("GET", path)
            assert r.status_code == 403 and r.json()["code"] == 19, r.text
        r = local_server.api("GET", path, key="not-a-key")
        assert r.status_code == 401 and r.json()["code"] == 30
    for who in (shared, outsider, stranger):  # stopping a job needs the right to change the content
        r = who("DELETE", paths[1])
        assert r.status_code == 403 and r.json()["code"] == 19, r.text

    for path in ("jobs/NoSuchJobKey0000", "jobs/not-a-key", "jobs/NoSuchJobKey0000/log"):
        r = owner("GET", "v1/content/%s/%s" % (guid, path))
        assert r.status_code == 404 and r.json()["code"] == 4, r.text
        assert r.json()["error"].endswith("does not exist.")
    r = owner("DELETE", "v1/content/%s/jobs/NoSuchJobKey0000" % guid)
    assert r.status_code == 404 and r.json()["code"] == 4
    r = owner("GET", "v1/content/00000000-0000-0000-0000-000000000000/jobs")
    assert r.status_code == 404 and r.json()["code"] == 4
    # another content item's key is not a job of this one
    other_guid = outsider.create("jobs-other")["guid"]
    assert outsider("GET", "v1/content/%s/jobs/%s" % (other_guid, job["key"])).status_code == 404

    for bad in ("0", "-1", "ten", "1.5"):
        r = owner("GET", paths[2], params={"maxLogLines": bad})
        assert r.status_code == 400 and r.json()["code"] == 3 and "maxLogLines" in r.json()["error"], r.text
    big = owner("GET", paths[2], params={"maxLogLines": 10**9})
    assert big.status_code == 200 and big.json()["entries"]
    # a finished job cannot be stopped: Connect's 409 and code
    r = owner("DELETE", paths[1])
    assert r.status_code == 409 and r.json()["code"] == 163 and r.json()["error"].endswith("."), r.text
    assert owner("GET", paths[1]).json() == job  # nothing changed


def chatty_bundle():
    return app_bundle("chatty", "python-api", "app:app")


def alive(pid):
    """Whether `pid` runs (an exited child not yet reaped by the server counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.mark.slow
def test_an_app_process_is_a_job_with_its_own_log_and_destroy_stops_it(local_server, people):
    owner = people["owner"]
    item = owner.create("jobs-app", "An app whose process is a job")
    guid = item["guid"]
    task, lines = owner.publish(guid, chatty_bundle())
    assert task["code"] == 0, "\n".join(lines)
    url = local_server.url + "content/%s/" % guid
    r = local_server.get(url, key=owner.key, params={"lines": 3})
    assert r.status_code == 200 and r.text == "printed 3 lines"

    code = """
content = client.content.get(%(guid)r)
run = content.jobs.find_by(tag="run_python_api")
build = content.jobs.find_by(tag="python_restore")
found = content.jobs.find(run["key"])
print(json.dumps({"run": dict(run), "build": dict(build), "found": dict(found)}))
""" % {"guid": guid}
    out = posit_sdk.run(local_server.url, owner.key, code)
    run, build = out["run"], out["build"]
    assert_connect_shape(run)
    assert_connect_shape(build)
    assert run["status"] == 0 and run["exit_code"] is None and run["ppid"]  # running, a child of the server
    pid = int(run["pid"])
    assert alive(pid)
    assert out["found"] == run
    assert build["status"] == 1 and build["exit_code"] == 0 and build["bundle_id"] == run["bundle_id"]
    log_path = "v1/content/%s/jobs/%s/log" % (guid, run["key"])
    wait_for(
        lambda: "chatty line 0000002 " + "x" * 40 in [e["data"] for e in owner("GET", log_path).json()["entries"]],
        "the app's printed lines never reached its job's log",
    )
    build_log = owner("GET", "v1/content/%s/jobs/%s/log" % (guid, build["key"])).json()["entries"]
    assert "The app answers on its private port." in [e["data"] for e in build_log]

    # Job.destroy(): the process stops; the job stays, finished; stopping it again is Connect's 409
    code = """
job = client.content.get(%(guid)r).jobs.find(%(key)r)
job.destroy()
print(json.dumps(dict(client.content.get(%(guid)r).jobs.find(%(key)r))))
""" % {"guid": guid, "key": run["key"]}
    after = posit_sdk.run(local_server.url, owner.key, code)
    assert after["status"] == 1 and after["pid"] is None and after["key"] == run["key"]
    wait_for(lambda: not alive(pid), "the app process still runs after its job was destroyed")
    r = owner("DELETE", "v1/content/%s/jobs/%s" % (guid, run["key"]))
    assert r.status_code == 409 and r.json()["code"] == 163
    # the log stays readable; the next request starts the app again: a new job
    assert owner("GET", log_path).json()["entries"]
    r = local_server.get(url, key=owner.key, params={"lines": 1})
    assert r.status_code == 200 and r.text == "printed 1 lines"
    runs = [j for j in owner("GET", "v1/content/%s/jobs" % guid).json() if j["tag"] == "run_python_api"]
    assert len(runs) == 2 and runs[1]["key"] == run["key"] and runs[0]["status"] == 0
    assert int(runs[0]["pid"]) != pid and alive(int(runs[0]["pid"]))
    # a deploy task cannot be stopped once finished either
    r = owner("DELETE", "v1/content/%s/jobs/%s" % (guid, build["key"]))
    assert r.status_code == 409 and r.json()["code"] == 163
    assert os.path.isdir(local_server.data_dir / "content" / guid / "app-logs")


@pytest.mark.slow
def test_a_notebook_deploy_is_a_build_jupyter_job(local_server, people):
    owner = people["owner"]
    guid = owner.create("jobs-notebook")["guid"]
    task, lines = owner.publish(guid, notebook_bundle("print('hello from the notebook')"))
    assert task["code"] == 0, "\n".join(lines)
    code = """
(job,) = client.content.get(%(guid)r).jobs
log = client.get("v1/content/%(guid)s/jobs/%%s/log" %% job["key"]).json()
print(json.dumps({"job": dict(job), "log": log}))
""" % {"guid": guid}
    out = posit_sdk.run(local_server.url, owner.key, code)
    assert_connect_shape(out["job"])
    assert out["job"]["tag"] == "build_jupyter" and out["job"]["exit_code"] == 0 and out["job"]["status"] == 1
    assert [e["data"] for e in out["log"]["entries"]] == lines


def test_a_log_is_read_from_its_end_across_its_rotations(tmp_path):
    """The last lines of a log and its rotations (oldest first), read backwards: whole lines only,
    blank lines kept, a missing rotation skipped, a line longer than a read block kept whole."""
    log = tmp_path / "bundle-1-1700000000.log"
    long_line = "y" * 200_000
    (tmp_path / (log.name + ".2")).write_text("".join("old %d\n" % n for n in range(100_000)))
    (tmp_path / (log.name + ".1")).write_text("middle 1\n\nmiddle 3\n%s\n" % long_line)
    log.write_text("new 1\r\nnew 2")  # the last line not ended yet
    paths = [str(tmp_path / (log.name + ".3")), str(tmp_path / (log.name + ".2")), str(tmp_path / (log.name + ".1"))]
    paths.append(str(log))
    assert tail_lines(paths, 2) == ["new 1", "new 2"]
    assert tail_lines(paths, 6) == ["middle 1", "", "middle 3", long_line, "new 1", "new 2"]
    got = tail_lines(paths, 5000)
    assert len(got) == 5000 and got[:2] == ["old 95006", "old 95007"] and got[-1] == "new 2"
    assert tail_lines(paths, 0) == [] and tail_lines([str(tmp_path / "none.log")], 10) == []


@pytest.mark.slow
def test_jobs_keep_their_keys_across_a_restart_and_a_stopped_server_leaves_no_running_job(
    tmp_path, local_servers, local_server
):
    args = ["--environments-dir", str(local_server.data_dir / "environments")]  # the session's environments
    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    guid = admin.create("jobs-restart")["guid"]
    task, lines = admin.publish(guid, chatty_bundle())
    assert task["code"] == 0, "\n".join(lines)
    before = admin("GET", "v1/content/%s/jobs" % guid).json()
    assert [(j["tag"], j["status"]) for j in before] == [("run_python_api", 0), ("python_restore", 1)]
    pid = int(before[0]["pid"])
    local_servers.stop(server)
    assert not alive(pid)

    server = local_servers.start(tmp_path / "data", extra_args=args)
    admin = Client(server)
    after = admin("GET", "v1/content/%s/jobs" % guid).json()
    assert [j["key"] for j in after] == [j["key"] for j in before]  # stable keys
    assert after[0]["status"] == 1 and after[0]["pid"] is None and after[0]["ppid"] is None
    assert after[1] == before[1]  # the deploy, as it was
    log = admin("GET", "v1/content/%s/jobs/%s/log" % (guid, after[0]["key"])).json()["entries"]
    assert any("waitress" in e["data"].lower() or "serving" in e["data"].lower() for e in log), log
    r = server.get(server.url + "content/%s/" % guid, params={"lines": 1})  # starts the app again: a new job
    assert r.status_code == 200 and r.text == "printed 1 lines"
    again = admin("GET", "v1/content/%s/jobs" % guid).json()
    assert len(again) == 3 and again[0]["status"] == 0 and again[0]["key"] not in [j["key"] for j in before]
    local_servers.stop(server)
