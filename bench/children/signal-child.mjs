// The supervised child of the signal-latency bench. Each SIGUSR2 is answered with the
// moment its handler ran, on the shared monotonic clock (CLOCK_MONOTONIC, the same in
// every process), so the bench can subtract the moment it sent the signal.
process.on('SIGUSR2', () => {
  process.stdout.write(`${process.hrtime.bigint()}\n`);
});
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
process.stdout.write('ready\n');
