"""Start a real Jupyter server with the extension: notebook 6.5 (NotebookApp) or nbclassic on
jupyter_server 2, on 127.0.0.1 with a token and a temporary root folder.

User-level Jupyter folders point into a temporary directory, so only the installed (sys-prefix)
config files enable the extension. After an editable install those files are not installed
(setuptools skips data_files there); then the repository's jupyter-config/ goes into the
temporary user config folder instead, which is what `pip install .` would have provided.
The nbextension folder is copied from the working tree so the JavaScript under test is this one.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from rsconnect_jupyter.localconnect import launch
from rsconnect_jupyter.localconnect.launch import free_port

REPO = Path(__file__).resolve().parents[2]
CONFIG_FILES = [
    "jupyter_notebook_config.d/rsconnect_jupyter.json",
    "jupyter_server_config.d/rsconnect_jupyter.json",
    "nbconfig/notebook.d/rsconnect_jupyter.json",
]
KINDS = ("notebook", "nbclassic")


def installed_config_present():
    etc = Path(sys.prefix, "etc", "jupyter")
    return all((etc / f).is_file() for f in CONFIG_FILES)


def jupyter_home(base):
    """User-level Jupyter folders in `base`; returns the environment for a Jupyter process."""
    base = Path(base)
    config, data, runtime = base / "config", base / "data", base / "runtime"
    for d in (config, data / "nbextensions", runtime):
        d.mkdir(parents=True, exist_ok=True)
    if not installed_config_present():
        for f in CONFIG_FILES:
            (config / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / "jupyter-config" / f, config / f)
    # A copy, not a symlink: Jupyter's static file handler refuses files whose real path lies
    # outside its folders (403).
    target = data / "nbextensions" / "rsconnect_jupyter"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REPO / "nbextension", target)
    # The publishing core, as the lab build compiled it for RequireJS (setup.py puts it there too).
    if (REPO / "labextension" / "amd").is_dir():
        shutil.copytree(REPO / "labextension" / "amd", target / "core")
    env = user_folders(base)
    env.update(
        {
            # The copied nbextension first: in a virtualenv, jupyter_core 5 puts sys.prefix (an installed copy) first.
            "JUPYTER_PREFER_ENV_PATH": "0",
            # The code under test is this working tree, even when an older copy is installed.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
    )
    return env


def user_folders(base):
    """The environment of a Jupyter process whose user-level folders (config, data, runtime,
    IPython's) are in `base`, with the echo kernel installed; both starters build on it."""
    base = Path(base)
    config, data, runtime = base / "config", base / "data", base / "runtime"
    for d in (config, data, runtime):
        d.mkdir(parents=True, exist_ok=True)
    install_echo_kernel(data)  # a non-Python kernel, for the source publish it must refuse
    env = os.environ.copy()  # keeps XDG_CONFIG_HOME from tests/conftest.py: the saved servers
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(data),
            "JUPYTER_RUNTIME_DIR": str(runtime),
            "IPYTHONDIR": str(base / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
    )
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def install_echo_kernel(data):
    """A non-Python kernel for the tests (see echo_kernel.py)."""
    spec = data / "kernels" / "echo"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(Path(__file__).with_name("echo_kernel.py")), "-f", "{connection_file}"],
                "display_name": "Echo",
                "language": "echo",
            }
        )
    )


@dataclass
class JupyterServer:
    kind: str
    url: str  # ends with "/"
    token: str
    root: Path
    process: subprocess.Popen
    log_path: Path

    def api(self, method, route, token=True, **kwargs):
        """A request to one of our handlers (authenticated with the token unless token=False)."""
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = "token " + self.token
        kwargs.setdefault("timeout", 120)
        return requests.request(method, self.url + "rsconnect_jupyter/" + route, headers=headers, **kwargs)

    def notebook_url(self, path):
        return "%snotebooks/%s?token=%s" % (self.url, path, self.token)

    def log(self):
        return self.log_path.read_text(errors="replace")


def command(kind, port, token, root):
    common = ["--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=%d" % port]
    if kind == "notebook":
        return [
            sys.executable,
            "-m",
            "notebook",
            *common,
            "--NotebookApp.token=" + token,
            "--notebook-dir=" + str(root),
        ]
    return [
        sys.executable,
        "-m",
        "nbclassic",
        *common,
        "--IdentityProvider.token=" + token,
        "--ServerApp.root_dir=" + str(root),
    ]


# How long a server may take to answer: on a loaded 2-core machine a fresh environment's first
# start (its modules compiled on import) has taken over 60 s (a readiness wait, not a time check).
START_TIMEOUT = 240


def start_jupyter(kind, base, token="rsc-test-token", command=command, home=jupyter_home, server_class=JupyterServer):
    """A server of `kind` with `base` for its root, user folders and log, once our handlers answer.
    tests/lab passes its own command, user folders and class (JupyterLab 4, Notebook 7)."""
    base = Path(base)
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    env = home(base / "home")
    port = free_port()
    log_path = base / ("%s.log" % kind)
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command(kind, port, token, root), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(root)
        )
    server = server_class(kind, "http://127.0.0.1:%d/" % port, token, root, process, log_path)
    try:
        launch.wait_until_serving(
            process,
            lambda: server.api("GET", "servers", timeout=2).status_code == 200,
            log_path,
            what=kind,
            timeout=START_TIMEOUT,
        )
    except RuntimeError:
        stop_jupyter(server)
        raise
    return server


def wait_job(api, job_id, timeout=300):
    """A publish or sign-in job's final state, polled through `api(method, route)` (a server's
    `.api`, or a wrapper that keeps each answer) until it says finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api("GET", "jobs/%s" % job_id)
        assert r.status_code == 200, r.text
        state = r.json()
        if state["finished"]:
            return state
        time.sleep(0.3)
    raise AssertionError("job %s did not finish within %d s" % (job_id, timeout))


def stop_jupyter(server):
    launch.stop(server.process)


def forget_saved_servers(server):
    """No saved servers (the first-use dialog), removed through the handlers of any Jupyter kind."""
    for s in server.api("GET", "servers").json()["servers"]:
        assert server.api("POST", "servers/remove", json={"server": s["name"]}).status_code == 200
