import subprocess

import pytest

from tests.core.fixture_server import FixtureServer


@pytest.fixture
def fixture_server():
    """Connect's recorded responses over HTTP, under a sub-path like a real proxied server."""
    server = FixtureServer(prefix="/rsc/")
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """A self-signed certificate (and key, in one PEM) for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "server.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    pem.write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    return {"cert": folder / "cert.pem", "pem": pem}
