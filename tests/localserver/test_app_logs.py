"""App logs are rotated: an app that prints fast (tests/apps/chatty) cannot fill the disk, and its
newest lines are always kept (DATA/content/GUID/app-logs/bundle-ID-TIME.log, .1, .2, .3)."""

import re
import time

import pytest

from rsconnect_jupyter.localconnect.apps import APP_LOG_KEEP, APP_LOG_MAX_BYTES, RotatingLog, log_limits
from tests.localserver.localserver_helpers import Client, app_bundle

LINE = re.compile(rb"^chatty line (\d{7}) x+$")


def chatty_bundle():
    return app_bundle("chatty", "python-api", "app:app")


def log_files(folder):
    """The current log and its rotations, oldest first."""
    current = [p for p in folder.iterdir() if p.name.endswith(".log")]
    assert len(current) == 1, sorted(p.name for p in folder.iterdir())
    rotated = sorted(folder.glob(current[0].name + ".*[0-9]"), key=lambda p: -int(p.suffix[1:]))
    return rotated + current


def numbers(data):
    """The chatty line numbers in `data`, in order; any other line (the app's start) is left out."""
    found = [LINE.match(line) for line in data.splitlines()]
    return [int(m.group(1)) for m in found if m]


def test_rotating_log_keeps_the_newest_lines_in_bounded_files(tmp_path):
    path = str(tmp_path / "app.log")
    out = RotatingLog(path, max_bytes=4096, keep=3)
    data = b"".join(b"chatty line %07d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" % n for n in range(5000))
    for start in range(0, len(data), 1000):  # pieces that cut lines, as a pipe delivers them
        out.write(data[start : start + 1000])
    out.close()
    files = log_files(tmp_path)
    assert [p.name for p in files] == ["app.log.3", "app.log.2", "app.log.1", "app.log"]
    assert all(p.stat().st_size <= 4096 for p in files)
    kept = numbers(b"".join(p.read_bytes() for p in files))
    assert kept[-1] == 4999 and kept == list(range(kept[0], 5000))  # the newest lines, none lost in between
    for p in files[:-1]:
        assert p.read_bytes().endswith(b"\n")  # a line is never split between two files


def test_log_limits_default_to_10_mb_and_3_older_files(monkeypatch):
    monkeypatch.delenv("RSCONNECT_APP_LOG_MAX_BYTES", raising=False)
    monkeypatch.delenv("RSCONNECT_APP_LOG_KEEP", raising=False)
    assert log_limits() == (APP_LOG_MAX_BYTES, APP_LOG_KEEP) == (10 * 1024 * 1024, 3)
    monkeypatch.setenv("RSCONNECT_APP_LOG_MAX_BYTES", "65536")
    monkeypatch.setenv("RSCONNECT_APP_LOG_KEEP", "oops")
    assert log_limits() == (65536, 3)


@pytest.mark.slow
def test_an_app_that_prints_fast_keeps_bounded_logs_and_its_newest_lines(tmp_path, local_servers, local_server):
    import os

    env = dict(os.environ, RSCONNECT_APP_LOG_MAX_BYTES="65536", RSCONNECT_APP_LOG_KEEP="3")
    server = local_servers.start(
        tmp_path / "data", env=env, extra_args=["--environments-dir", str(local_server.data_dir / "environments")]
    )
    admin = Client(server)
    item = admin.create("chatty-app")
    task, lines = admin.publish(item["guid"], chatty_bundle())
    assert task["code"] == 0, "\n".join(lines)
    url = server.url + "content/%s/" % item["guid"]
    folder = tmp_path / "data" / "content" / item["guid"] / "app-logs"

    for _ in range(3):  # 3 x 20000 lines of about 60 bytes: 3.6 MB through 64 KB files
        r = admin.get(url, params={"lines": 20000}, timeout=120)
        assert r.status_code == 200 and r.text == "printed 20000 lines"
    deadline = time.monotonic() + 60
    while b"chatty line 0019999" not in log_files(folder)[-1].read_bytes():  # the copy thread catches up
        assert time.monotonic() < deadline, "the newest line never reached the log"
        time.sleep(0.2)

    files = log_files(folder)
    assert len(files) == 4, [p.name for p in files]  # the current one and 3 older: the rest were dropped
    assert all(p.stat().st_size <= 65536 for p in files), [(p.name, p.stat().st_size) for p in files]
    kept = numbers(b"".join(p.read_bytes() for p in files))
    assert kept[-1] == 19999 and kept == list(range(kept[0], 20000))
    assert sum(p.stat().st_size for p in files) >= 3 * 60000  # the older files are full, not emptied

    r = admin.get(url, params={"lines": 5}, timeout=60)  # the app still runs and logs
    assert r.text == "printed 5 lines"
    deadline = time.monotonic() + 30
    while numbers(log_files(folder)[-1].read_bytes())[-5:] != [0, 1, 2, 3, 4]:
        assert time.monotonic() < deadline, "the app's latest lines never reached the log"
        time.sleep(0.2)
    local_servers.stop(server)
