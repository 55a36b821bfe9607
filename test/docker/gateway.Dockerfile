# The demo gateway image of the container tests, built FROM the lockguard image as a base:
# ENTRYPOINT ["lockguard", "--"] comes from the base, CMD names the gateway.
# Build context: a folder holding gateway.mjs and orphan-grandchildren.sh (the driver makes it).
ARG LOCKGUARD_IMAGE=lockguard-test/lockguard:local
FROM ${LOCKGUARD_IMAGE}
COPY gateway.mjs orphan-grandchildren.sh /app/
CMD ["node", "/app/gateway.mjs"]
