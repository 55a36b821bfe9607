// Builds the test images with no registry: the base image by `docker import` of this
// machine's Node runtime, then the Dockerfile (offline, from a prepared context), then the
// two demo gateway images and the real OpenClaw gateway's. Remembers every image it made, the builder's dangling stage images
// included, so that removeImages() deletes exactly those.
import { copyFileSync, mkdirSync } from 'node:fs';
import { IMAGES, ROOT } from './paths.js';
import { must } from './sh.js';

function danglingImages(): Set<string> {
  return new Set(must('docker', ['images', '--quiet', '--no-trunc', '--filter', 'dangling=true']).stdout.split('\n').filter(Boolean));
}

/** The classic builder (it needs no buildx plugin and resolves FROM against local images), with no network. */
function dockerBuild(context: string, dockerfile: string, tag: string, buildArgs: Record<string, string>): void {
  const args = Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  const begun = Date.now();
  must('docker', ['build', '--quiet', '--force-rm', '--network', 'none', '--file', dockerfile, '--tag', tag, ...args, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeoutMs: 600_000,
  });
  console.log(`images: built ${tag} in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
}

function gatewayContext(workDir: string): string {
  const dir = `${workDir}/gateway-context`;
  mkdirSync(dir, { recursive: true });
  copyFileSync(`${ROOT}/examples/demo-gateway/gateway.mjs`, `${dir}/gateway.mjs`);
  for (const name of ['orphan-grandchildren.sh', 'gateway.Dockerfile', 'gateway-copy-from.Dockerfile', 'openclaw.Dockerfile']) {
    copyFileSync(`${ROOT}/test/docker/${name}`, `${dir}/${name}`);
  }
  return dir;
}

export function buildImages(workDir: string): void {
  const danglingBefore = danglingImages();
  process.stdout.write(must('sh', [`${ROOT}/scripts/docker/make-base-image.sh`, IMAGES.base]).stdout);
  const context = `${workDir}/lockguard-context`;
  process.stdout.write(must('sh', [`${ROOT}/scripts/docker/prepare-context.sh`, context], { timeoutMs: 600_000 }).stdout);
  try {
    dockerBuild(context, `${context}/Dockerfile`, IMAGES.lockguard, { NODE_IMAGE: IMAGES.base });
    const gateway = gatewayContext(workDir);
    dockerBuild(gateway, `${gateway}/gateway.Dockerfile`, IMAGES.gateway, { LOCKGUARD_IMAGE: IMAGES.lockguard });
    dockerBuild(gateway, `${gateway}/gateway-copy-from.Dockerfile`, IMAGES.copyFrom, { LOCKGUARD_IMAGE: IMAGES.lockguard, NODE_IMAGE: IMAGES.base });
    dockerBuild(gateway, `${gateway}/openclaw.Dockerfile`, IMAGES.openclaw, { LOCKGUARD_IMAGE: IMAGES.lockguard });
  } finally {
    for (const id of danglingImages()) if (!danglingBefore.has(id)) madeDangling.add(id);
  }
}

const madeDangling = new Set<string>();

export function removeImages(): void {
  const tags = Object.values(IMAGES);
  must('docker', ['image', 'rm', '--force', ...tags, ...madeDangling]);
  console.log(`images: removed ${tags.length} tagged and ${madeDangling.size} intermediate images`);
}
