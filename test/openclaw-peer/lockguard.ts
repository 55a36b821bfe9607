// lockguard in the peer's containers: `lockguard sweep` as an initContainer would run it, and
// `lockguard -- openclaw gateway run` as a Dockerfile ENTRYPOINT would, PID 1 either way.
import { ENTRY } from '../helpers/run.js';
import { parseReport } from '../helpers/sweep-report.js';
import type { Report } from '../../src/report/types.js';
import { Container, NODE, openclawEnv, startGateway, type Volume } from './harness.js';

export type VolumeMode = 'auto' | 'shared' | 'exclusive';

/** `lockguard sweep --json` as PID 1 of a new container on the volume. */
export async function sweepInContainer(volume: Volume, hostname: string, mode: VolumeMode, extra: string[] = []): Promise<{ report: Report; container: Container }> {
  const container = new Container(hostname, [NODE, ENTRY, 'sweep', '--json', '--log-format', 'json', '--volume', mode, '--state-dir', volume.stateDir, ...extra], openclawEnv(volume));
  const exit = await container.exited;
  // stdout and stderr share container.output: the report is the one line that parses as a report.
  const line = container.output.split('\n').find((text) => text.startsWith('{"version"'));
  if (exit.code !== 0 && exit.code !== 1) throw new Error(`lockguard sweep exited ${exit.code ?? exit.signal}:\n${container.tail()}`);
  return { report: parseReport(line ?? '', { code: exit.code, stderr: container.output }), container };
}

/** The gateway under lockguard (auto), as `ENTRYPOINT ["lockguard", "--", ...]`. */
export function startGatewayUnderLockguard(volume: Volume, hostname: string, port: number, options: string[] = []): Container {
  return startGateway(volume, hostname, port, [NODE, ENTRY, '--log-format', 'json', '--log-level', 'debug', '--state-dir', volume.stateDir, ...options, '--']);
}

export interface LogLine {
  msg: string;
  path?: string;
  kind?: string;
  reasons?: string[];
  [key: string]: unknown;
}

/** lockguard's JSON log lines among the container's output. */
export function lockguardLog(container: Container): LogLine[] {
  return container.output.split('\n').flatMap((text) => {
    if (!text.startsWith('{') || !text.includes('"msg"')) return [];
    try {
      return [JSON.parse(text) as LogLine];
    } catch {
      return [];
    }
  });
}

export function reclaimedPaths(container: Container): string[] {
  return lockguardLog(container)
    .filter((line) => line.msg === 'reclaimed lock')
    .map((line) => line.path ?? '');
}
