"""search.py against recorded Connect answers (tests/core/fixture_server.py, real HTTP): `content
search`'s filters over posit-sdk-py's content list; and the locked-content check (target.py) over
Publisher's content details (its `locked` and `locked_message` fields)."""

import json

import pytest

from rsconnect_jupyter.connect import ConnectClient
from rsconnect_jupyter.exceptions import ContentLocked, InvalidInput
from rsconnect_jupyter.search import SearchFilters, search
from rsconnect_jupyter.target import check_unlocked
from tests.core.fixture_server import PUB_GUID


def titles(fixture_server, **filters):
    return [c["title"] for c in search(ConnectClient(fixture_server.url, "good"), SearchFilters(**filters))]


def test_search_filters_a_recorded_content_list(fixture_server):
    assert titles(fixture_server) == ["Team admin dashboard", "Performance Data", "My Streamlit app"]
    assert "include=owner%2Ctags" in fixture_server.requests[-1]["path"]
    assert titles(fixture_server, title_contains="DATA") == ["Performance Data"]
    assert titles(fixture_server, app_modes=("python-streamlit", "shiny")) == [
        "Team admin dashboard",
        "My Streamlit app",
    ]
    assert titles(fixture_server, unpublished=True) == []
    guid = "87c12c08-11cd-4de1-8da3-12a7579c4998"
    titles(fixture_server, owner=guid)  # a GUID goes to the server as owner_guid
    assert "owner_guid=%s" % guid in fixture_server.requests[-1]["path"]
    with pytest.raises(InvalidInput, match="exclude each other"):
        titles(fixture_server, published=True, unpublished=True)


def test_locked_content_is_refused_with_its_message(fixture_server):
    item = ConnectClient(fixture_server.url, "good").content_get(PUB_GUID)
    assert item["locked"] is False and item["locked_message"] == ""
    check_unlocked(item, fixture_server.url)  # not locked: no refusal
    locked = json.loads(json.dumps(item))
    locked.update(locked=True, locked_message="Frozen for the audit.")
    with pytest.raises(ContentLocked) as refused:
        check_unlocked(locked, "https://connect.example.com/")
    assert str(refused.value) == (
        '"%s" on https://connect.example.com/ is locked, so it takes no new deploy: Frozen for the audit.'
        % item["title"]
    )
    locked["locked_message"] = ""
    with pytest.raises(ContentLocked, match="ask its owner to unlock it.$"):
        check_unlocked(locked, "https://connect.example.com/")
