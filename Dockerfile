# lockguard as a container base image.
#
#   docker build -t lockguard .
#
#   FROM lockguard
#   COPY gateway.js /app/
#   CMD ["node", "/app/gateway.js"]        # runs as: lockguard -- node /app/gateway.js
#
# NODE_IMAGE: a Node >= 22 image with npm and a `node` user, as the official images are.
# The tests pass one made locally (scripts/docker/make-base-image.sh), as no image
# registry is reachable there.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- npm: package files, and an optional offline cache --------------------------------
FROM ${NODE_IMAGE} AS npm
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_CACHE=/tmp/npm-cache
COPY package.json package-lock.json ./
# A build context that holds a filled npm cache in .npm-offline-cache/ installs from that
# cache alone, with no network (scripts/docker/prepare-context.sh makes such a context).
# Without it, `npm ci` fetches from the registry as usual. package.json is listed only so
# that this COPY has a source when the cache is absent.
COPY package.json .npm-offline-cach[e] /tmp/npm-cache/
RUN if [ -d /tmp/npm-cache/_cacache ]; then echo 'offline=true' >.npmrc; fi

# --- build: bundle lockguard into dist/ (scripts/build.mjs) -----------------------------
FROM npm AS build
# Install scripts stay off: the dev dependency `node` would download a Node binary, and
# neither esbuild nor koffi needs its script (both load their prebuilt binary packages).
RUN npm ci --ignore-scripts
COPY tsconfig.json bootstrap.ts entrypoint.ts ./
COPY scripts/build.mjs scripts/
COPY src src
RUN npm run build

# --- production dependencies only: koffi and its native package (the rest is in dist/) -
FROM npm AS prod-deps
RUN npm ci --ignore-scripts --omit=dev

# --- runtime ----------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS lockguard
ENV NODE_ENV=production
COPY --from=build /src/package.json /opt/lockguard/package.json
COPY --from=prod-deps /src/node_modules /opt/lockguard/node_modules
COPY --from=build /src/dist /opt/lockguard/dist
# lockguard on PATH; the default state dir (~/.openclaw) exists and belongs to `node`, so a
# fresh named volume mounted there is writable by the gateway. lockguard's compile cache lives
# beside its bundle, in a directory `node` may write.
RUN ln -s /opt/lockguard/dist/entrypoint.js /usr/local/bin/lockguard \
 && mkdir -p /home/node/.openclaw /opt/lockguard/dist/compile-cache \
 && chown node:node /home/node/.openclaw /opt/lockguard/dist/compile-cache
USER node
WORKDIR /home/node
# Warm the compile cache now, so that the container's first start is as fast as the next ones.
# Node keys it by its version, the uid and the bundle's path: it serves `node` in this image,
# even with a read-only root filesystem. Other users cache in their own ~/.cache/lockguard.
RUN lockguard --version
ENTRYPOINT ["lockguard", "--"]
# A base image: the gateway image sets CMD. Without one, lockguard exits 2 and says so.
CMD []
