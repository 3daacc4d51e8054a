"""A real JupyterHub for the tests: installed by docs/jupyterhub.md's own commands, configured by
examples/jupyterhub/jupyterhub_config.py as it is, with real Unix users who sign in through PAM.

The hub runs as root (as the guide says) and starts each person's Jupyter server as their Unix user,
so the hub's environment must be readable by everybody: it goes to a folder of its own under
/var/tmp (mode 0755), built from the system's Python. It is kept between runs, keyed by a hash of
the guide's install block (and of what else it depends on): a later run only reinstalls this
checkout into it. Users and the group are created for the session and removed afterwards.
"""

from __future__ import annotations

import fcntl
import grp
import hashlib
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from rsconnect_jupyter.localconnect.launch import free_port

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "jupyterhub.md"
CONFIG = REPO / "examples" / "jupyterhub" / "jupyterhub_config.py"
GROUP = "jupyterhub-users"  # the configuration's allowed_groups
INSTALL_MARK = "<!-- hub-install"


def guide_install_block() -> str:
    """The guide's install commands: the bash block right after the `hub-install` mark."""
    text = GUIDE.read_text()
    at = text.index(INSTALL_MARK)
    match = re.search(r"```bash\n(.*?)```", text[at:], re.S)
    assert match, "docs/jupyterhub.md has no bash block after %s" % INSTALL_MARK
    return match.group(1)


def with_paths(block: str, hub_env: Path, checkout: Path) -> str:
    """The block with the two paths an administrator sets (its first two assignments) set to ours."""
    lines = block.splitlines()
    for name, value in (("HUB_ENV", hub_env), ("RSCONNECT_JUPYTER", checkout)):
        found = [i for i, line in enumerate(lines) if line.startswith(name + "=")]
        assert len(found) == 1, "docs/jupyterhub.md's install block must set %s once" % name
        lines[found[0]] = "%s=%s" % (name, value)
    return "\n".join(lines) + "\n"


# Kept between runs (not /tmp, which a reboot may empty); readable by the hub's users.
HUB_CACHE = Path(os.environ.get("RSC_HUB_CACHE", "/var/tmp/rsconnect-jupyter-hub"))
SYSTEM_PYTHON = "/usr/bin/python3"  # the guide's block makes the environment from it


def hub_env_key() -> str:
    """What a cached environment was made from: the guide's block, the system's Python, and the
    package's own dependencies (a reinstall of the checkout does not bring new ones)."""
    python = subprocess.run([SYSTEM_PYTHON, "--version"], capture_output=True, text=True, check=True).stdout
    dependencies = re.search(r"^dependencies = \[.*?^\]", (REPO / "pyproject.toml").read_text(), re.M | re.S)
    assert dependencies, "pyproject.toml has no [project] dependencies list"
    parts = (guide_install_block(), python.strip(), dependencies.group(0))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def reinstall_checkout(hub_env: Path) -> None:
    """This checkout into a cached environment, as the block's own pip line installs it."""
    out = subprocess.run(
        [str(hub_env / "bin" / "pip"), "install", "--quiet", "--no-deps", "--force-reinstall", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, "reinstalling %s into the hub's environment failed:\n%s" % (REPO, out.stderr[-3000:])


def cached_hub_env() -> Path:
    """The hub's environment: made by the guide's block on the first run and whenever the key
    changes, else reused with this checkout reinstalled. Each checkout has its own (each reinstalls
    itself); an outdated one of this checkout is removed."""
    checkout = HUB_CACHE / hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
    base = checkout / hub_env_key()
    for folder in (HUB_CACHE, checkout):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)  # the single-user servers run from here as other users
    with open(checkout.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run of this checkout waits, not builds beside it
        ready = base / "ready"
        if ready.is_file():
            reinstall_checkout(base / "env")
            return base / "env"
        for old in checkout.iterdir():  # outdated keys, or a build that died half-way
            shutil.rmtree(old, ignore_errors=True)
        base.mkdir()
        hub_env = install_hub(base)
        ready.write_text(guide_install_block())
        return hub_env


def install_hub(base: Path) -> Path:
    """Run the guide's install block into `base`/env; returns the hub's environment."""
    base.chmod(0o755)  # the single-user servers run from here as other users
    hub_env = base / "env"
    script = with_paths(guide_install_block(), hub_env, REPO)
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=1200, cwd=str(base)
    )
    assert out.returncode == 0, "the guide's install block failed:\n%s\n%s" % (out.stdout[-3000:], out.stderr[-3000:])
    for tool in ("jupyterhub", "jupyterhub-singleuser", "configurable-http-proxy"):
        assert os.access(hub_env / "bin" / tool, os.X_OK), "%s is missing after the guide's install block" % tool
    return hub_env


# -- Unix users ------------------------------------------------------------------------------------
@dataclass
class HubUser:
    name: str
    password: str
    home: Path

    def run_as(self, *command: str) -> subprocess.CompletedProcess[str]:
        """A command run as this Unix user (what they could do in a terminal of the hub)."""
        return subprocess.run(["runuser", "-u", self.name, "--", *command], capture_output=True, text=True, timeout=60)


class HubUsers:
    """Unix users for one test session, in the hub's group; all removed by `remove_all`."""

    def __init__(self) -> None:
        self.users: list[HubUser] = []
        self.made_group = False
        try:
            grp.getgrnam(GROUP)
        except KeyError:
            subprocess.run(["groupadd", GROUP], check=True)
            self.made_group = True

    def add(self, label: str, in_group: bool = True) -> HubUser:
        # Unique names: a run that died earlier may have left its users behind.
        name = "%s%s" % (label, uuid.uuid4().hex[:6])
        password = secrets.token_urlsafe(12)
        groups = ["--groups", GROUP] if in_group else []
        subprocess.run(["useradd", "--create-home", *groups, name], check=True)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (name, password), text=True, check=True)
        user = HubUser(name, password, Path(pwd.getpwnam(name).pw_dir))
        self.users.append(user)
        return user

    def remove_all(self) -> None:
        for user in self.users:
            # userdel refuses while the user has processes: end them first (SIGKILL is not instant).
            for _ in range(50):
                subprocess.run(["pkill", "-KILL", "-u", user.name], capture_output=True)
                if subprocess.run(["pgrep", "-u", user.name], capture_output=True).returncode != 0:
                    break
                time.sleep(0.1)
            subprocess.run(["userdel", "--remove", user.name], capture_output=True)
        if self.made_group:
            subprocess.run(["groupdel", GROUP], capture_output=True)


