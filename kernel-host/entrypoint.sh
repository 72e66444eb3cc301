#!/bin/sh
# Starts the kernel host: Debian's jupyter_server with the cellwise_kernel_host extension.
#
# Notebook code runs in kernels that inherit the server's environment and run as the same
# user, so the token must reach jupyter_server without staying anywhere a kernel can read:
#   1. ECS injects it (from Secrets Manager) as KERNEL_HOST_TOKEN;
#   2. it is written into a private (0600) copy of jupyter_server_config.json and removed from
#      the environment, together with the task role's credentials pointer;
#   3. jupyter_server replaces this shell (exec), so it gets ECS's SIGTERM itself;
#   4. as soon as the server answers, it has read its configuration: a detached helper
#      deletes the file, so no copy of the token stays on disk.
set -eu

host_dir=${CELLWISE_KERNEL_HOST_DIR:-/opt/cellwise/kernel-host}
work_dir=${CELLWISE_WORK_DIR:-$HOME/work}
port=8888

if [ -z "${KERNEL_HOST_TOKEN:-}" ]; then
  echo 'kernel host: KERNEL_HOST_TOKEN is not set; refusing to start without a token' >&2
  exit 64
fi
token=$KERNEL_HOST_TOKEN
unset KERNEL_HOST_TOKEN AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
  AWS_CONTAINER_AUTHORIZATION_TOKEN

umask 077
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/kernel-host.XXXXXXXX")
config=$run_dir/jupyter_server_config.json
# printf is a shell builtin: the token never appears on a command line (/proc/*/cmdline).
printf '%s' "$token" | python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as source:
    config = json.load(source)
config.setdefault("ServerApp", {})["token"] = sys.stdin.read()
with open(sys.argv[2], "w", encoding="utf-8") as target:
    json.dump(config, target)
' "$host_dir/jupyter_server_config.json" "$config"
token=
chmod 0600 "$config"
mkdir -p "$work_dir"

# Detached (double fork, so the server never has to reap it): wait until the server answers
# (it has read the file by then), then delete the file. Gives up waiting after ten minutes.
(
  (
    tries=0
    until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api', timeout=2)" \
      >/dev/null 2>&1 || [ "$tries" -ge 2400 ]; do
      tries=$((tries + 1))
      sleep 0.25
    done
    rm -rf "$run_dir"
  ) </dev/null >/dev/null 2>&1 &
)

exec python3 -m jupyter_server \
  --config="$config" \
  --ServerApp.ip=0.0.0.0 \
  --ServerApp.port=$port \
  --ServerApp.port_retries=0 \
  --ServerApp.allow_remote_access=True \
  --ServerApp.terminals_enabled=False \
  --ServerApp.root_dir="$work_dir"
