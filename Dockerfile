# JupyterHub with the classic Notebook UI and rsconnect_jupyter, to try publishing to Posit
# Connect with several users (adapted from the rsconnect_jupyter user guide's example).
#
# Build from the root of this repository, then start it:
#   docker build -t jupyterhub:rsconnect_jupyter .
#   docker run --rm -p 8000:8000 --name jupyterhub jupyterhub:rsconnect_jupyter
# Log in on http://localhost:8000 as user1, user2 or user3 (password: password).
FROM jupyterhub/jupyterhub:5.2

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# The single-user servers: jupyter_server with the classic Notebook UI (nbclassic) and a Python
# kernel, installed in the same environment as JupyterHub (jupyterhub-singleuser runs there).
RUN python3 -m pip install --no-cache-dir "nbclassic==1.3.3" "jupyter_server==2.21.1" "ipykernel==6.29.5"

# rsconnect_jupyter from this checkout. To install a released wheel instead, copy it in and
# `pip install rsconnect_jupyter-VERSION-py3-none-any.whl`. The pip install alone enables the
# extension (it ships the Jupyter config files); the explicit commands below are the classic
# ones for jupyter_server + nbclassic and are harmless when repeated.
COPY . /tmp/rsconnect_jupyter
RUN python3 -m pip install --no-cache-dir /tmp/rsconnect_jupyter && \
    rm -rf /tmp/rsconnect_jupyter && \
    jupyter nbclassic-extension install --sys-prefix --py rsconnect_jupyter && \
    jupyter nbclassic-extension enable --sys-prefix --py rsconnect_jupyter && \
    jupyter server extension enable --sys-prefix rsconnect_jupyter

# Test users, each with their own saved servers (~/.rsconnect-python) and notebooks.
RUN for user in user1 user2 user3; do \
        useradd -m -s /bin/bash "$user" && echo "$user:password" | chpasswd; \
    done

EXPOSE 8000

# allow_all: JupyterHub 5 lets nobody in unless told; /tree is the classic UI's file list.
CMD ["jupyterhub", "--Authenticator.allow_all=True", "--Spawner.default_url=/tree"]
