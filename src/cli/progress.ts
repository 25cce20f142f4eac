import cliProgress from 'cli-progress';
import type { ProgressListener } from '../recover/result.js';

/** Logs and progress go to stderr; stdout is reserved for `--json` output. */
export interface Reporter {
  readonly onProgress: ProgressListener;
  log(message: string): void;
  stop(): void;
}

/** A progress bar when stderr is a terminal, otherwise nothing but log lines. */
export function makeReporter(quiet: boolean): Reporter {
  if (quiet) return { onProgress: () => {}, log: () => {}, stop: () => {} };
  if (!process.stderr.isTTY) {
    return {
      onProgress: () => {},
      log: (message) => process.stderr.write(`spanrec: ${message}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {value}/{total} points | {message}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (e) => {
      const payload = { phase: e.phase, message: e.message ?? '' };
      if (!started) {
        bar.start(e.total, e.done, payload);
        started = true;
      } else {
        bar.setTotal(e.total);
        bar.update(e.done, payload);
      }
    },
    log: (message) => {
      if (started) bar.stop();
      started = false;
      process.stderr.write(`spanrec: ${message}\n`);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
