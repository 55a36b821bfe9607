// Small, dependency-free statistics. Every figure in the report goes through here,
// so the rounding and the "median over median" rule live in one place.

export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values, p) {
  const s = sorted(values);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function median(values) {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** min / median / max of the measured samples (warm-up runs are never passed in). */
export function summarize(values) {
  if (values.length === 0) return undefined;
  const s = sorted(values);
  return { n: s.length, min: s[0], median: median(s), max: s[s.length - 1] };
}

/** Ratio of two summaries, median over median; undefined when either side is missing. */
export function ratio(a, b) {
  if (!a || !b || !b.median) return undefined;
  return a.median / b.median;
}

export function round(value, digits = 2) {
  if (value === undefined || value === null || Number.isNaN(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
