// Hands a parsed command line to its mode and turns every failure into one line and an exit code.
import type { Logger } from 'pino';
import { createLogger } from '../log/logger.js';
import { ModelError } from '../model/namespace.js';
import { jsonReportWriter } from '../report/json.js';
import { renderReport } from '../report/render.js';
import type { LockEntry } from '../report/types.js';
import { takeEarlySignals } from '../run/early-signals.js';
import { sweep } from '../sweep/sweep.js';
import { EXIT, signalExitCode } from './exit-codes.js';
import { helpText } from './help.js';
import { parseConfig, UsageError, type Config } from './options.js';

declare const LOCKGUARD_VERSION: string;

export async function main(argv: string[]): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lockguard: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (config.mode === 'help') {
    process.stdout.write(helpText());
    return EXIT.ok;
  }
  if (config.mode === 'version') {
    process.stdout.write(`lockguard ${typeof LOCKGUARD_VERSION === 'string' ? LOCKGUARD_VERSION : 'dev'}\n`);
    return EXIT.ok;
  }
  const logger = createLogger(config);
  try {
    if (config.mode === 'run') {
      const { runSupervised } = await import('../run/run.js');
      return await runSupervised(config, logger);
    }
    return await sweepOrInspect(config, config.mode, logger);
  } catch (error) {
    return fail(error, logger);
  }
}

async function sweepOrInspect(config: Config, mode: 'sweep' | 'inspect', logger: Logger): Promise<number> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => controller.abort(signal);
  process.once('SIGTERM', stop).once('SIGINT', stop);
  const early = takeEarlySignals()[0];
  if (early) stop(early);
  // --json writes each lock as it is judged; inspect's table needs them all.
  const json = config.json ? jsonReportWriter({ version: 1, mode, dryRun: config.dryRun }) : undefined;
  const locks = json ? (entry: LockEntry) => json.lock(entry) : mode === 'inspect' ? 'list' : 'count';
  const { report } = await sweep(config, { mode, signal: controller.signal, locks }, logger);
  if (json) json.end(report);
  else if (mode === 'inspect') process.stdout.write(renderReport(report));
  if (report.interrupted) return signalExitCode(report.interrupted as NodeJS.Signals);
  return report.summary.errors > 0 ? EXIT.someFailed : EXIT.ok;
}

/** One line for the user; the stack only at debug level. */
function fail(error: unknown, logger: Logger): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ModelError) process.stderr.write(`lockguard: ${message}\n`);
  else process.stderr.write(`lockguard: unexpected error: ${message}\n`);
  logger.debug({ err: error }, 'failure details');
  return EXIT.someFailed;
}
