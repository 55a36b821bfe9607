// Names shared by the driver's setup and its scenarios.
export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const COMPOSE_FILE = `${ROOT}/docker-compose.test.yml`;
export const COMPOSE_PROJECT = 'lockguard-e2e';

export const IMAGES = {
  base: 'lockguard-test/node:local',
  lockguard: 'lockguard-test/lockguard:local',
  gateway: 'lockguard-test/gateway:local',
  copyFrom: 'lockguard-test/gateway-copy-from:local',
  openclaw: 'lockguard-test/openclaw-gateway:local',
} as const;

/** The pinned real OpenClaw, installed on the host (test/openclaw-peer), bind-mounted read-only. */
export const OPENCLAW_MODULES = `${ROOT}/test/openclaw-peer/node_modules`;

/** The environment compose reads the image names and the OpenClaw package's path from. */
export const COMPOSE_ENV = {
  LOCKGUARD_GATEWAY_IMAGE: IMAGES.gateway,
  LOCKGUARD_COPYFROM_IMAGE: IMAGES.copyFrom,
  LOCKGUARD_OPENCLAW_IMAGE: IMAGES.openclaw,
  LOCKGUARD_OPENCLAW_MODULES: OPENCLAW_MODULES,
};
