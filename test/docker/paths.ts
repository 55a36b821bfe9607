// Names shared by the driver's setup and its scenarios.
export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const COMPOSE_FILE = `${ROOT}/docker-compose.test.yml`;
export const COMPOSE_PROJECT = 'lockguard-e2e';

export const IMAGES = {
  base: 'lockguard-test/node:local',
  lockguard: 'lockguard-test/lockguard:local',
  gateway: 'lockguard-test/gateway:local',
  copyFrom: 'lockguard-test/gateway-copy-from:local',
} as const;

/** The environment compose reads the image names from. */
export const COMPOSE_ENV = {
  LOCKGUARD_GATEWAY_IMAGE: IMAGES.gateway,
  LOCKGUARD_COPYFROM_IMAGE: IMAGES.copyFrom,
};
