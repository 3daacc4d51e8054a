"""JupyterHub for a team that publishes to Posit Connect with rsconnect_jupyter.

Used verbatim by docs/jupyterhub.md, by the Dockerfile and by the tests (tests/hub/), which start
it with `jupyterhub -f jupyterhub_config.py` and give addresses and ports on the command line.

- People sign in with their Unix account and password (PAM); only members of the Unix group
  `jupyterhub-users` may.
- Each person's Jupyter server runs as their own Unix user, from the environment the hub runs in
  (it holds JupyterLab 4, Notebook 7, nbclassic and rsconnect_jupyter), in their home folder. So
  each person's saved Connect servers and API keys live in their own home, readable by them only.
- JupyterLab opens first; the classic Notebook UI is at /user/NAME/nbclassic/tree, Notebook 7 at
  /user/NAME/tree. All three have the Publish button.

The hub itself must run as root to start servers as other users (or see JupyterHub's
"Using sudo to run JupyterHub without root privileges"). configurable-http-proxy must be on PATH.
"""

import sysconfig

c = get_config()  # noqa: F821  (JupyterHub defines it when it loads this file)

# The hub listens on every interface, port 8000 (JupyterHub's default; `--ip` and `--port` change
# it). Put TLS in front of it, or set c.JupyterHub.ssl_cert and ssl_key, before people sign in from
# other machines: passwords and API keys cross this connection.

# Unix accounts, through PAM. Add a person with:
#   useradd --create-home --groups jupyterhub-users NAME && passwd NAME
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {"jupyterhub-users"}

# Single-user servers: local processes, one per person, as that person's Unix user, started from
# this environment's `jupyterhub-singleuser` (where pip put the hub's own scripts).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [sysconfig.get_path("scripts") + "/jupyterhub-singleuser"]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
# First start of JupyterLab with its extensions can take a while on a busy machine.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
