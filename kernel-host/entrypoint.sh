#!/bin/sh
# Starts the kernel host: the launcher (root), which runs Debian's jupyter_server with the
# cellwise_kernel_host extension as the unprivileged `cellwise` user and every kernel as a
# user of its own.
#
# Notebook code must never see the server's token:
#   1. ECS injects it (from Secrets Manager) as KERNEL_HOST_TOKEN;
#   2. it is written into a private (0600, owned by `cellwise`) copy of
#      jupyter_server_config.json and removed from the environment, together with the task
#      role's credentials pointer; kernels run as other users and cannot read the file;
#   3. the launcher replaces this shell (exec), so it gets ECS's SIGTERM and passes it on;
#   4. as soon as the server answers, it has read its configuration: a detached helper
#      deletes the file, so no copy of the token stays on disk.
# Fargate allows switching users but neither namespaces nor cgroups: kernels get a user and
# a 0700 box each, limits by rlimits and the launcher's disk check, no access to /tmp,
# /var/tmp or /dev/shm but their own (--lock-shared-tmp), and no network beyond what the
# task's security group allows (see infra/network.ts).
set -eu

host_dir=${CELLWISE_KERNEL_HOST_DIR:-/opt/cellwise/kernel-host}
work_dir=${CELLWISE_WORK_DIR:-/home/cellwise/work}
state=${CELLWISE_STATE_DIR:-/var/lib/cellwise}
server_user=${CELLWISE_SERVER_USER:-cellwise}
server_home=${HOME:-/home/cellwise}
port=${CELLWISE_KERNEL_HOST_PORT:-8888}
# The image's /tmp is its own: locked so kernels only write where their limits count. (The
# test that runs this script on a development machine turns it off.)
lock_tmp=${CELLWISE_LOCK_SHARED_TMP:-1}

if [ -z "${KERNEL_HOST_TOKEN:-}" ]; then
  echo 'kernel host: KERNEL_HOST_TOKEN is not set; refusing to start without a token' >&2
  exit 64
fi
if [ "$(id -u)" -ne 0 ]; then
  echo 'kernel host: the launcher must start as root (it gives every kernel a user of its own)' >&2
  exit 64
fi
token=$KERNEL_HOST_TOKEN
unset KERNEL_HOST_TOKEN AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
  AWS_CONTAINER_AUTHORIZATION_TOKEN

umask 077
mkdir -p "$state"
chmod 0711 "$state"
run_dir=$(mktemp -d "$state/server.XXXXXXXX")
config=$run_dir/jupyter_server_config.json
# printf is a shell builtin: the token never appears on a command line (/proc/*/cmdline).
printf '%s' "$token" | python3 -I -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as source:
    config = json.load(source)
config.setdefault("ServerApp", {})["token"] = sys.stdin.read()
with open(sys.argv[2], "w", encoding="utf-8") as target:
    json.dump(config, target)
' "$host_dir/jupyter_server_config.json" "$config"
token=
chmod 0600 "$config"
mkdir -p "$work_dir" "$server_home/tmp"
chmod 0700 "$server_home" # kernels (other users) must not even list it
# /tmp is locked below (kernels use their box's): the server keeps its temporary files at home.
export TMPDIR="$server_home/tmp"

# Detached (double fork, so nobody has to reap it): wait until the server answers (it has
# read the file by then), then delete the file. Gives up waiting after ten minutes.
(
  (
    tries=0
    until python3 -I -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api', timeout=2)" \
      >/dev/null 2>&1 || [ "$tries" -ge 2400 ]; do
      tries=$((tries + 1))
      sleep 0.25
    done
    rm -rf "$run_dir"
  ) </dev/null >/dev/null 2>&1 &
)

exec python3 -I "$host_dir/launcher.py" \
  --state "$state/launcher" \
  --kernels "$state/kernels" \
  --sandbox uid \
  --server-user "$server_user" \
  --own "$run_dir" --own "$work_dir" --own "$server_home" \
  $([ "$lock_tmp" = 1 ] && echo --lock-shared-tmp) \
  -- python3 -m jupyter_server \
  --config="$config" \
  --ServerApp.ip=0.0.0.0 \
  --ServerApp.port=$port \
  --ServerApp.port_retries=0 \
  --ServerApp.allow_remote_access=True \
  --ServerApp.terminals_enabled=False \
  --ServerApp.root_dir="$work_dir"
