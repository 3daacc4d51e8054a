"""The bundle's build and upload show their progress on stderr: a few plain lines when piped, a
tqdm bar (bytes, rate, time left) on a terminal, nothing with -q. Real runs against the local server."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import uuid

import pytest

from tests.cli.test_cli_publish import cli, ok

MB = 1000 * 1000


@pytest.fixture
def site(tmp_path):
    """An HTML page with a folder of 6 MB of data that does not compress (so the bundle is 6 MB too)."""
    folder = tmp_path / ("site-" + uuid.uuid4().hex[:6])
    (folder / "data").mkdir(parents=True)
    (folder / "index.html").write_text("<html><body><h1>Data</h1></body></html>")
    for i in range(3):
        (folder / "data" / ("part%d.bin" % i)).write_bytes(os.urandom(2 * MB))
    return folder


def percentages(stderr, label):
    return [int(p) for p in re.findall(r"^%s: (\d+)%% \(" % label, stderr, re.M)]


def test_piped_stderr_gets_a_few_plain_lines_per_phase(local_server, site):
    target = ["-s", local_server.url, "-k", local_server.api_key]
    result = ok(cli("deploy", "html", "-N", *target, site / "index.html", site / "data"))
    # The bundle is written while it uploads: one phase, in bytes of the files read (by MiB).
    assert percentages(result.stderr, "Building bundle") == []
    seen = percentages(result.stderr, "Uploading bundle")
    assert 3 <= len(seen) <= 4 and seen == sorted(set(seen)) and seen[-1] == 100, result.stderr
    upload = [line for line in result.stderr.splitlines() if line.startswith("Uploading bundle: 100%")][0]
    assert re.fullmatch(r"Uploading bundle: 100% \((6\.\d) MB of \1 MB\) in [\d.]+ s, [\d.]+ [kMG]?B/s", upload), upload
    assert "\r" not in result.stderr and "\x1b" not in result.stderr  # no bar redrawn into a log file
    # Written to a file first (CONNECT_UPLOAD_STREAM=0): the build's phase, then the upload's, by small blocks.
    result = ok(
        cli("deploy", "html", "-N", *target, site / "index.html", site / "data", env={"CONNECT_UPLOAD_STREAM": "0"})
    )
    seen = percentages(result.stderr, "Building bundle")
    assert 3 <= len(seen) <= 4 and seen == sorted(set(seen)) and seen[-1] == 100, result.stderr
    assert percentages(result.stderr, "Uploading bundle") == [25, 50, 75, 100]
    quiet = ok(cli("deploy", "html", "-N", "-q", *target, site / "index.html", site / "data"))
    assert "bundle:" not in quiet.stderr and "%" not in quiet.stderr
    assert quiet.stdout.strip().startswith(local_server.url + "content/")


def test_a_terminal_gets_a_tqdm_bar_with_rate_and_time_left(local_server, site):
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    env = dict(os.environ, TERM="xterm")
    for k in ("CONNECT_SERVER", "CONNECT_API_KEY", "RETICULATE_PYTHON", "CONNECT_TASK_TIMEOUT"):
        env.pop(k, None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rsconnect_jupyter",
            "deploy",
            "html",
            "-N",
            "-s",
            local_server.url,
            "-k",
            local_server.api_key,
            str(site / "index.html"),
            str(site / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    chunks = []

    def read_terminal():  # until the child closes its end (EIO on Linux)
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    stdout = proc.communicate(timeout=600)[0].decode()
    reader.join(timeout=60)
    os.close(primary)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, terminal
    assert stdout.strip().splitlines()[1].startswith("Content URL:")
    # tqdm's last draw of the bar (one: the bundle is written as it uploads): 100%, bytes done/total,
    # [elapsed<left, rate].
    assert "Building bundle" not in terminal
    for label in ("Uploading bundle",):
        bar = re.findall(
            r"%s: 100%%\|[^|\r\n]*\| ([\d.]+M)B?/([\d.]+M)B? \[\d\d:\d\d<\d\d:\d\d, +[\d.]+[kMG]?B/s\]" % label,
            terminal,
        )
        assert bar and bar[-1][0] == bar[-1][1] and bar[-1][1].startswith("6.0"), terminal
    assert "\r" in terminal  # redrawn in place, not one line per update
    assert "Uploading bundle: 25% (" not in terminal  # the plain lines are for pipes
