"""Fixtures of the local server's tests: a client per role on the session server."""

import pytest

from tests.localserver.localserver_helpers import Client


@pytest.fixture(scope="session")
def admin(local_server):
    return Client(local_server)


@pytest.fixture(scope="session")
def publisher(local_server):
    return Client(local_server, local_server.add_user("pat", "publisher"))


@pytest.fixture(scope="session")
def other_publisher(local_server):
    return Client(local_server, local_server.add_user("olga", "publisher"))


@pytest.fixture(scope="session")
def viewer(local_server):
    return Client(local_server, local_server.add_user("vic", "viewer"))
