"""docs/cli.md's examples of `deploy bundle`, `deploy pyproject` and the `content` commands, run as
the page shows them (`rsconnect` is run as `python -m rsconnect_jupyter`), in a folder holding the
`my-api` and `my-project` they name, against the local server (CONNECT_SERVER, CONNECT_API_KEY)."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli_apps import copy_app
from tests.cli.test_cli_bundle_pyproject import PYPROJECT
from tests.cli.test_cli_publish import ok

pytestmark = pytest.mark.slow
DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def section_commands(heading):
    """The commands of the first bash block after `heading`."""
    text = DOC.read_text()
    block = re.search(r"```bash\n(.*?)```", text[text.index(heading) :], re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def run(command, env, cwd):
    argv = [sys.executable, "-m", "rsconnect_jupyter", *shlex.split(command)[1:]]
    return ok(subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600))


def test_the_content_and_bundle_examples_run_as_written(local_server, tmp_path):
    env = dict(os.environ, CONNECT_SERVER=local_server.url, CONNECT_API_KEY=local_server.api_key)
    for name in ("CONNECT_TASK_TIMEOUT", "RETICULATE_PYTHON"):
        env.pop(name, None)
    copy_app(tmp_path, "wsgi", "my-api")
    run("rsconnect deploy api my-api --title 'My API'", env, tmp_path)
    guid = json.loads(run("rsconnect content describe my-api", env, tmp_path).stdout)["guid"]
    tag = local_server.api("GET", "v1/tags").json()
    finance = [t for t in tag if t["name"] == "finance"] or [
        local_server.api("POST", "v1/tags", json={"name": "finance"}).json()
    ]
    local_server.api("POST", "v1/content/%s/tags" % guid, json={"tag_id": finance[0]["id"]})
    project = copy_app(tmp_path, "wsgi", "my-project")
    (project / "requirements.txt").unlink()
    (project / "pyproject.toml").write_text(PYPROJECT % "My project")

    outputs = [run(c, env, tmp_path) for c in section_commands("## `rsconnect deploy bundle FILE` and")]
    assert "Published Copy of my API" in outputs[1].stdout and "Published My project" in outputs[2].stdout

    outputs = [run(c, env, tmp_path) for c in section_commands("## `rsconnect content search|describe|")]
    assert guid in outputs[0].stdout and guid in [item["guid"] for item in json.loads(outputs[1].stdout)]
    assert json.loads(outputs[2].stdout)["guid"] == guid
    assert (tmp_path / "my-api.tar.gz").is_file() and "waitress==" in (tmp_path / "requirements.txt.lock").read_text()
    assert (tmp_path / "my-api-env" / "pyvenv.cfg").is_file()
    assert "Built version" in outputs[-1].stdout
