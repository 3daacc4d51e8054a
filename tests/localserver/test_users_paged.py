"""`v1/users` as Connect has it: filtered by prefix, user_role and account_status, paged by page_size
and page_number ({results, current_page, total}); posit-sdk's users.find pages through it."""

from __future__ import annotations

import pytest

from tests.core import posit_sdk
from tests.localserver.localserver_helpers import Client


@pytest.fixture(scope="module")
def server(tmp_path_factory, local_servers):
    """A server of its own, so the counts are known: admin plus seven users."""
    server = local_servers.start(tmp_path_factory.mktemp("users-paged") / "data")
    for i in range(5):
        server.add_user("pager-%d" % i, "publisher")
    server.add_user("Pager-View", "viewer")
    server.add_user("other", "publisher")
    yield server
    local_servers.stop(server)


def names(answer):
    return [u["username"] for u in answer["results"]]


def test_filters_and_pages(server):
    admin = Client(server)
    everyone = admin("GET", "v1/users", params={"page_size": 500}).json()
    assert everyone["total"] == 8 and everyone["current_page"] == 1 and len(everyone["results"]) == 8
    assert set(everyone["results"][0]) >= {"guid", "username", "email", "user_role", "locked", "confirmed"}

    pagers = admin("GET", "v1/users", params={"prefix": "PAGER"}).json()  # any case
    assert names(pagers) == ["pager-0", "pager-1", "pager-2", "pager-3", "pager-4", "Pager-View"]
    page2 = admin("GET", "v1/users", params={"prefix": "pager", "page_size": 4, "page_number": 2}).json()
    assert page2 == {"results": pagers["results"][4:], "current_page": 2, "total": 6}
    past = admin("GET", "v1/users", params={"prefix": "pager", "page_size": 4, "page_number": 3}).json()
    assert past == {"results": [], "current_page": 3, "total": 6}

    viewers = admin("GET", "v1/users", params={"user_role": "viewer"}).json()
    assert names(viewers) == ["Pager-View"]
    both = admin("GET", "v1/users", params={"user_role": "administrator|viewer"}).json()
    assert names(both) == ["admin", "Pager-View"]
    assert admin("GET", "v1/users", params={"account_status": "locked"}).json()["total"] == 0
    assert admin("GET", "v1/users", params={"account_status": "licensed", "page_size": 500}).json()["total"] == 8

    for params in (
        {"user_role": "owner"},
        {"account_status": "gone"},
        {"page_size": 0},
        {"page_size": 501},
        {"page_number": "x"},
    ):
        r = admin("GET", "v1/users", params=params)
        assert r.status_code == 400 and r.json()["code"] == 3, (params, r.text)


def test_default_page_is_connects_twenty(local_servers, tmp_path):
    server = local_servers.start(tmp_path / "data")
    try:
        for i in range(21):
            server.add_user("many-%02d" % i, "viewer")
        answer = Client(server)("GET", "v1/users").json()
        assert len(answer["results"]) == 20 and answer["total"] == 22
    finally:
        local_servers.stop(server)


def test_posit_sdk_finds_users(server):
    out = posit_sdk.run(
        server.url,
        server.api_key,
        """
found = client.users.find(prefix="pager")
viewers = client.users.find(user_role="viewer")
print(json.dumps({"found": [u["username"] for u in found], "viewers": [u["username"] for u in viewers],
                  "one": client.users.find_one(prefix="other")["username"], "count": client.users.count()}))
""",
    )
    assert out == {
        "found": ["pager-0", "pager-1", "pager-2", "pager-3", "pager-4", "Pager-View"],
        "viewers": ["Pager-View"],
        "one": "other",
        "count": 8,
    }
