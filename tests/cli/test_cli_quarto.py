"""Quarto, the half that can be built without a Quarto (none runs on this machine).

- `rsconnect deploy quarto` of a .qmd, an .ipynb or a project folder, against the local server, which
  cannot render Quarto: the CLI reads the server's `v1/server_settings/quarto` (no installations) and
  refuses before anything is sent, in one sentence; no content item is created and no record written.
- The local server refuses a Quarto source bundle sent anyway (by a client that does not ask), in the
  same words, and removes the empty item.
- `rsconnect write-manifest quarto`: the manifest rsconnect-python 1.32 writes (quarto-static,
  quarto-shiny for `server: shiny`, `content_category: site` for several inputs, the Python sections
  only for the jupyter engine), its quarto section read from the files; with a `quarto` on PATH, from
  `quarto inspect`, compared with what rsconnect-python 1.32 writes from the same answer.
- `rsconnect deploy html` of a rendered document (with its NAME_files/ folder) and of a rendered
  site's `_site/` folder (static, `content_category: site`): the local server serves each page.
"""

import io
import json
import os
import stat
import subprocess
import tarfile

import pytest
import requests

from tests.cli.test_cli_publish import cli, content_guids, ok, one_sentence_failure
from tests.core import rsconnect_python
from tests.localserver.localserver_helpers import manifest, tar_bytes

REFUSAL = (
    "cannot render Quarto, which Posit Connect with Quarto can: publish the source there, or render it "
    "yourself and publish the output with `rsconnect deploy html`."
)
QMD_PYTHON = '---\ntitle: "Sales report"\n---\n\nThe total:\n\n```{python}\nprint(40 + 2)\n```\n'
QMD_R = '---\ntitle: "R report"\n---\n\n```{r}\nsummary(cars)\n```\n'
QMD_TEXT = "---\ntitle: Notes\n---\n\nJust words, no code.\n"
QMD_SHINY = "---\ntitle: Live\nserver: shiny\n---\n\n```{python}\nfrom shiny import ui\n```\n"


@pytest.fixture
def target(local_server):
    return ["-s", local_server.url, "-k", local_server.api_key]


