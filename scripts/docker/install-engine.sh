#!/bin/sh
# Installs what the container tests need from Debian when it is missing:
#   dockerd (docker.io), docker-compose (v1, used when the `docker compose` plugin is absent)
#   and busybox-static (the shell, sleep and kill of the locally made base image).
# Idempotent: prints what it installs, installs nothing that is already there.
set -eu
# dockerd and apt-get live in sbin, which a non-login PATH (CI, sudo -E) may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH

missing=""
command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  missing="$missing docker-compose"
fi
[ -x /bin/busybox ] || missing="$missing busybox-static"

if [ -z "$missing" ]; then
  echo "install-engine: docker.io, compose and busybox-static are present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-engine: need root to install:$missing (run as root, or install them yourself)" >&2
  exit 1
fi
echo "install-engine: installing from Debian:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing >/dev/null
