#!/bin/sh
# Stops the dockerd that start-engine.sh started, by its pid, and waits for it to exit.
#
#   scripts/docker/stop-engine.sh PID
set -eu
pid="${1:?usage: stop-engine.sh PID (the pid printed by start-engine.sh)}"

kill -TERM "$pid" 2>/dev/null || exit 0
tries=0
while kill -0 "$pid" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "stop-engine: dockerd (pid $pid) still running after 30 s; sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.5
done
