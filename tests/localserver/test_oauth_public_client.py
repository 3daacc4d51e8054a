"""rsconnect-python (the version tests/core/rsconnect_python.py pins) signs in to the local server
with `rsconnect login --use-device-code`, a person approves in Chromium on the server's own pages
(sign-in, then the code's approval page), and rsconnect-python deploys with the token it got."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.core import rsconnect_python as pinned
from tests.localserver.localserver_helpers import Client


def read_device_prompt(proc):
    """The approval URL and the code rsconnect-python prints, read as it prints them."""
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Enter the code:" in line:
            text = "".join(lines)
            url = re.search(r"(http://\S+/__oauth__/device\S*)", text).group(1)
            return url, line.split("Enter the code:")[1].strip()
    raise AssertionError("rsconnect login ended without a code:\n" + "".join(lines))


def approve_in_chromium(page, url, username, password, user_code):
    """What the person does: open the link, sign in on /__login__, check the code, approve."""
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("strong.user-code")
    assert page.inner_text("strong.user-code") == user_code
    assert page.inner_text("strong.client-name") == "Posit CLI"  # rsconnect-python's client name
    page.click("button[value=approve]")
    page.wait_for_selector("text=You may close this tab")


@pytest.mark.browser
def test_rsconnect_python_logs_in_with_the_device_code_and_deploys(local_server, page, tmp_path):
    local_server.add_user("oauth-rosa", "publisher", password="rosa-password-1")
    config = tmp_path / "config"
    env = dict(pinned.environ(config), PYTHONUNBUFFERED="1")
    rsconnect = str(pinned.venv() / "bin" / "rsconnect")
    proc = subprocess.Popen(
        [rsconnect, "login", local_server.url, "-n", "judged", "--use-device-code"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        url, user_code = read_device_prompt(proc)
        approve_in_chromium(page, url, "oauth-rosa", "rosa-password-1", user_code)
        rest, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, rest
    assert 'Logged in to "judged"' in rest

    saved = json.loads((config / "rsconnect-python" / "servers.json").read_text())
    # No keyring in its virtualenv: rsconnect-python keeps the tokens in servers.json (0600), no API key.
    assert saved["judged"]["oauth_client_id"] and saved["judged"]["oauth_access_token"], list(saved["judged"])
    assert not saved["judged"].get("api_key")

    project = tmp_path / "site"
    project.mkdir()
    (project / "index.html").write_text("<h1>Deployed with an OAuth token</h1>")
    out = subprocess.run(
        [rsconnect, "deploy", "html", "-n", "judged", "--title", "oauth-judged", str(project / "index.html")],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(project),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr

    # Our CLI uses the same saved sign-in (rsconnect-python's file and keys).
    ours = subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", "details", "-n", "judged"],
        capture_output=True,
        text=True,
        env=dict(os.environ, XDG_CONFIG_HOME=str(config)),
        timeout=120,
    )
    assert ours.returncode == 0 and "oauth-rosa (publisher)" in ours.stdout, ours.stdout + ours.stderr

    admin = Client(local_server)
    (item,) = [c for c in admin("GET", "v1/content").json() if c["title"] == "oauth-judged"]
    owner = admin("GET", "v1/users/" + item["owner_guid"]).json()
    assert owner["username"] == "oauth-rosa"
    assert "Deployed with an OAuth token" in local_server.get(item["content_url"]).text
