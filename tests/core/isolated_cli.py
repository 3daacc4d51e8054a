"""The `rsconnect` CLI as a subprocess with a saved-servers folder of its own (and no CONNECT_SERVER
or CONNECT_API_KEY from the environment), and what it saved there: the CLI's side of the rules the
dialogs share (tests/core/test_core_rules.py, tests/extension/test_extension_core_rules.py)."""

import json
import os
import subprocess
import sys


def cli(args, config):
    env = dict(os.environ, XDG_CONFIG_HOME=str(config))
    for k in ("CONNECT_SERVER", "CONNECT_API_KEY"):
        env.pop(k, None)
    return subprocess.run([sys.executable, "-m", "rsconnect_jupyter", *args], capture_output=True, text=True, env=env)


def saved(config):
    """servers.json in `config` (XDG_CONFIG_HOME), or {} when nothing was saved."""
    path = config / "rsconnect-python" / "servers.json"
    return json.loads(path.read_text()) if path.exists() else {}
