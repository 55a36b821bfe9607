// Progress goes to stderr so that stdout carries only the final table.
const started = performance.now();

export function progress(message) {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}

export function elapsedSeconds() {
  return (performance.now() - started) / 1000;
}
