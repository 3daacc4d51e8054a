"""HTTPS with --certfile/--keyfile, and the warning for a server other machines reach without TLS.

The certificate is made here with the openssl command (self-signed, for 127.0.0.1); requests checks
it against that file, so the server really serves that certificate.
"""

import os
import subprocess
import sys
import time

import pytest
import requests

from rsconnect_jupyter.localconnect.launch import free_port
from tests.certificates import self_signed
from tests.localserver.signin_helpers import cookie_name, login, set_cookies

WARNING = "Warning: listening on 0.0.0.0 without TLS"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """(certificate, key, both in one file) for 127.0.0.1 and localhost, valid for two days."""
    return self_signed(tmp_path_factory.mktemp("tls"))


def cli(*args):
    return [sys.executable, "-m", "rsconnect_jupyter", "local-server", *args]


def test_https_with_certfile_and_keyfile(local_servers, tmp_path, certificate):
    cert, key, _ = certificate
    server = local_servers.start(tmp_path / "data", extra_args=["--certfile", str(cert), "--keyfile", str(key)])
    assert server.url.startswith("https://127.0.0.1:")
    settings = requests.get(server.url + "__api__/server_settings", verify=str(cert), timeout=60)
    assert settings.status_code == 200
    # The server's certificate is the one given: without it, the system's CAs do not trust it.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.url + "__api__/server_settings", timeout=60)
    # Plain HTTP on that port gets no page.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(server.url.replace("https://", "http://") + "__api__/server_settings", timeout=10)

    me = requests.get(
        server.url + "__api__/v1/user", headers={"Authorization": "Key " + server.api_key}, verify=str(cert), timeout=60
    )
    assert me.status_code == 200 and me.json()["username"] == "admin"  # API keys work over HTTPS
    item = requests.post(
        server.url + "__api__/v1/content",
        json={"name": "tls-item"},
        headers={"Authorization": "Key " + server.api_key},
        verify=str(cert),
        timeout=60,
    ).json()
    assert item["content_url"].startswith(server.url + "content/")  # links say https

    r = login(server, "admin", server.admin_password, headers={"Origin": server.url.rstrip("/")}, verify=str(cert))
    assert r.status_code == 302, r.text[:300]
    (header,) = [h for h in set_cookies(r) if h.startswith(cookie_name(server) + "=")]
    # __Host-: the browser keeps it to this host and path /, so no page can plant a copy beside it
    assert cookie_name(server).startswith("__Host-rsconnect_local_session_")
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "secure" in attributes and "httponly" in attributes and "samesite=lax" in attributes
    assert "path=/" in attributes and not any(a.startswith("domain=") for a in attributes)

    log = server.log()
    assert "at %s" % server.url in log
    assert "without TLS" not in log  # 127.0.0.1: no warning either way


def test_certfile_holding_the_key_too(local_servers, tmp_path, certificate):
    _, _, both = certificate
    server = local_servers.start(tmp_path / "data", extra_args=["--certfile", str(both)])
    r = requests.get(server.url + "__api__/server_settings", verify=str(certificate[0]), timeout=60)
    assert r.status_code == 200


def run_briefly(args, data_dir, timeout=120):
    """Run the CLI; a server is stopped (SIGTERM) once it has written its first-start files.
    Returns (exit status, output)."""
    out_path = data_dir.parent / (data_dir.name + ".out")
    with open(out_path, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + timeout
        while process.poll() is None and time.time() < deadline:
            if (data_dir / "admin-api-key").exists() and "Sign in to " in out_path.read_text(errors="replace"):
                break
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode, out_path.read_text(errors="replace")


def test_keyfile_without_certfile_is_one_clear_error(tmp_path, certificate):
    _, key, _ = certificate
    data = tmp_path / "data"
    code, out = run_briefly(
        cli("--port", str(free_port()), "--data-dir", str(data), "--keyfile", str(key)), data, timeout=60
    )
    assert code == 1, out
    assert out.strip().splitlines()[-1] == "Error: --keyfile needs --certfile: give both, or neither for plain HTTP."
    assert "Traceback" not in out
    assert not (data / "admin-api-key").exists()  # it never started


def test_a_certificate_that_cannot_be_used_is_one_clear_error(tmp_path, certificate):
    cert, key, _ = certificate
    data = tmp_path / "data"
    # The key given as the certificate, and the certificate as its key.
    code, out = run_briefly(
        cli("--port", str(free_port()), "--data-dir", str(data), "--certfile", str(key), "--keyfile", str(cert)),
        data,
        timeout=60,
    )
    assert code == 1, out
    last = out.strip().splitlines()[-1]
    assert last.startswith("Error: Cannot use the certificate %s" % key), out
    assert "Traceback" not in out
    assert "PRIVATE KEY" not in out


def test_host_beyond_loopback_without_tls_prints_a_warning(tmp_path, certificate):
    data = tmp_path / "data"
    code, out = run_briefly(cli("--host", "0.0.0.0", "--port", str(free_port()), "--data-dir", str(data)), data)
    assert WARNING in out, out
    assert "Give --certfile and --keyfile for HTTPS." in out
    assert "Stopped." in out and code == 0, (code, out)

    # With TLS, no warning.
    cert, key, _ = certificate
    data = tmp_path / "data-tls"
    args = ["--host", "0.0.0.0", "--port", str(free_port()), "--data-dir", str(data)]
    code, out = run_briefly(cli(*args, "--certfile", str(cert), "--keyfile", str(key)), data)
    assert "rsconnect-jupyter local server (Connect-compatible) at https://127.0.0.1:" in out, out
    assert "without TLS" not in out
    assert os.path.exists(data / "admin-api-key")
