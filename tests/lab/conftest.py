"""Fixtures for the JupyterLab 4 / Notebook 7 extension: a real server of each kind from
.venv-lab, and headless Chromium (Debian's, through Playwright's executable_path)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "extension"))  # extension_notebooks.py

from lab_servers import KINDS, start_lab, stop_lab  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session", params=sorted(KINDS))
def lab(request, tmp_path_factory, isolated_config):
    """JupyterLab 4 and Notebook 7, one server of each per session."""
    server = start_lab(request.param, tmp_path_factory.mktemp("lab-" + request.param))
    yield server
    stop_lab(server)


@pytest.fixture
def no_saved_servers(lab):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    for s in lab.api("GET", "servers").json()["servers"]:
        assert lab.api("POST", "servers/remove", json={"server": s["name"]}).status_code == 200
    yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    page.console_errors = []  # shown in failure messages (lab_ui.dialog_text)
    page.on("console", lambda m: page.console_errors.append(m.text[:300]) if m.type == "error" else None)
    yield page
    context.close()