def notebook_text():
    return json.dumps(
        {
            "cells": [
                {"cell_type": "raw", "metadata": {}, "source": ["---\n", "title: Notebook report\n", "---\n"]},
                {"cell_type": "code", "metadata": {}, "source": ["1 + 1"], "outputs": [], "execution_count": None},
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def make_project(folder, rendered=True):
    """A Quarto website: two pages (one with Python), and what a local render leaves beside them."""
    folder.mkdir(parents=True)
    (folder / "_quarto.yml").write_text('project:\n  type: website\nwebsite:\n  title: "Team site"\n')
    (folder / "index.qmd").write_text("---\ntitle: Home\n---\n\nWelcome.\n")
    (folder / "about.qmd").write_text(QMD_PYTHON)
    (folder / "styles.css").write_text("body { color: navy; }\n")
    (folder / "requirements.txt").write_text("pandas\n")
    if rendered:
        for leftover in ("_site/index.html", ".quarto/xref/1", "index.html", "about_files/libs/x.js"):
            (folder / leftover).parent.mkdir(parents=True, exist_ok=True)
            (folder / leftover).write_text("rendered")
    return folder


def make_site(folder):
    """What `quarto render` leaves in _site/ for a website: pages, a nested page, its libraries."""
    pages = {
        "index.html": "<html><title>Team site</title><body>Home page of the team site</body></html>",
        "about.html": "<html><body>About the team: 42 people</body></html>",
        "posts/first/index.html": "<html><body>The first post</body></html>",
        "site_libs/quarto-html/quarto.js": "window.quarto = {};",
        "search.json": "[]",
    }
    for name, text in pages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return pages


def downloaded(local_server, guid):
    bundle_id = local_server.api("GET", "v1/content/" + guid).json()["bundle_id"]
    archive = local_server.api("GET", "v1/content/%s/bundles/%s/download" % (guid, bundle_id)).content
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return sorted(tar.getnames()), json.load(tar.extractfile("manifest.json"))


# ---------------------------------------------------------------------------------------------
# Source that needs rendering: refused before anything is sent


@pytest.mark.parametrize("kind", ["qmd", "ipynb", "project"])
def test_quarto_source_is_refused_before_upload_by_a_server_without_quarto(local_server, target, tmp_path, kind):
    assert local_server.api("GET", "v1/server_settings/quarto").json() == {"installations": []}
    if kind == "project":
        path = make_project(tmp_path / "team-site")
    else:
        path = tmp_path / ("report." + kind)
        path.write_text(QMD_PYTHON if kind == "qmd" else notebook_text())
    before = content_guids(local_server)
    last = one_sentence_failure(cli("deploy", "quarto", *target, path))
    assert last == "Error: %s %s" % (local_server.url, REFUSAL)
    assert content_guids(local_server) == before  # nothing created
    record_dir = path if kind == "project" else path.parent
    assert not (record_dir / "rsconnect-python").exists()
    # The manifest written for a Connect that renders Quarto is refused the same way by `deploy manifest`.
    ok(cli("write-manifest", "quarto", path))
    last = one_sentence_failure(cli("deploy", "manifest", *target, record_dir / "manifest.json"))
    assert last == "Error: %s %s" % (local_server.url, REFUSAL)
    assert content_guids(local_server) == before


def test_the_local_server_refuses_a_quarto_bundle_sent_anyway(local_server):
    files = {"report.qmd": QMD_PYTHON}
    archive = tar_bytes(
        {
            **files,
            "manifest.json": manifest("quarto-static", files, quarto={"version": "1.4.553", "engines": ["markdown"]}),
        }
    )
    created = local_server.api("POST", "v1/content", json={"name": "quarto-sent-anyway"}).json()
    answer = local_server.api("POST", "v1/content/%s/bundles" % created["guid"], data=archive)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("This server " + REFUSAL)
    assert local_server.api("GET", "v1/content/" + created["guid"]).status_code == 404  # the empty item is gone


# ---------------------------------------------------------------------------------------------
# write-manifest quarto: the manifest from the files


def test_write_manifest_reads_engines_from_the_files(tmp_path):
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "report.qmd").write_text(QMD_PYTHON)
    (doc / "requirements.txt").write_text("pandas\n")
    out = ok(cli("write-manifest", "quarto", doc / "report.qmd"))
    assert "no Quarto found" in out.stderr
    written = json.loads((doc / "manifest.json").read_text())
    assert written["metadata"] == {"appmode": "quarto-static"}  # no entrypoint, as rsconnect-python
    assert written["quarto"] == {"version": "99.9.9", "engines": ["jupyter"]}
    assert written["python"]["package_manager"]["package_file"] == "requirements.txt"
    assert set(written["files"]) == {"report.qmd", "requirements.txt"}

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.qmd").write_text(QMD_TEXT)
    ok(cli("write-manifest", "quarto", notes / "notes.qmd"))
    plain = json.loads((notes / "manifest.json").read_text())
    assert plain["quarto"]["engines"] == ["markdown"] and "python" not in plain
    assert not (notes / "requirements.txt").exists() and set(plain["files"]) == {"notes.qmd"}

    live = tmp_path / "live"
    live.mkdir()
    (live / "live.qmd").write_text(QMD_SHINY)
    (live / "requirements.txt").write_text("shiny\n")
    ok(cli("write-manifest", "quarto", live / "live.qmd"))
    assert json.loads((live / "manifest.json").read_text())["metadata"]["appmode"] == "quarto-shiny"

    nb = tmp_path / "nb"
    nb.mkdir()
    (nb / "report.ipynb").write_text(notebook_text())
    (nb / "requirements.txt").write_text("\n")
    ok(cli("write-manifest", "quarto", nb / "report.ipynb"))
    assert json.loads((nb / "manifest.json").read_text())["quarto"]["engines"] == ["jupyter"]


def test_write_manifest_of_a_project_leaves_out_what_a_render_left(tmp_path):
    project = make_project(tmp_path / "team-site")
    ok(cli("write-manifest", "quarto", project))
    written = json.loads((project / "manifest.json").read_text())
    assert written["metadata"] == {"appmode": "quarto-static", "content_category": "site"}
    assert written["quarto"]["engines"] == ["jupyter", "markdown"]
    assert set(written["files"]) == {"_quarto.yml", "index.qmd", "about.qmd", "styles.css", "requirements.txt"}
    again = one_sentence_failure(cli("write-manifest", "quarto", project))
    assert "pass --overwrite" in again


def test_knitr_content_is_refused_in_one_sentence(tmp_path):
    (tmp_path / "r.qmd").write_text(QMD_R)
    last = one_sentence_failure(cli("write-manifest", "quarto", tmp_path / "r.qmd"))
    assert "knitr engine (R)" in last and "rsconnect deploy html" in last
    assert not (tmp_path / "manifest.json").exists()


# ---------------------------------------------------------------------------------------------
# With a Quarto on PATH: `quarto inspect` answers


# THIS IS A RECORDING, NOT A QUARTO: no Quarto can run here. The fake `quarto` below prints, for
# `quarto inspect DIR`, the JSON Quarto 1.4 prints for a project like make_project()'s (its shape as
# recorded in Posit Publisher's test data: quarto.version, dir, engines, config, files.input as
# absolute paths), with DIR filled in. It only tests the path where a Quarto is on PATH.
RECORDED_INSPECT = {
    "quarto": {"version": "1.4.553"},
    "dir": "$DIR",
    "engines": ["markdown", "jupyter"],
    "config": {"project": {"type": "website", "output-dir": "_site"}, "website": {"title": "Team site"}},
    "files": {
        "input": ["$DIR/index.qmd", "$DIR/about.qmd"],
        "resources": [],
        "config": ["$DIR/_quarto.yml"],
        "configResources": [],
    },
}
FAKE_QUARTO = """#!/bin/sh
# A recording standing in for Quarto (see RECORDED_INSPECT): prints it for `quarto inspect DIR`.
[ "$1" = inspect ] || { echo "only inspect is recorded" >&2; exit 2; }
dir=$(cd "$2" && pwd)
sed "s#\\$DIR#$dir#g" "%s"
"""


@pytest.fixture
def recorded_quarto(tmp_path):
    bin_dir = tmp_path / "fake-quarto-bin"
    bin_dir.mkdir()
    recording = bin_dir / "inspect.json"
    recording.write_text(json.dumps(RECORDED_INSPECT))
    quarto = bin_dir / "quarto"
    quarto.write_text(FAKE_QUARTO % recording)
    quarto.chmod(quarto.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def rsconnect_python_with(quarto_bin, config, *args):
    """rsconnect-python 1.32 run with the recording as the `quarto` on its PATH; its result as it ended."""
    env = rsconnect_python.environ(config)
    env["PATH"] = "%s%s%s" % (quarto_bin, os.pathsep, env["PATH"])
    return subprocess.run(
        [str(rsconnect_python.venv() / "bin" / "rsconnect"), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_rsconnect_pythons_deploy_quarto_is_refused_by_the_local_server(local_server, tmp_path, recorded_quarto):
    # rsconnect-python does not ask the server whether it has Quarto: the upload is refused, in the
    # local server's sentence, and the item it created for it is removed.
    project = make_project(tmp_path / "team-site")
    key = local_server.add_user("rp-quarto", "publisher")
    before = content_guids(local_server)
    done = rsconnect_python_with(
        recorded_quarto,
        tmp_path / "config",
        "deploy",
        "quarto",
        project,
        "--server",
        local_server.url,
        "--api-key",
        key,
    )
    assert done.returncode != 0
    assert "This server " + REFUSAL in done.stdout + done.stderr
    assert content_guids(local_server) == before


def test_with_quarto_on_path_the_manifest_is_rsconnect_pythons(tmp_path, recorded_quarto):
    path_env = {"PATH": "%s%s%s" % (recorded_quarto, os.pathsep, os.environ["PATH"])}
    ours = make_project(tmp_path / "ours" / "team-site")
    theirs = make_project(tmp_path / "theirs" / "team-site")
    out = ok(cli("write-manifest", "quarto", ours, env=path_env))
    assert "quarto inspect (%s)" % (recorded_quarto / "quarto") in out.stderr
    done = rsconnect_python_with(recorded_quarto, tmp_path / "config", "write-manifest", "quarto", theirs)
    assert done.returncode == 0, done.stdout + done.stderr
    mine = json.loads((ours / "manifest.json").read_text())
    their = json.loads((theirs / "manifest.json").read_text())
    assert mine["metadata"] == their["metadata"] == {"appmode": "quarto-static", "content_category": "site"}
    assert mine["quarto"] == their["quarto"] == {"version": "1.4.553", "engines": ["markdown", "jupyter"]}
    assert set(mine["files"]) == set(their["files"])
    for name in ("_quarto.yml", "index.qmd", "about.qmd", "styles.css"):
        assert mine["files"][name] == their["files"][name]
    # --quarto PATH names the binary; one that does not exist is one sentence.
    ok(cli("write-manifest", "quarto", "--overwrite", "--quarto", recorded_quarto / "quarto", ours))
    last = one_sentence_failure(cli("write-manifest", "quarto", "--quarto", tmp_path / "nope", ours))
    assert "does not exist or cannot be run" in last


# ---------------------------------------------------------------------------------------------
# The rendered output: deploy html


def test_deploy_html_of_a_rendered_site_serves_each_page(local_server, target, tmp_path):
    project = tmp_path / "team-site"
    site = project / "_site"
    pages = make_site(site)
    url = ok(cli("deploy", "html", "-q", *target, site)).stdout.strip()
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    names, sent = downloaded(local_server, guid)
    assert sent["metadata"] == {
        "appmode": "static",
        "primary_html": "index.html",
        "entrypoint": "index.html",
        "content_category": "site",
    }
    assert set(names) == set(pages) | {"manifest.json"}
    for name, text in pages.items():
        served = local_server.get(url + name)
        assert served.status_code == 200 and served.text == text, name
    assert "Home page of the team site" in local_server.get(url).text
    assert local_server.get(url + "posts/first/").text == pages["posts/first/index.html"]
    assert local_server.api("GET", "v1/content/" + guid).json()["title"] == "team-site"  # the project's name
    # Rendered again and redeployed: the same content, the new page served.
    (site / "about.html").write_text("<html><body>About the team: 43 people</body></html>")
    assert ok(cli("deploy", "html", "-q", *target, site)).stdout.strip() == url
    assert "43 people" in local_server.get(url + "about.html").text


def test_deploy_html_of_a_rendered_document_sends_its_files_folder(local_server, target, tmp_path):
    page = tmp_path / "report.html"
    page.write_text('<html><script src="report_files/libs/quarto.js"></script><body>Rendered report</body></html>')
    (tmp_path / "report_files" / "libs").mkdir(parents=True)
    (tmp_path / "report_files" / "libs" / "quarto.js").write_text("window.rendered = true;")
    url = ok(cli("deploy", "html", "-q", *target, page)).stdout.strip()
    guid = url.rstrip("/").rsplit("/", 1)[-1]
    names, sent = downloaded(local_server, guid)
    assert names == ["manifest.json", "report.html", "report_files/libs/quarto.js"]
    assert "content_category" not in sent["metadata"]  # one page: a document, not a site
    assert "Rendered report" in local_server.get(url).text
    assert local_server.get(url + "report_files/libs/quarto.js").text == "window.rendered = true;"


def test_deploy_html_of_a_folder_without_a_landing_page_asks_for_one(local_server, target, tmp_path):
    (tmp_path / "a.html").write_text("a")
    (tmp_path / "b.html").write_text("b")
    before = content_guids(local_server)
    last = one_sentence_failure(cli("deploy", "html", *target, tmp_path))
    assert "no index.html" in last and "-e/--entrypoint" in last
    assert content_guids(local_server) == before
    url = ok(cli("deploy", "html", "-q", "-e", "b.html", *target, tmp_path)).stdout.strip()
    assert requests.get(url, headers={"Authorization": "Key " + local_server.api_key}, timeout=60).text == "b"
