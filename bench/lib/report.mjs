// Rows (what was measured) and checks (ratios and targets), and the table printed from
// them. A row or check whose subject did not run carries `missing` with the reason.
import { ratio, round, summarize } from './stats.mjs';

/** A measured row: min/median/max over the kept samples of one subject. */
export function makeRow(result, { group, subject, metric, unit, pick }) {
  const failures = result.failures ?? [];
  const failed = failures.length ? `${failures.length} run(s) failed: ${failures[0]}` : undefined;
  const base = { group, subject: subject ?? result.name, metric, unit, ...(failed ? { failed } : {}) };
  if (result.missing) return { ...base, missing: result.missing };
  const values = result.samples.map(pick).filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return { ...base, missing: failed ?? 'no samples' };
  return { ...base, ...summarize(values) };
}

/** A ratio of two rows, median over median, checked against `max` when given. */
export function ratioCheck(name, numerator, denominator, max) {
  const missing = numerator.missing ?? denominator.missing;
  if (missing) return { name, unit: '×', max, status: 'missing', missing };
  const value = ratio(numerator, denominator);
  const failed = numerator.failed ?? denominator.failed;
  return { name, value, unit: '×', max, status: statusOf(value, max), ...(failed ? { failed } : {}) };
}

/** An absolute figure checked against a limit (e.g. p99 ≤ 5 ms). */
export function limitCheck(name, value, unit, max, missing) {
  if (missing) return { name, unit, max, status: 'missing', missing };
  return { name, value, unit, max, status: statusOf(value, max) };
}

function statusOf(value, max) {
  if (max === undefined) return 'info';
  return value <= max ? 'MET' : 'MISSED';
}

export function formatTable(workloads) {
  const lines = [];
  for (const w of workloads) {
    lines.push('', `## ${w.title}`);
    if (w.missing) lines.push(`  MISSING: ${w.missing}`);
    lines.push(...formatRows(w.rows ?? []));
    for (const r of (w.rows ?? []).filter((row) => row.failed && !row.missing)) lines.push(`  FAILED RUNS: ${r.subject}, ${r.metric}: ${r.failed}`);
    lines.push(...formatChecks(w.checks ?? []));
    for (const note of w.notes ?? []) lines.push(`  note: ${note}`);
  }
  return lines.join('\n');
}

function formatRows(rows) {
  if (rows.length === 0) return [];
  const header = ['group', 'subject', 'metric', 'n', 'min', 'median', 'max'];
  const body = rows.map((r) => [
    r.group ?? '',
    r.failed && !r.missing ? `${r.subject} (!)` : r.subject,
    `${r.metric} (${r.unit})`,
    ...(r.missing ? ['', missingCell(r.missing), '', ''] : [String(r.n), fmt(r.min), fmt(r.median), fmt(r.max)]),
  ]);
  return grid(header, body);
}

function formatChecks(checks) {
  if (checks.length === 0) return [];
  const header = ['ratio / figure (median over median)', 'value', 'target', 'status'];
  const body = checks.map((c) => [
    c.name,
    c.missing ? missingCell(c.missing) : `${c.capped ? '> ' : ''}${fmt(c.value)}${c.unit === '×' ? '×' : ` ${c.unit}`}`,
    c.max === undefined ? '' : `≤ ${c.max}${c.unit === '×' ? '×' : ` ${c.unit}`}`,
    c.failed ? `${c.status} (some runs failed, see above)` : c.status,
  ]);
  return ['', ...grid(header, body)];
}

// Long "missing" reasons run past the grid instead of stretching every column.
function grid(header, body) {
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...body.map((r) => (r[i].startsWith('MISSING') ? 0 : r[i].length)))));
  const line = (cells) => '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

// The full reason is in results.json; the table keeps one readable line.
function missingCell(reason) {
  return `MISSING: ${reason.length > 90 ? `${reason.slice(0, 87)}...` : reason}`;
}

function fmt(value) {
  if (value === undefined) return '';
  const abs = Math.abs(value);
  return String(round(value, abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3));
}
