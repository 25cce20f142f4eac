import cliProgress from 'cli-progress';
import type { ProgressListener } from '../recover/result.js';

/** Logs and progress go to stderr; stdout is reserved for `--json` output. */
export interface Reporter {
  readonly onProgress: ProgressListener;
  log(message: string): void;
  stop(): void;
}

/**
 * Seconds between progress lines when stderr is not a terminal (a log file, CI, `nohup`): a
 * long run says how far it is without flooding the log.
 */
export const PROGRESS_LINE_SECONDS = 30;

/**
 * A progress bar when stderr is a terminal; otherwise log lines, and a progress line at most
 * every {@link PROGRESS_LINE_SECONDS}.
 */
export function makeReporter(
  quiet: boolean,
  now: () => number = () => performance.now(),
): Reporter {
  if (quiet) return { onProgress: () => {}, log: () => {}, stop: () => {} };
  if (!process.stderr.isTTY) {
    const write = (message: string): void => void process.stderr.write(`spanrec: ${message}\n`);
    let last = now(); // short runs print no progress line at all
    return {
      onProgress: (e) => {
        if (now() - last < PROGRESS_LINE_SECONDS * 1000) return;
        last = now();
        write(`${e.phase} ${e.done}/${e.total}${e.message ? ` | ${e.message}` : ''}`);
      },
      log: write,
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
