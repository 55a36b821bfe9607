# The real OpenClaw gateway (openclaw@2026.9.6) under lockguard: ENTRYPOINT ["lockguard", "--"]
# from the lockguard base image, CMD the gateway, bound to loopback (the containers have no
# network but their own loopback) without auth, so that it needs no config, key or network.
#
# The package (650 MB with its dependencies) is not copied in: the test installs it once on the
# host (test/openclaw-peer, its own lockfile) and compose bind-mounts it read-only at
# /opt/openclaw/node_modules. Copying it into a layer would cost every run about a minute.
ARG LOCKGUARD_IMAGE=lockguard-test/lockguard:local
FROM ${LOCKGUARD_IMAGE}
# The base image runs lockguard with NODE_ENV=production. OpenClaw skips its gateway locks when
# NODE_ENV is "test" (or VITEST is set): neither may reach this image.
CMD ["node", "/opt/openclaw/node_modules/openclaw/openclaw.mjs", "gateway", "run", "--allow-unconfigured", "--auth", "none", "--bind", "loopback", "--port", "18789"]
