"""Fixtures for the notebook extension: real Jupyter servers (both kinds) and headless Chromium."""
import pytest

from jupyter_servers import KINDS, start_jupyter, stop_jupyter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session", params=KINDS)
def jupyter(request, tmp_path_factory, isolated_config):
    """notebook 6.5 (NotebookApp) and nbclassic on jupyter_server 2, one of each per session."""
    server = start_jupyter(request.param, tmp_path_factory.mktemp("jupyter-" + request.param))
    yield server
    stop_jupyter(server)


@pytest.fixture
def no_saved_servers(jupyter):
    """Each test starts with no saved servers (the first-use dialog), removed through the handlers."""
    for s in jupyter.api("GET", "servers").json()["servers"]:
        assert jupyter.api("POST", "servers/remove", json={"server": s["name"]}).status_code == 200
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
    yield page
    context.close()
