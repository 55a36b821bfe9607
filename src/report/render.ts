// The report for a person: the namespace model, then one row per lock.
import type { HostViewFacts } from '../model/types.js';
import { hostViewOffFor } from '../volume/filesystem.js';
import type { LockEntry, Report, VolumeEntry } from './types.js';

export function renderReport(report: Report): string {
  const ns = report.namespace;
  const pid1 = ns.pid1 ? `${ns.pid1.comm} [${ns.pid1.argv.join(' ')}] starttime ${ns.pid1.starttime}${ns.pid1.isSelf ? ' (lockguard)' : ns.pid1.isPauseOrInit ? ' (init/pause: shared namespace)' : ''}` : 'not visible';
  const lines = [
    'PID namespace',
    `  pidNs      ${ns.pidNs.link}${ns.pidNs.id ? ` id ${ns.pidNs.id}` : ''}${ns.hostNs ? ' (host namespace)' : ''}`,
    `  host view  ${hostViewLine(ns.hostView)}`,
    `  self       pid ${ns.selfPid} (parent ${ns.parentPid}), phase ${ns.phase}`,
    `  pid 1      ${pid1}`,
    `  bornAt     ${ns.bornAt}`,
    `  boot       ${ns.bootId}, booted ${new Date(ns.bootMs).toISOString()} (btime ${ns.btime}), ${ns.clockTicks} ticks/s`,
    '',
    'Volumes',
    ...report.volumes.map((v) => volumeLine(v, ns.hostView)),
    ...(report.volumes.length === 0 ? ['  (no state dir found)'] : []),
    '',
    `Locks (${report.locks.length})`,
    ...table(report.locks),
    '',
    summaryLine(report),
  ];
  for (const problem of report.problems ?? []) lines.push(`error: ${problem.path}: ${problem.message}`);
  return lines.join('\n') + '\n';
}

function hostViewLine(hostView: HostViewFacts): string {
  if (!hostView.on) return `off: ${hostView.off}`;
  const index = hostView.index;
  return `every namespace on this machine${index ? ` (${index.processes} processes indexed${index.unreadable ? `, ${index.unreadable} unreadable` : ''})` : ''}`;
}

/** The volume's mode and filesystem; where the host view is on but not for this volume, why not. */
function volumeLine(volume: VolumeEntry, hostView: HostViewFacts): string {
  const off = hostView.on ? hostViewOffFor(volume.filesystem) : undefined;
  return `  ${volume.stateDir}: ${volume.mode} (${volume.basis}), ${volume.filesystem.type}${off ? `; host view off: ${off}` : ''}`;
}

function table(locks: LockEntry[]): string[] {
  if (locks.length === 0) return ['  (none)'];
  const rows = locks.map((lock) => [
    lock.verdict,
    lock.action,
    lock.reasons.join(','),
    lock.owner.pid === undefined ? '-' : String(lock.owner.pid),
    lock.ageMs === undefined ? '-' : formatAge(lock.ageMs),
    lock.kind,
    lock.path + (lock.error ? `  (${lock.error})` : ''),
  ]);
  const header = ['VERDICT', 'ACTION', 'REASONS', 'PID', 'AGE', 'KIND', 'PATH'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) => '  ' + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [format(header), ...rows.map(format)];
}

export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

function summaryLine(report: Report): string {
  const s = report.summary;
  return `${s.locks} locks: ${s.live} live, ${s.stale} stale, ${s.unknown} unknown; ${s.reclaimed} reclaimed, ${s.errors} errors (${s.durationMs} ms)${report.interrupted ? `; interrupted by ${report.interrupted}` : ''}`;
}
