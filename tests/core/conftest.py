import pytest

from tests.certificates import self_signed
from tests.core.fixture_server import FixtureServer


@pytest.fixture
def fixture_server():
    """Connect's recorded responses over HTTP, under a sub-path like a real proxied server."""
    server = FixtureServer(prefix="/rsc/")
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: the certificate alone, and with its key in one PEM."""
    cert, _, both = self_signed(tmp_path_factory.mktemp("tls"))
    return {"cert": cert, "pem": both}
