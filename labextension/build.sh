#!/usr/bin/env bash
# Build the JupyterLab 4 / Notebook 7 extension from labextension/ into
# rsconnect_jupyter/labextension/ (which setup.py ships as wheel data). Usage:
#   labextension/build.sh VENV   (a virtualenv with jupyterlab 4: it provides jlpm)
# Reruns are fast: node_modules is reused while package.json and yarn.lock are unchanged, and
# the build is skipped while no source is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="$(cd "${1:?give the virtualenv that has jupyterlab 4}" && pwd)"
[ -x "$VENV/bin/jlpm" ] || { echo "$VENV has no jlpm: install jupyterlab 4 into it first." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js is needed to build the lab extension: install nodejs." >&2; exit 1; }
export PATH="$VENV/bin:$PATH"
cd labextension

# jlpm (yarn 3) does not read npm's config: hand it the machine's registry at run time, so no
# registry host name is ever written into a file.
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ] && command -v npm >/dev/null; then
  registry="$(npm config get registry 2>/dev/null || true)"
  [ -n "$registry" ] && export YARN_NPM_REGISTRY_SERVER="$registry"
fi

stamp=node_modules/.rsc-installed
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ yarn.lock -nt "$stamp" ]; then
  start=$SECONDS
  # Its log is thousands of lines: shown only when the install fails.
  jlpm install --immutable > node_modules.log 2>&1 || { cat node_modules.log >&2; exit 1; }
  touch "$stamp"
  echo "lab extension: jlpm install took $((SECONDS - start)) s"
fi

built=../rsconnect_jupyter/labextension/package.json
if [ ! -f "$built" ] || [ -n "$(find src style schema package.json tsconfig.json "$stamp" -newer "$built" -print -quit)" ]; then
  start=$SECONDS
  jlpm build
  echo "lab extension: build took $((SECONDS - start)) s"
fi
