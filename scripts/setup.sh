#!/usr/bin/env bash
# Installs what the project needs and is missing: npm packages (including the project's own
# Node 22 from the `node` package) and the Debian packages of the kernel host and the seed
# clients. Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# The kernel host (jupyter_server, ipykernel, nbconvert for reports) and what notebooks commonly
# import (pandas, matplotlib; scikit-learn, seaborn, scipy for the templates); nbclient is the
# benchmark's reference and regenerates golden outputs.
# r-cran-irkernel is the R kernel (it registers the `ir` kernelspec in /usr/share/jupyter/kernels).
# scala (2.11, with a headless Java runtime) runs the kernel host's own `scala` kernelspec
# (kernel-host/share/jupyter/kernels/scala); python3-jupyter-kernel-test is the Jupyter
# project's conformance test the scala kernel is checked against.
DEBIAN_PACKAGES=(python3-jupyter-server python3-ipykernel python3-nbclient python3-nbconvert python3-nbformat
  python3-requests python3-pandas python3-matplotlib python3-sklearn python3-seaborn python3-scipy
  r-base-core r-cran-irkernel
  scala python3-jupyter-kernel-test
  chromium) # chromium: the notebook viewer's browser tests (playwright-core drives /usr/bin/chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm packages (npm ci: exactly the committed lockfile)"
  # The lockfile lists every platform's optional binaries (biome, esbuild); `npm ci` installs
  # this platform's and never rewrites the lockfile, so a fresh clone stays clean.
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! node_modules/.bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)'; then
  echo "setup: node_modules/.bin/node is not Node 22+; reinstall with 'npm ci'" >&2
  exit 1
fi
