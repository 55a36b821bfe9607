#!/bin/sh
# Makes the test base image with `docker import`, because no image registry is reachable:
# the Node runtime on this machine, its shared libraries and the dynamic loader, npm,
# busybox (sh, env, sleep, kill …), a `node` user (uid 1000) and /tmp. It stands in for
# node:24-bookworm-slim: same paths (/usr/local/bin/node, /usr/local/lib/node_modules/npm),
# same user.
#
#   scripts/docker/make-base-image.sh IMAGE_TAG [NODE_BINARY] [NPM_DIR]
#
# NODE_BINARY defaults to the project's node_modules/.bin/node (Node 24); NPM_DIR to the
# host's global npm package directory.
set -eu
tag="${1:?usage: make-base-image.sh IMAGE_TAG [NODE_BINARY] [NPM_DIR]}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
node_bin="$(readlink -f "${2:-$root/node_modules/.bin/node}")"
npm_dir="${3:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"

[ -x "$node_bin" ] || { echo "make-base-image: Node binary $node_bin is missing; run npm ci first" >&2; exit 1; }
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "make-base-image: npm not found at $npm_dir; pass its directory as the 3rd argument" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "make-base-image: /bin/busybox is missing; install busybox-static" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

copy_with_parents() { # copy_with_parents FILE: place FILE (symlinks resolved) at the same path in the stage
  mkdir -p "$stage$(dirname "$1")"
  cp -L "$1" "$stage$1"
}

# Node and every shared library it links, the loader included.
mkdir -p "$stage/usr/local/bin"
cp "$node_bin" "$stage/usr/local/bin/node"
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do copy_with_parents "$lib"; done

# npm, laid out as in the official image.
mkdir -p "$stage/usr/local/lib/node_modules"
cp -r "$npm_dir" "$stage/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"

# busybox: /bin/sh and the other applets; /usr/bin/env for "#!/usr/bin/env node" scripts.
mkdir -p "$stage/bin" "$stage/usr/bin"
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
ln -s /bin/busybox "$stage/usr/bin/env"

# Users, home, /tmp.
mkdir -p "$stage/etc" "$stage/home/node" "$stage/tmp" "$stage/root" "$stage/proc" "$stage/sys" "$stage/dev"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$stage/etc/group"
chown 1000:1000 "$stage/home/node"
chmod 1777 "$stage/tmp"

tar -C "$stage" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
echo "make-base-image: $tag from $node_bin ($("$node_bin" --version)) and npm $(node "$npm_dir/bin/npm-cli.js" --version 2>/dev/null || echo '?')"
