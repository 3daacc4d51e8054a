"""A data folder from before sign-in existed (no passwords table, no admin-password file): the
server starts, says how to give admin a password, and `set-password` lets admin sign in."""

import sqlite3
import subprocess
import sys

from tests.localserver.signin_helpers import login


def sign_in(server, password):
    return login(server, "admin", password)


def test_an_old_data_folder_gets_a_password_with_set_password(tmp_path, local_servers):
    data = tmp_path / "data"
    server = local_servers.start(data)
    local_servers.stop(server)
    # What an older version left: no passwords or sessions tables, no admin-password file.
    db = sqlite3.connect(data / "connect.db")
    db.executescript("DROP TABLE passwords; DROP TABLE sessions;")
    db.close()
    (data / "admin-password").unlink()

    server = local_servers.start(data)
    expected = "No one can sign in to the pages yet: rsconnect local-server set-password admin --data-dir %s" % data
    assert expected in server.log()
    assert server.api("GET", "v1/user").json()["username"] == "admin"  # the old key still works
    refused = sign_in(server, "any password at all")
    assert refused.status_code == 403 and "Set-Cookie" not in refused.headers

    out = subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", "local-server", "set-password", "admin", "--data-dir", str(data)],
        input="a new password\na new password\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert "a new password" not in out.stdout + out.stderr
    signed = sign_in(server, "a new password")
    assert signed.status_code == 302 and signed.headers["Location"] == "/connect/"
    assert "a new password" not in server.log()
    local_servers.stop(server)
    server = local_servers.start(data)
    assert "No one can sign in" not in server.log().split("rsconnect-jupyter local server")[-1]
