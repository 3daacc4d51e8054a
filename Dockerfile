# JupyterHub with rsconnect_jupyter, to try publishing to Posit Connect with several users: the hub
# of docs/jupyterhub.md, from the same configuration file (examples/jupyterhub/jupyterhub_config.py).
#
# Build from the root of this repository, then start it:
#   docker build -t jupyterhub:rsconnect_jupyter .
#   docker run --rm -p 8000:8000 --name jupyterhub jupyterhub:rsconnect_jupyter
# Sign in on http://localhost:8000 as user1 or user2 (password: password).
FROM python:3.12-slim-bookworm

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Node.js and npm for configurable-http-proxy, and for building the JupyterLab extension from this
# checkout. Debian's versions: the image follows bookworm's security updates.
# hadolint ignore=DL3008
RUN apt-get update && \
    apt-get install -y --no-install-recommends nodejs npm && \
    rm -rf /var/lib/apt/lists/*

ENV HUB_ENV=/opt/jupyterhub
ENV PATH=/opt/jupyterhub/bin:$PATH

# The hub's environment, which the single-user servers run from too (docs/jupyterhub.md, step 1).
RUN python3 -m venv "$HUB_ENV" && \
    "$HUB_ENV/bin/pip" install --no-cache-dir "jupyterhub==6.1.1" "jupyterlab==4.6.*" "notebook==7.6.*" \
        "nbclassic==1.3.*" "ipykernel==7.*" && \
    npm install --silent --prefix="$HUB_ENV/proxy" configurable-http-proxy@5.3.0 && \
    npm cache clean --force && \
    ln -sf "$HUB_ENV/proxy/node_modules/.bin/configurable-http-proxy" "$HUB_ENV/bin/"

# rsconnect_jupyter from this checkout; `pip install` alone enables every part of it.
COPY . /tmp/rsconnect-jupyter
RUN "$HUB_ENV/bin/pip" install --no-cache-dir /tmp/rsconnect-jupyter && \
    rm -rf /tmp/rsconnect-jupyter

# Test users (docs/jupyterhub.md, step 2), each with their own home and saved servers.
RUN groupadd --force jupyterhub-users && \
    for user in user1 user2; do \
        useradd --create-home --groups jupyterhub-users "$user" && echo "$user:password" | chpasswd; \
    done

WORKDIR /srv/jupyterhub
COPY examples/jupyterhub/jupyterhub_config.py /srv/jupyterhub/jupyterhub_config.py

EXPOSE 8000

CMD ["jupyterhub", "-f", "/srv/jupyterhub/jupyterhub_config.py"]
