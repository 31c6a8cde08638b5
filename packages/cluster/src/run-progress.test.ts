import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration, formatRunProgress, type RunProgress } from './run-progress.js';

const progress = (overrides: Partial<RunProgress> = {}): RunProgress => ({
  runId: 'run-7',
  kind: 'predict',
  shards: { total: 50, completed: 12, failed: 1, active: 3, waiting: 34 },
  items: { total: 10_000, done: 2_400, failed: 200, quarantined: 3 },
  itemsPerSecond: 3210.4,
  etaSeconds: 72,
  retried: 2,
  stalled: 1,
  elapsedSeconds: 40,
  active: [],
  ...overrides,
});

describe('formatRunProgress', () => {
  it('shows shards done / total, a bar of items finished, items/s, ETA, failed, retried and quarantined', () => {
    // (2400 done + 200 failed) / 10000 = 26 %: round(0.26 × 24) = 6 of 24 characters filled.
    expect(formatRunProgress(progress())).toBe(
      'predict run-7  shards 12/50  [######..................] 26%  3210 items/s  ETA 1m12s  failed 1  retried 2  quarantined 3',
    );
    expect(
      formatRunProgress(
        progress({
          shards: { total: 4, completed: 0, failed: 0, active: 0, waiting: 4 },
          items: { total: 40, done: 0, failed: 0, quarantined: 0 },
          itemsPerSecond: 0,
          etaSeconds: undefined,
          retried: 0,
        }),
        { width: 4 },
      ),
    ).toBe('predict run-7  shards 0/4  [....] 0%  0.0 items/s  ETA ?');
  });

  it('formats durations as seconds, minutes and hours', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3600 + 7 * 60 + 30)).toBe('1h07m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
    expect(formatDuration(-1)).toBe('?');
  });
});

describe('createProgressBar', () => {
  it('redraws in place at most once per interval and ends the line once', () => {
    const written: string[] = [];
    let now = 0;
    const bar = createProgressBar({ write: (text) => written.push(text) }, 200, () => now);
    bar.update(progress());
    now = 100;
    bar.update(progress({ retried: 5 })); // throttled
    now = 250;
    bar.update(progress({ retried: 6 }));
    bar.finish(progress({ retried: 7 }));
    expect(written).toHaveLength(4);
    expect(written[0]!.startsWith('\r')).toBe(true);
    expect(written[0]!.endsWith('\u001b[K')).toBe(true);
    expect(written[0]).toContain('retried 2');
    expect(written[1]).toContain('retried 6');
    expect(written[2]).toContain('retried 7');
    expect(written[3]).toBe('\n');
    const silent: string[] = [];
    createProgressBar({ write: (text) => silent.push(text) }).finish(undefined);
    expect(silent).toEqual([]);
  });
});
