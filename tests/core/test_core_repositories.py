"""repositories.py (git-backed content) and connect/repository.py against Connect's recorded
repository response (tests/core/fixture_server.py): what is sent, what is read back, the title
rule rsconnect-python 1.32 uses, and the checks made before anything is sent."""

import json

import pytest

from rsconnect_jupyter import repositories
from rsconnect_jupyter.connect import ConnectClient
from rsconnect_jupyter.exceptions import DeployFailed, InvalidInput, NotFound
from rsconnect_jupyter.localconnect.launch import free_port
from rsconnect_jupyter.publish_flow import Deployment
from rsconnect_jupyter.versions import Content
from tests.core.fixture_server import PUB_GUID, SDK_GUID


def test_the_recorded_repository_reads_back_and_a_missing_one_is_none(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    found = client.repository_get(SDK_GUID)
    assert found == {
        "repository": "https://github.com/posit-dev/posit-sdk-py/",
        "branch": "main",
        "directory": "integration/resources/connect/bundles/example-flask-minimal",
        "polling": True,
    }
    assert fixture_server.requests[-1]["path"].endswith("/__api__/v1/content/%s/repository" % SDK_GUID)
    assert client.repository_get(PUB_GUID) is None  # Connect answers 404: not git-backed


def test_set_sends_put_for_new_and_patch_for_a_repository_it_has(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    source = repositories.GitSource("https://example.org/you/reports.git", "dev", "q4", polling=False)
    repositories.point_at(client, SDK_GUID, source)
    patch = fixture_server.requests[-1]
    assert patch["method"] == "PATCH"
    assert json.loads(patch["body"]) == {
        "repository": "https://example.org/you/reports.git",
        "branch": "dev",
        "directory": "q4",
        "polling": False,
    }
    item = client.content_get(SDK_GUID)
    changed = repositories.set_source(Content(client, item), {"polling": False})
    assert changed["branch"] == "main"
    assert json.loads(fixture_server.requests[-1]["body"]) == {"polling": False}  # only what changes


def test_show_refuses_content_that_is_not_git_backed(fixture_server):
    client = ConnectClient(fixture_server.url, "good")
    item = client.content_get(PUB_GUID)
    with pytest.raises(NotFound, match="is not git-backed: deploy a repository with `rsconnect deploy git`"):
        repositories.show(Content(client, item))
    with pytest.raises(InvalidInput, match="has no repository yet: give its URL with --repository"):
        repositories.set_source(Content(client, item), {"branch": "main"})


@pytest.mark.parametrize(
    "url,directory,title",
    [
        ("https://git.example.com/you/reports.git", ".", "reports"),
        ("https://git.example.com/you/reports/", "", "reports"),
        ("https://git.example.com/you/reports.git", "/q4/summary/", "reports/q4/summary"),
        ("file:///srv/git/site", "docs", "site/docs"),
    ],
)
def test_titles_follow_rsconnect_pythons_rule(url, directory, title):
    assert repositories.git_title(url, directory) == title


def test_the_source_is_checked_before_anything_is_sent():
    with pytest.raises(InvalidInput, match="is not a repository URL"):
        repositories.checked_source(repositories.GitSource("git.example.com/you/reports"))
    with pytest.raises(InvalidInput, match="The branch is empty"):
        repositories.checked_source(repositories.GitSource("https://h/r.git", branch=" "))
    checked = repositories.checked_source(repositories.GitSource(" https://h/r.git ", " main ", "/q4/"))
    assert (checked.repository, checked.branch, checked.directory) == ("https://h/r.git", "main", "q4")
    assert repositories.checked_source(repositories.GitSource("https://h/r.git", directory="/")).directory == "."


def test_the_check_after_deploy_refuses_a_content_url_that_fails_or_does_not_answer(fixture_server):
    client = ConnectClient(fixture_server.url, "good")

    def deployed(url):
        return Deployment(
            server_url=fixture_server.url,
            content_guid=SDK_GUID,
            content_id="1",
            content_url=url,
            dashboard_url="%sconnect/#/apps/%s" % (fixture_server.url, SDK_GUID),
            title="t",
            app_mode="static",
        )

    repositories.check_answers(client, deployed(fixture_server.url + "__api__/v1/content/%s" % SDK_GUID))
    with pytest.raises(DeployFailed, match=r"answers HTTP 500: the content may not have started; see its logs"):
        repositories.check_answers(client, deployed(fixture_server.url + "__api__/boom"))
    closed = "http://127.0.0.1:%d/content/x/" % free_port()
    with pytest.raises(DeployFailed, match="did not answer.*--no-verify"):
        repositories.check_answers(client, deployed(closed))
