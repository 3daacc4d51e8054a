"""A real OS keyring for the tests: Debian's gnome-keyring (the Secret Service) in a D-Bus session of
its own, unlocked with a password on standard input. tests/cli/test_cli_keyring.py (the CLI) and
tests/extension/test_extension_keyring.py (the dialogs' handlers) start one per module."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys

import pytest

SERVICE = "rsconnect-python"  # credentials.SERVICE: the entries rsconnect-python 1.32 names too
PASSWORD = "keyring-test-password"
SESSION = (
    'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
    ' && echo "BUS=$DBUS_SESSION_BUS_ADDRESS" && exec cat'
)


@contextlib.contextmanager
def unlocked_keyring(home):
    """A D-Bus session with an unlocked gnome-keyring keeping its files in `home`; yields the bus
    address. The session ends when its standard input closes."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        pytest.fail("gnome-keyring and dbus are not installed: scripts/test installs them (apt)")
    (home / "run").mkdir(mode=0o700)
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_RUNTIME_DIR=str(home / "run"),
        KEYRING_PASSWORD=PASSWORD,
    )
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", SESSION],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("BUS="), line
        yield line.strip()[len("BUS=") :]
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        finally:
            with contextlib.suppress(ProcessLookupError):  # the session's group: dbus-daemon, gnome-keyring-daemon
                os.killpg(proc.pid, signal.SIGTERM)


def in_keyring(bus, user):
    """What the Secret Service holds for rsconnect-python's entry `user` ("" for none), read by the
    keyring library in a process of its own on that bus."""
    code = "import keyring, sys; print(keyring.get_password(sys.argv[1], sys.argv[2]) or '')"
    out = subprocess.run(
        [sys.executable, "-c", code, SERVICE, user],
        capture_output=True,
        text=True,
        env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus),
        timeout=60,
        check=True,
    ).stdout
    return out.strip()
