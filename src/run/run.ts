// Run mode (docs/design.md, "The supervisor"), in the order it happens: resolve the command, trap signals,
// sweep, start the child, forward signals and reap orphans until it exits, stop what it
// left running, sweep the locks it left, and exit as it did.
import type { Logger } from 'pino';
import { EXIT, signalExitCode } from '../cli/exit-codes.js';
import type { Config } from '../cli/options.js';
import type { NamespaceModel } from '../model/types.js';
import { sweep, type SweepOptions, type SweepResult } from '../sweep/sweep.js';
import { execCommand, execSupported, execUnsupportedMessage } from './exec.js';
import { armKillAfter } from './kill-after.js';
import { LEFTOVER_GRACE_MS, stopLeftovers } from './leftovers.js';
import { becomeSubreaper, startReaper } from './reaper.js';
import { resolveCommand } from './resolve.js';
import { rewritten } from './rewrite.js';
import { takeEarlySignals } from './early-signals.js';
import { FORWARDED, sendSignal, trapSignals, type ForwardedSignal } from './signals.js';
import { exitCodeOf, startChild, type Child } from './spawn.js';
import { monotonicMs } from '../model/time.js';

export async function runSupervised(config: Config, logger: Logger): Promise<number> {
  if (config.exec && !execSupported()) {
    logger.error(execUnsupportedMessage());
    return EXIT.usage;
  }
  const resolved = resolveCommand(config.command[0]!, process.env.PATH);
  if (!resolved.ok) {
    logger.error(resolved.message);
    return resolved.exitCode;
  }
  if (config.subreaper) becomeSubreaper(logger);

  // Installed before the sweep: as PID 1, a TERM with no listener would be lost, and
  // one during the sweep must stop it. Until the child exists, a signal whose default
  // action ends a process ends lockguard instead, as 128+N; the others are dropped.
  const beforeStart = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  let onSignal = (signal: ForwardedSignal) => {
    if (!signal.terminates) {
      logger.debug({ signal: signal.name }, 'signal before the command started: nothing to forward it to');
      return;
    }
    stoppedBy ??= signal.name;
    beforeStart.abort(signal.name);
  };
  const trap = trapSignals((signal) => onSignal(signal));
  for (const name of takeEarlySignals()) onSignal(FORWARDED.find((signal) => signal.name === name)!);
  let swept: SweepResult | undefined;
  try {
    swept = await sweepSafely(config, { mode: 'run', signal: beforeStart.signal, keepPresence: true }, logger);
    if (stoppedBy) {
      logger.info({ signal: stoppedBy }, `${stoppedBy} arrived before the command started: stopped the sweep, not starting the command`);
      return signalExitCode(stoppedBy);
    }
    const errors = swept ? swept.report.summary.errors : 1;
    if (config.strict && errors > 0) {
      logger.error({ errors }, `--strict: the sweep had ${errors} error(s), so the command was not started. Fix them (see above), or drop --strict.`);
      return EXIT.someFailed;
    }
    if (config.exec) {
      const failure = execCommand(resolved.path, config.command);
      logger.error(failure.message);
      return failure.exitCode;
    }

    const child = startChild(resolved.path, config.command, config.signalTarget === 'group');
    if (child instanceof Promise) {
      const failure = await child;
      logger.error(failure.message);
      return failure.exitCode;
    }
    const { target } = child;
    logger.info({ childPid: target.pid, signalTarget: config.signalTarget, command: config.command }, 'started the command');
    const killAfter = armKillAfter(config.killAfterMs, target, logger);
    let termForwarded = false;
    onSignal = (signal) => {
      const sent = rewritten(config.rewrites, signal.name);
      if (sent === 'drop') {
        logger.debug({ signal: signal.name }, 'dropping signal (--rewrite)');
      } else {
        logger.debug({ signal: signal.name, ...(sent === signal.name ? {} : { sent }), childPid: target.pid, group: target.group }, 'forwarding signal');
        sendSignal(target, sent, logger);
        termForwarded ||= sent === 'SIGTERM';
      }
      killAfter.received(signal.name);
    };
    const reaper = startReaper(target.pid, logger);
    const exit = await child.exited;
    const killAt = killAfter.cancel();
    onSignal = (signal) => logger.debug({ signal: signal.name }, 'the command has exited: not forwarding');
    logger.info({ childPid: target.pid, ...exit }, 'the command exited');
    // A --kill-after clock already running keeps its deadline: it is the orchestrator's.
    const deadline = killAt ?? monotonicMs() + (config.killAfterMs ?? LEFTOVER_GRACE_MS);
    await stopLeftovers({ group: target.group ? target.pid : undefined, groupHadTerm: termForwarded, deadline, reap: reaper.reapNow }, logger);
    await sweepAfterExit(config, child, swept?.report.namespace, logger);
    reaper.stop();
    return exitCodeOf(exit);
  } finally {
    trap.release();
    swept?.presence.release();
  }
}

/**
 * The sweep serves the workload and must not take it down: an unexpected failure is
 * logged in one line and counts as a sweep error (so --strict still refuses to start),
 * and the post-exit sweep can never replace the command's exit code.
 */
async function sweepSafely(config: Config, options: SweepOptions, logger: Logger): Promise<SweepResult | undefined> {
  try {
    return await sweep(config, options, logger);
  } catch (error) {
    logger.error(`the sweep stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}. Locks it had not reached are left for the next sweep; please report this.`);
    logger.debug({ err: error }, 'sweep failure details');
    return undefined;
  }
}

/** A gateway killed by SIGKILL or the OOM killer leaves its locks: its pid and starttime now prove them dead. */
async function sweepAfterExit(config: Config, child: Child, model: NamespaceModel | undefined, logger: Logger): Promise<void> {
  if (child.starttime === undefined) {
    logger.warn({ childPid: child.target.pid }, 'could not read the command\'s starttime from /proc, so its leftover locks are left for the next sweep');
    return;
  }
  await sweepSafely(config, { mode: 'run', onlyOwner: { pid: child.target.pid, starttime: child.starttime }, ...(model ? { model } : {}) }, logger);
}
