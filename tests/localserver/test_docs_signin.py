"""docs/local-server.md's sign-in commands, typed as the page shows them (`rsconnect` is run as
`python -m rsconnect_jupyter`; the server command gets a free port added, since 3939 may be taken)."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import requests

from rsconnect_jupyter.localconnect.launch import free_port
from tests.localserver.signin_helpers import sign_in_at

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-server.md"


def section_commands(heading):
    """The commands of the first bash block after `heading`, without their comments."""
    text = DOC.read_text()
    block = re.search(r"```bash\n(.*?)```", text[text.index(heading) :], re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def run(command, env, cwd, password=None):
    argv = [sys.executable, "-m", "rsconnect_jupyter", *shlex.split(command)[1:]]
    feed = None if password is None else "%s\n%s\n" % (password, password)
    return subprocess.run(argv, env=env, cwd=cwd, input=feed, capture_output=True, text=True, timeout=120)


def sign_in(url, username, password, verify=True):
    return sign_in_at(url, username, password, verify=verify)


def test_the_sign_in_commands_work_as_written(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data-home"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    add_user, set_password = section_commands("## Signing in, and who sees content")
    assert add_user == "rsconnect local-server add-user ann --role viewer --password"
    assert set_password == "rsconnect local-server set-password admin"

    # admin exists once the server has started; the commands write to the default data folder.
    (serve,) = section_commands("### On a network")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem",
            "-out", "server.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    argv = [sys.executable, "-m", "rsconnect_jupyter", *shlex.split(serve)[1:], "--port", str(port)]
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    url = "https://127.0.0.1:%d/" % port
    cert = str(tmp_path / "server.pem")
    try:
        for _ in range(300):
            try:
                if requests.get(url + "__api__/server_settings", timeout=2, verify=cert).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        output = (tmp_path / "server.log").read_text()
        assert "at https://127.0.0.1:%d/" % port in output and "without TLS" not in output

        made = run(add_user, env, tmp_path, password="ann's own password")
        assert made.returncode == 0, made.stderr
        assert "ann's own password" not in made.stdout + made.stderr
        signed = sign_in(url, "ann", "ann's own password", verify=cert)
        assert signed.status_code == 302 and "Secure" in signed.headers["Set-Cookie"]

        data = Path(env["XDG_DATA_HOME"]) / "rsconnect-jupyter" / "local-server"
        first = (data / "admin-password").read_text().strip()
        assert sign_in(url, "admin", first, verify=cert).status_code == 302
        changed = run(set_password, env, tmp_path, password="admin's new password")
        assert changed.returncode == 0, changed.stderr
        assert sign_in(url, "admin", "admin's new password", verify=cert).status_code == 302
        assert sign_in(url, "admin", first, verify=cert).status_code == 403  # the first password is gone,
        assert not (data / "admin-password").exists()  # and so is the file that held it

        # The piped form, from a script: NAME is ann, PW in the environment, nothing printed of it
        text = DOC.read_text()
        piped = re.search(r"`(printf [^`]+set-password NAME)`", text).group(1).replace("NAME", "ann")
        bin_dir = os.path.dirname(sys.executable)
        script_env = dict(env, PW="ann's piped password", PATH=bin_dir + os.pathsep + env["PATH"])
        done = subprocess.run(["bash", "-c", piped], env=script_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "Password" not in done.stdout + done.stderr, done.stdout + done.stderr
        assert "ann's piped password" not in done.stdout + done.stderr
        assert sign_in(url, "ann", "ann's piped password", verify=cert).status_code == 302
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
