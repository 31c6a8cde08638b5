import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { Learner } from './learner.js';
import { progressBar } from './progress-bar.js';
import { expectInvalid, learnableData, tinyMlp } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

function fit(bar: ReturnType<typeof progressBar>) {
  const { images, labels } = learnableData(40, 4, 3, 8);
  const data = arrayBatches(images, labels, [4], { batchSize: 4 });
  const learner = new Learner({ model: tinyMlp(), train: data, valid: data });
  return learner.fit(2, { callbacks: [bar] }).finally(() => learner.model.dispose());
}

describe('progressBar', () => {
  it('draws a throttled bar with loss, metric and throughput, then one summary line per epoch', async () => {
    const writes: string[] = [];
    let clock = 0;
    const bar = progressBar({
      stream: { isTTY: true, write: (t) => void writes.push(t) },
      throttleMs: 100,
      now: () => (clock += 30),
    });
    expect(bar.active).toBe(true);
    await fit(bar);
    const draws = writes.filter((w) => !w.endsWith('\n'));
    const summaries = writes.filter((w) => w.endsWith('\n'));
    expect(summaries).toHaveLength(2);
    // Per epoch of 10 batches, clock at 60, 90, …, 330 ms: draws at batches 1, 5, 9 (≥ 100 ms apart) and
    // at the last batch, which always draws.
    expect(draws).toHaveLength(8);
    expect(draws.at(-1)).toMatch(
      /^\repoch 2\/2 \[={24}\] 10\/10 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}\d+ img\/s/,
    );
    expect(summaries[0]).toMatch(
      /epoch 1\/2 {2}loss .* {2}valid_loss .* {2}valid_accuracy .* img\/s {2}\d+\.\ds\n$/,
    );
  });

  it('is silent when the stream is not a TTY or when quiet', async () => {
    const writes: string[] = [];
    const notTty = progressBar({ stream: { isTTY: false, write: (t) => void writes.push(t) } });
    const quiet = progressBar({ quiet: true, stream: { isTTY: true, write: (t) => void writes.push(t) } });
    expect(notTty.active).toBe(false);
    expect(quiet.active).toBe(false);
    await fit(notTty);
    await fit(quiet);
    expect(writes).toEqual([]);
  });

  it('rejects bad options', () => {
    expectInvalid(() => progressBar({ throttleMs: -1 }), 'progressBar', 'throttleMs');
    expectInvalid(() => progressBar({ width: 0 }), 'progressBar', 'width');
  });
});
