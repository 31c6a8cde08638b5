import type { CliStream } from './cli-io.js';

/** A progress bar for one long step. */
export interface ProgressBar {
  /** Reports `done` of the total units finished. */
  update(done: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** What is being done, e.g. `decoding`. */
  readonly label: string;
  /** Units in all (images, rows). */
  readonly total: number;
  /** Clock in milliseconds. */
  readonly now: () => number;
  /** Least time between two redraws. @defaultValue 100 */
  readonly intervalMs?: number;
  /** Bar width in characters. @defaultValue 30 */
  readonly width?: number;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60
    ? `${s.toFixed(1)}s`
    : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/**
 * A progress bar on `stream` (stderr), redrawn in place with a carriage return at most every
 * `intervalMs`, with the count, the rate and the time left. When the stream is not a terminal (a pipe, a
 * log file, CI) it draws nothing: bars would fill logs with carriage returns.
 */
export function createProgressBar(stream: CliStream, options: ProgressBarOptions): ProgressBar {
  const { label, total, now, intervalMs = 100, width = 30 } = options;
  if (!stream.isTTY) return { update() {}, finish() {} };
  const start = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let current = 0;
  let finished = false;
  const draw = () => {
    const fraction = total > 0 ? Math.min(1, current / total) : 1;
    const filled = Math.round(fraction * width);
    const elapsed = now() - start;
    const left =
      current > 0 && current < total ? ` ${formatSeconds((elapsed / current) * (total - current))} left` : '';
    const rate = elapsed > 0 ? ` ${((current / elapsed) * 1000).toFixed(1)}/s` : '';
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${current}/${total}${rate} ${formatSeconds(elapsed)}${left}`;
    stream.write(`\r\x1b[K${line}`);
  };
  return {
    update(done) {
      if (finished) return;
      current = done;
      const t = now();
      if (t - lastDraw >= intervalMs || done >= total) {
        lastDraw = t;
        draw();
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      draw();
      stream.write('\n');
    },
  };
}
