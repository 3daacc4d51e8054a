"""docs/cli.md's Quarto commands, run as the page shows them (`rsconnect` as `python -m rsconnect_jupyter`,
the server given by CONNECT_SERVER and CONNECT_API_KEY), in a folder holding what they name; the
refusal the page quotes is the one `deploy quarto` prints against the local server."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli_publish import content_guids
from tests.cli.test_cli_quarto import QMD_PYTHON, make_project, make_site

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def block_after(heading, kind="bash"):
    text = DOC.read_text()
    return re.search(r"```%s\n(.*?)```" % kind, text[text.index(heading) :], re.S).group(1)


def commands_after(heading):
    """The commands of the first bash block after `heading`, without their comments."""
    return [line.split("  #")[0].strip() for line in block_after(heading).splitlines() if line.strip()]


def run(command, env, cwd):
    argv = [sys.executable, "-m", "rsconnect_jupyter", *shlex.split(command)[1:]]
    assert shlex.split(command)[0] == "rsconnect", command
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def folder_with_quarto_output(tmp_path):
    """A folder as the page describes it: a rendered website's _site/, a rendered document with its
    _files/ folder, the document's source and a project."""
    folder = tmp_path / "work"
    folder.mkdir()
    make_site(folder / "_site")
    (folder / "report.html").write_text('<html><script src="report_files/x.js"></script>Report</html>')
    (folder / "report_files").mkdir()
    (folder / "report_files" / "x.js").write_text("1;")
    (folder / "report.qmd").write_text(QMD_PYTHON)
    (folder / "requirements.txt").write_text("pandas\n")
    make_project(folder / "team-site")
    return folder


def test_the_quarto_commands_of_the_page_work_as_written(local_server, tmp_path):
    folder = folder_with_quarto_output(tmp_path)
    env = dict(os.environ, CONNECT_SERVER=local_server.url, CONNECT_API_KEY=local_server.api_key)
    published = commands_after("This is how to publish Quarto content")
    assert published == ["rsconnect deploy html _site/", "rsconnect deploy html report.html"]
    for command in published:
        done = run(command, env, folder)
        assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
    assert (folder / "_site" / "rsconnect-python" / "_site.json").is_file()
    assert (folder / "rsconnect-python" / "report.json").is_file()

    manifests = commands_after("## `rsconnect write-manifest quarto")
    assert len(manifests) == 2
    for command in manifests:
        done = run(command, env, folder)
        assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
    assert (folder / "manifest.json").is_file() and (folder / "team-site" / "manifest.json").is_file()

    # The refusal, word for word as the page quotes it (its server's address is the local server's).
    (quoted,) = block_after("**A server that cannot render Quarto.**", "text").splitlines()
    before = content_guids(local_server)
    done = run("rsconnect deploy quarto report.qmd", env, folder)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == quoted.replace("http://127.0.0.1:3939/", local_server.url)
    assert content_guids(local_server) == before
