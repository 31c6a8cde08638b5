/** A shard being worked on right now. */
export interface ActiveShard {
  readonly shard: number;
  /** The worker's name (`host:pid` by default). */
  readonly worker: string | undefined;
  /** Items done out of the shard's items, as last reported by the worker. */
  readonly done: number;
  readonly total: number;
  /** 1 on the first try. */
  readonly attempt: number;
}

/** Where a sharded run stands, as {@link runShardedJob} reports it after each poll. */
export interface RunProgress {
  readonly runId: string;
  readonly kind: string;
  readonly shards: {
    readonly total: number;
    readonly completed: number;
    readonly failed: number;
    readonly active: number;
    /** Waiting, or delayed before a retry. */
    readonly waiting: number;
  };
  readonly items: {
    readonly total: number;
    /** Items of completed shards plus those reported done by running ones. */
    readonly done: number;
    /** Items of failed shards. */
    readonly failed: number;
    /** Items quarantined by completed shards. */
    readonly quarantined: number;
  };
  /** Items per second over the last 10 seconds of this coordinator's life (0 before any progress). */
  readonly itemsPerSecond: number;
  /** Seconds left at the current rate; `undefined` while no rate is known. */
  readonly etaSeconds: number | undefined;
  /** Job restarts: retries after a failure and jobs taken back from dead (stalled) workers. */
  readonly retried: number;
  /** Jobs taken back from dead workers. */
  readonly stalled: number;
  readonly elapsedSeconds: number;
  readonly active: readonly ActiveShard[];
}

/** A duration as `42s`, `3m05s` or `2h07m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Options of {@link formatRunProgress}. */
export interface FormatRunProgressOptions {
  /** Characters of the bar. @defaultValue 24 */
  readonly width?: number;
}

/**
 * One line describing a run: shards done out of total, a bar of items done, items/s, ETA, failed and
 * retried shards, e.g. `predict run-7 shards 12/50 [######..................] 24% 3210 items/s ETA 1m12s
 * failed 1 retried 2`.
 */
export function formatRunProgress(progress: RunProgress, options: FormatRunProgressOptions = {}): string {
  const { width = 24 } = options;
  const { shards, items } = progress;
  const fraction = items.total > 0 ? Math.min(1, (items.done + items.failed) / items.total) : 1;
  const filled = Math.round(fraction * width);
  const parts = [
    `${progress.kind} ${progress.runId}`,
    `shards ${shards.completed}/${shards.total}`,
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}%`,
    `${progress.itemsPerSecond >= 100 ? Math.round(progress.itemsPerSecond) : progress.itemsPerSecond.toFixed(1)} items/s`,
    `ETA ${progress.etaSeconds === undefined ? '?' : formatDuration(progress.etaSeconds)}`,
  ];
  if (shards.failed > 0) parts.push(`failed ${shards.failed}`);
  if (progress.retried > 0) parts.push(`retried ${progress.retried}`);
  if (items.quarantined > 0) parts.push(`quarantined ${items.quarantined}`);
  return parts.join('  ');
}

/** What a progress bar writes to: `process.stderr` or a test double. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** A one-line progress display that redraws itself in place, at most every `intervalMs`. */
export interface ProgressBar {
  update(progress: RunProgress): void;
  /** Draws the final state and ends the line. */
  finish(progress: RunProgress | undefined): void;
}

/**
 * A progress bar on a terminal stream: the line is redrawn with a carriage return and an erase-line
 * sequence, throttled so that a fast poll does not flood a slow terminal.
 */
export function createProgressBar(
  stream: ProgressStream,
  intervalMs = 200,
  now: () => number = () => performance.now(),
): ProgressBar {
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const draw = (progress: RunProgress) => {
    stream.write(`\r${formatRunProgress(progress)}\u001b[K`);
    drawn = true;
    last = now();
  };
  return {
    update(progress) {
      if (now() - last >= intervalMs) draw(progress);
    },
    finish(progress) {
      if (progress) draw(progress);
      if (drawn) stream.write('\n');
    },
  };
}
