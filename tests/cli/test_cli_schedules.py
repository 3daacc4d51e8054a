"""`rsconnect content schedule | render | history` and `deploy notebook --every ...` against the local
server (rsconnect_jupyter/schedules.py does the work): set, show, change and remove a schedule, run the
notebook now and follow it, list the runs; refusals in one sentence, with nothing saved."""

from __future__ import annotations

import re
import uuid

import nbformat

from tests.cli.test_cli_publish import cli, ok, one_sentence_failure


def report(folder):
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import time\nprint('ran at', time.time_ns())")]
    path = folder / "report.ipynb"
    nbformat.write(nb, str(path))
    (folder / "requirements.txt").write_text("")  # nothing to install: the server's own kernel packages
    return path


def test_schedule_a_notebook_from_the_cli_show_change_run_list_and_remove(local_server, tmp_path):
    key = local_server.add_user("cleo" + uuid.uuid4().hex[:6], "publisher")
    target = ["-s", local_server.url, "-k", key]
    path = report(tmp_path / "report")
    result = ok(
        cli(
            "deploy",
            "notebook",
            path,
            *target,
            "--every",
            "day",
            "--at",
            "08:00",
            "--timezone",
            "Europe/Paris",
            "--email",
            "me",
        )  # fmt: skip
    )
    assert "Runs every day at 08:00 (Europe/Paris); next run " in result.stdout
    assert "Results are mailed to: me." in result.stdout
    shown = ok(cli("content", "schedule", path, *target)).stdout
    assert "Runs every day at 08:00 (Europe/Paris)" in shown and "mailed to: me." in shown

    changed = ok(
        cli(
            "content",
            "schedule",
            path,
            *target,
            "--every",
            "week",
            "--days",
            "mon,wed",
            "--at",
            "09:30",
            "--timezone",
            "America/New_York",
            "--email",
            "viewers",
        )  # fmt: skip
    ).stdout
    assert "Runs every Monday, Wednesday at 09:30 (America/New_York)" in changed
    assert "mailed to: viewers." in ok(cli("content", "schedule", path, *target)).stdout

    # refusals: one sentence each, and the schedule stays as it was
    for args, sentence in (
        (["--every", "fortnight"], "Error: --every 'fortnight' is not a schedule: use one of minute,"),
        (["--every", "day", "--timezone", "Mars/Base"], "Error: There is no timezone 'Mars/Base'"),
        (
            ["--every", "day", "--at", "02:30", "--timezone", "America/New_York", "--start", "2027-03-14"],
            "Error: 2027-03-14 02:30 does not exist in America/New_York (the clocks skip it that day)",
        ),
        (["--every", "day", "--at", "25:00"], "Error: --at '25:00' is not a time of day"),
    ):
        assert one_sentence_failure(cli("content", "schedule", path, *target, *args)).startswith(sentence)
    assert "every Monday, Wednesday at 09:30" in ok(cli("content", "schedule", path, *target)).stdout

    ran = ok(cli("content", "render", path, *target))
    assert re.search(r"^Run \d+ succeeded: http", ran.stdout, re.M) and "Running report.ipynb" in ran.stderr
    history = ok(cli("content", "history", path, *target)).stdout
    assert re.search(r"^\d+\s+\S+\s+run now\s+success\s+http\S+_rendering\d+/$", history, re.M), history

    assert ok(cli("content", "schedule", path, *target, "--off")).stdout.strip() == "Schedule removed."
    assert ok(cli("content", "schedule", path, *target)).stdout.strip() == "Not scheduled."


def test_a_snapshot_cannot_be_scheduled_and_is_told_what_to_publish(local_server, tmp_path):
    key = local_server.add_user("sian" + uuid.uuid4().hex[:6], "publisher")
    target = ["-s", local_server.url, "-k", key]
    path = report(tmp_path / "snap")
    refused = one_sentence_failure(cli("deploy", "notebook", path, *target, "--static", "--every", "day"))
    assert "A snapshot (--static) cannot be run again or scheduled: leave out --static" in refused
    assert "Content URL" not in refused  # refused before anything was uploaded
    ok(cli("deploy", "notebook", path, *target, "--static", "-q"))
    refused = one_sentence_failure(cli("content", "schedule", path, *target, "--every", "day"))
    assert "snapshot (static HTML) and cannot be re-run or scheduled: publish the notebook with its source" in refused
