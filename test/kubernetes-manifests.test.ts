// Every manifest in examples/kubernetes/ parses, has the shape the README promises, and
// each lockguard command line in it is accepted by the real CLI: dist/entrypoint.js with
// the same arguments and environment plus --help (the CLI validates everything before it
// honours --help: exit 0 valid, 2 invalid).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { assertBuilt, runLockguard } from './helpers/run.js';

const MANIFEST_DIR = new URL('../examples/kubernetes/', import.meta.url).pathname;

interface EnvVar {
  name: string;
  value?: string;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  shareProcessNamespace?: boolean;
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    strategy?: { type: string };
    template?: { spec: PodSpec };
  };
}

interface CommandLine {
  where: string;
  argv: string[];
  env: Record<string, string>;
}

const manifestFiles = readdirSync(MANIFEST_DIR).filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'));

function loadManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(MANIFEST_DIR + file, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML document stream`);
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new Error(`${file}: YAML error: ${error.message}`);
  }
  return docs.map((doc) => doc.toJS() as Manifest);
}

function onlyOf(manifests: Manifest[], kind: string, file: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  if (found.length !== 1) throw new Error(`${file}: expected exactly one ${kind}, found ${found.length}`);
  return found[0]!;
}

function podSpecOf(deployment: Manifest): PodSpec {
  const spec = deployment.spec.template?.spec;
  if (!spec) throw new Error(`Deployment ${deployment.metadata.name}: no spec.template.spec`);
  return spec;
}

/** lockguard's own argv in a container (command, then args), or undefined when the container does not run lockguard. */
function lockguardArgv(container: Container): string[] | undefined {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  return argv[0] === 'lockguard' ? argv.slice(1) : undefined;
}

/** The container's LOCKGUARD_* variables: the CLI reads and validates them too. */
function lockguardEnv(container: Container): Record<string, string> {
  const pairs = (container.env ?? []).filter((v) => v.name.startsWith('LOCKGUARD_')).map((v) => [v.name, v.value ?? '']);
  return Object.fromEntries(pairs);
}

function commandLinesOf(file: string): CommandLine[] {
  const pod = podSpecOf(onlyOf(loadManifests(file), 'Deployment', file));
  const all = [...(pod.initContainers ?? []), ...pod.containers];
  return all.flatMap((container) => {
    const argv = lockguardArgv(container);
    return argv ? [{ where: `${file} ${container.name}`, argv, env: lockguardEnv(container) }] : [];
  });
}

/** Adds options last among lockguard's own (so they win): after "--" they would belong to the command. */
function withOwnOptions(argv: string[], ...options: string[]): string[] {
  const dashDash = argv.indexOf('--');
  return dashDash === -1 ? [...argv, ...options] : [...argv.slice(0, dashDash), ...options, ...argv.slice(dashDash)];
}

/** The CLI with the container's environment only: the test's own LOCKGUARD_* must not leak in. */
async function runCli(argv: string[], env: Record<string, string>) {
  assertBuilt();
  const ran = await runLockguard(argv, { pid1: false, envOnly: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/node', ...env }, timeoutMs: 20_000 });
  return { status: ran.code, stderr: ran.stderr };
}

const commandLines = manifestFiles.flatMap(commandLinesOf);

describe.each(manifestFiles)('examples/kubernetes/%s', (file) => {
  const manifests = loadManifests(file);
  const deployment = onlyOf(manifests, 'Deployment', file);
  const pod = podSpecOf(deployment);

  it('is a Deployment with one replica and the Recreate strategy', () => {
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
  });

  it('mounts the PersistentVolumeClaim of the same file', () => {
    const claim = onlyOf(manifests, 'PersistentVolumeClaim', file);
    const claimNames = (pod.volumes ?? []).map((volume) => volume.persistentVolumeClaim?.claimName);
    expect(claimNames).toContain(claim.metadata.name);
  });

  it('sweeps in an initContainer and runs the gateway under lockguard, on the same mount', () => {
    const sweeper = (pod.initContainers ?? []).find((container) => lockguardArgv(container)?.[0] === 'sweep');
    const gateway = pod.containers.find((container) => lockguardArgv(container)?.includes('--'));
    expect(sweeper, 'an initContainer with command: [lockguard, sweep, …]').toBeDefined();
    expect(gateway, 'a container with command: [lockguard, …, --, COMMAND, …]').toBeDefined();
    const argv = lockguardArgv(gateway!)!;
    expect(argv.slice(argv.indexOf('--') + 1).length, 'a command after "--"').toBeGreaterThan(0);
    expect(gateway!.volumeMounts).toEqual(expect.arrayContaining(sweeper!.volumeMounts ?? []));
  });

  it(`shares the process namespace only in the shared-pid variant`, () => {
    expect(pod.shareProcessNamespace === true).toBe(file.includes('shared-pid'));
  });
});

describe('lockguard command lines in the manifests', () => {
  it('finds an initContainer sweep and a main container in every manifest', () => {
    expect(manifestFiles.length).toBeGreaterThanOrEqual(2);
    expect(commandLines.length).toBe(manifestFiles.length * 2);
  });

  it.each(commandLines)('$where: accepted by the CLI', async ({ argv, env }) => {
    const { status, stderr } = await runCli(withOwnOptions(argv, '--help'), env);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  // The check has teeth: the same lines with one bad value are refused with exit 2.
  it.each(commandLines)('$where: refused by the CLI with a bad --volume', async ({ argv, env }) => {
    const { status, stderr } = await runCli(withOwnOptions(argv, '--volume', 'sometimes', '--help'), env);
    expect(stderr).toContain('--volume');
    expect(status).toBe(2);
  });
});
