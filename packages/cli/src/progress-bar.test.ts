import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => chunks.push(s), isTTY };
}

describe('createProgressBar', () => {
  it('draws nothing when the stream is not a terminal', () => {
    const s = stream(false);
    const bar = createProgressBar(s, { label: 'checking', total: 10, now: () => 0 });
    bar.update(5);
    bar.finish();
    expect(s.chunks).toEqual([]);
  });

  it('redraws in place at most every interval, always at the end, and ends the line', () => {
    const s = stream(true);
    let t = 0;
    const bar = createProgressBar(s, { label: 'checking', total: 4, now: () => t, width: 8 });
    t = 50;
    bar.update(1); // first draw
    t = 100;
    bar.update(2); // 50 ms later: skipped
    t = 200;
    bar.update(3); // 150 ms after the first draw: drawn
    t = 220;
    bar.update(4); // done: drawn whatever the interval
    bar.finish();
    bar.finish(); // idempotent
    expect(s.chunks).toHaveLength(5);
    // 1 of 4 after 50 ms: 20/s, 150 ms left (50 ms per item × 3).
    expect(s.chunks[0]).toBe('\r\x1b[Kchecking [##------] 1/4 20.0/s 0.1s 0.1s left');
    expect(s.chunks[1]).toContain('[######--] 3/4');
    expect(s.chunks[2]).toBe('\r\x1b[Kchecking [########] 4/4 18.2/s 0.2s');
    expect(s.chunks[4]).toBe('\n');
  });
});
