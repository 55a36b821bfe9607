# lockguard added to an existing gateway image with COPY --from=, as the README shows.
# Build context: a folder holding gateway.mjs (the driver makes it).
ARG LOCKGUARD_IMAGE=lockguard-test/lockguard:local
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${LOCKGUARD_IMAGE} AS lockguard

# Stands in for an existing gateway image that knows nothing of lockguard.
FROM ${NODE_IMAGE} AS existing-gateway
COPY gateway.mjs /app/gateway.mjs
RUN mkdir -p /home/node/.openclaw && chown node:node /home/node/.openclaw
USER node
WORKDIR /home/node
CMD ["node", "/app/gateway.mjs"]

# The README's lines: copy lockguard in, make it the entrypoint, repeat the command
# (a new ENTRYPOINT resets the CMD inherited from the base image).
FROM existing-gateway
COPY --from=lockguard /opt/lockguard /opt/lockguard
ENTRYPOINT ["node", "/opt/lockguard/dist/entrypoint.js", "--"]
CMD ["node", "/app/gateway.mjs"]
