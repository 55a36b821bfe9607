#!/bin/sh
# Makes a Docker build context that builds with no network: the project's sources (the
# .dockerignore picks what the image needs) plus .npm-offline-cache/, an npm cache that
# holds every package of package-lock.json. The Dockerfile's `npm ci` then runs --offline.
#
#   scripts/docker/prepare-context.sh OUT_DIR
#
# The cache is filled on this machine by the ordinary npm client (from the registry the
# first time, from itself after) and kept in node_modules/.cache/lockguard-docker/.
set -eu
out="${1:?usage: prepare-context.sh OUT_DIR}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$root/node_modules/.cache/lockguard-docker/npm-cache"

fill_cache() { # resolve and fetch every locked package into $cache, in a scratch dir
  scratch="$(mktemp -d)"
  cp "$root/package.json" "$root/package-lock.json" "$scratch/"
  if ! (cd "$scratch" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund \
        --loglevel=error --cache "$cache" >/dev/null); then
    rm -rf "$scratch"
    echo "prepare-context: npm ci could not fill the npm cache $cache; check that the npm registry is reachable, or build with network" >&2
    exit 1
  fi
  rm -rf "$scratch"
}

mkdir -p "$out" "$cache"
fill_cache
tar -C "$root" --exclude=./node_modules --exclude=./.git --exclude=./dist -c . | tar -C "$out" -x
rm -rf "$out/.npm-offline-cache"
cp -al "$cache" "$out/.npm-offline-cache" 2>/dev/null || cp -a "$cache" "$out/.npm-offline-cache"
echo "prepare-context: $out (npm cache $(du -sh "$cache" | cut -f1))"
