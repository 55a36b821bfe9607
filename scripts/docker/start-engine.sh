#!/bin/sh
# Starts dockerd when no engine answers, and prints the pid of the dockerd it started,
# or nothing when an engine was already running (then the caller must not stop it).
#
#   scripts/docker/start-engine.sh LOGFILE
#
# No bridge and no iptables: every test container runs with network_mode none.
# The storage driver is overlay2 when the kernel and the backing filesystem allow it,
# else vfs (slow, but works anywhere); LOCKGUARD_DOCKER_STORAGE forces one.
set -eu
# dockerd and apt-get live in sbin, which a non-login PATH (CI, sudo -E) may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
log="${1:?usage: start-engine.sh LOGFILE}"

if docker info >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "start-engine: no Docker engine answers and starting one needs root; start dockerd yourself" >&2
  exit 1
fi

storage="${LOCKGUARD_DOCKER_STORAGE:-}"
if [ -z "$storage" ]; then
  if grep -qw overlay /proc/filesystems; then storage=overlay2; else storage=vfs; fi
fi

# setsid: dockerd gets its own session, so a Ctrl-C in the test run does not reach it.
setsid dockerd --bridge=none --iptables=false --ip6tables=false --storage-driver="$storage" \
  >"$log" 2>&1 </dev/null &
pid=$!

tries=0
until docker info >/dev/null 2>&1; do
  tries=$((tries + 1))
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-engine: dockerd (storage driver $storage) exited at start; see $log:" >&2
    tail -n 5 "$log" >&2
    exit 1
  fi
  if [ "$tries" -ge 120 ]; then
    echo "start-engine: dockerd (pid $pid) did not answer within 60 s; see $log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
echo "$pid"
