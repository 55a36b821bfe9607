// Every manifest in examples/kubernetes/ parses, has the shape the README promises, and
// each lockguard command line in it is accepted by the real CLI: dist/entrypoint.js with
// the same arguments and environment plus --help (the CLI validates everything before it
// honours --help: exit 0 valid, 2 invalid). A manifest holds a Deployment (a gateway under
// lockguard) or a DaemonSet (sweeping from the node, in the host's PID namespace).
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
  hostPID?: boolean;
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; hostPath?: { path: string } }[];
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

function podSpecOf(workload: Manifest): PodSpec {
  const spec = workload.spec.template?.spec;
  if (!spec) throw new Error(`${workload.kind} ${workload.metadata.name}: no spec.template.spec`);
  return spec;
}

/** The manifest's workload: its one Deployment or DaemonSet. */
function workloadOf(manifests: Manifest[], file: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === 'Deployment' || manifest.kind === 'DaemonSet');
  if (found.length !== 1) throw new Error(`${file}: expected exactly one Deployment or DaemonSet, found ${found.length}`);
  return found[0]!;
}

/**
 * lockguard's own argv in a container, or undefined when the container does not run lockguard: command
 * then args, or args alone when command is a shell that runs them ("$@"), as the DaemonSet's loop does.
 */
function lockguardArgv(container: Container): string[] | undefined {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv[0] === 'lockguard') return argv.slice(1);
  const shellRunsArgs = container.command?.[0] === 'sh' && container.command[1] === '-c' && container.command[2]?.includes('"$@"');
  return shellRunsArgs && container.args?.[0] === 'lockguard' ? container.args.slice(1) : undefined;
}

/** The container's LOCKGUARD_* variables: the CLI reads and validates them too. */
function lockguardEnv(container: Container): Record<string, string> {
  const pairs = (container.env ?? []).filter((v) => v.name.startsWith('LOCKGUARD_')).map((v) => [v.name, v.value ?? '']);
  return Object.fromEntries(pairs);
}

function commandLinesOf(file: string): CommandLine[] {
  const pod = podSpecOf(workloadOf(loadManifests(file), file));
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
const kindOf = (file: string) => workloadOf(loadManifests(file), file).kind;
const deploymentFiles = manifestFiles.filter((file) => kindOf(file) === 'Deployment');
const daemonSetFiles = manifestFiles.filter((file) => kindOf(file) === 'DaemonSet');

describe.each(deploymentFiles)('examples/kubernetes/%s', (file) => {
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

describe.each(daemonSetFiles)('examples/kubernetes/%s', (file) => {
  const pod = podSpecOf(workloadOf(loadManifests(file), file));
  const sweeper = pod.containers.find((container) => lockguardArgv(container)?.[0] === 'sweep');

  it("is a DaemonSet in the host's PID namespace whose container sweeps", () => {
    expect(pod.hostPID).toBe(true);
    expect(sweeper, 'a container running lockguard sweep (command, or args under a shell)').toBeDefined();
  });

  it('mounts the node-local state dir it sweeps, by hostPath (the host view needs a local filesystem)', () => {
    const mounts = sweeper!.volumeMounts ?? [];
    const hostPaths = (pod.volumes ?? []).filter((volume) => volume.hostPath && mounts.some((mount) => mount.name === volume.name));
    expect(hostPaths.length).toBeGreaterThan(0);
    expect(pod.volumes!.some((volume) => volume.persistentVolumeClaim)).toBe(false);
  });
});

describe('lockguard command lines in the manifests', () => {
  it('finds an initContainer sweep and a main container in every Deployment, and a sweep in every DaemonSet', () => {
    expect(deploymentFiles.length).toBeGreaterThanOrEqual(2);
    expect(daemonSetFiles.length).toBeGreaterThanOrEqual(1);
    expect(commandLines.length).toBe(deploymentFiles.length * 2 + daemonSetFiles.length);
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