def give_file(user: HubUser, source: Path, relative: str) -> Path:
    """Copy `source` into the user's home (as a colleague's e-mailed copy would arrive)."""
    target = user.home / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    entry = pwd.getpwnam(user.name)
    for path in (target, *target.relative_to(user.home).parents):
        os.chown(user.home / path, entry.pw_uid, entry.pw_gid)
    return target


# -- the hub ---------------------------------------------------------------------------------------
@dataclass
class Hub:
    url: str  # ends with "/"
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """The hub's output: its own log, the proxy's and every single-user server's (they inherit it)."""
        return self.log_path.read_text(errors="replace")

    def user_url(self, user: HubUser) -> str:
        return "%suser/%s/" % (self.url, user.name)


def start_hub(hub_env: Path, workdir: Path) -> Hub:
    """Start JupyterHub as the guide's step 3 does (the configuration copied in, as it is), on
    127.0.0.1 with free ports for the hub, its internal API and the proxy's API."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG, workdir / "jupyterhub_config.py")
    port, hub_port, proxy_api = free_port(), free_port(), free_port()
    log_path = workdir / "hub.log"
    env = {
        "PATH": "%s:/usr/sbin:/usr/bin:/sbin:/bin" % (hub_env / "bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
    }
    command = [
        str(hub_env / "bin" / "jupyterhub"),
        "-f",
        "jupyterhub_config.py",
        "--ip=127.0.0.1",
        "--port=%d" % port,
        "--JupyterHub.hub_port=%d" % hub_port,
        "--ConfigurableHTTPProxy.api_url=http://127.0.0.1:%d" % proxy_api,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=str(workdir), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    hub = Hub("http://127.0.0.1:%d/" % port, process, log_path)
    deadline = time.time() + 120
    while True:
        if process.poll() is not None:
            raise AssertionError("JupyterHub exited with %s:\n%s" % (process.returncode, hub.log()[-4000:]))
        try:
            if requests.get(hub.url + "hub/api", timeout=5).status_code == 200:
                return hub
        except requests.ConnectionError:
            pass
        if time.time() > deadline:
            stop_hub(hub)
            raise AssertionError("JupyterHub did not answer within 120 s:\n%s" % hub.log()[-4000:])
        time.sleep(0.5)


def stop_hub(hub: Hub) -> None:
    """Stop the hub (it stops the single-user servers and the proxy), then anything left of its group."""
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(60)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(hub.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    hub.process.wait(10)


# -- in the browser --------------------------------------------------------------------------------
def sign_in(page, hub: Hub, user: HubUser) -> None:
    """Sign in on the hub's login page; JupyterLab (the configuration's default_url) opens."""
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", user.name)
    page.fill("#password_input", user.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(r".*/user/%s/lab.*" % re.escape(user.name)), timeout=180000)


@dataclass
class HubLab:
    """A user's JupyterLab behind the hub, shaped like tests/lab's servers for tests/lab/lab_ui.py."""

    url: str
    root: Path
    kind: str = "jupyterlab4"

    def notebook_url(self, path: str) -> str:
        return "%slab/tree/%s?reset" % (self.url, path)


@dataclass
class HubClassic:
    """The same user's classic Notebook UI (nbclassic) behind the hub, for tests/extension's helpers."""

    url: str
    root: Path

    def notebook_url(self, path: str) -> str:
        return "%snbclassic/notebooks/%s" % (self.url, path)
