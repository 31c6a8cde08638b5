import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback, CallbackState } from './callback.js';
import { checkpoint } from './checkpoint.js';
import { earlyStopping } from './early-stopping.js';
import { csvHistory, jsonlHistory } from './history-logger.js';
import { Learner } from './learner.js';
import { modelEma } from './model-ema.js';
import { progressBar } from './progress-bar.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { terminateOnNaN } from './terminate-on-nan.js';
import { learnableData, tinyCnn } from './test-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'topk-callbacks-'));
beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Every built-in callback, made the same way twice: one sees a fit, the other gets its state.
const factories: Record<string, () => Callback> = {
  earlyStopping: () => earlyStopping({ patience: 10 }),
  checkpoint: () => checkpoint({ dir: join(work, 'checkpoints'), everySteps: 2 }),
  reduceLROnPlateau: () => reduceLROnPlateau({ patience: 0 }),
  csvHistory: () => csvHistory(join(work, 'history.csv')),
  jsonlHistory: () => jsonlHistory(join(work, 'history.jsonl')),
  progressBar: () => progressBar({ quiet: true }),
  terminateOnNaN: () => terminateOnNaN(),
  modelEma: () => modelEma({ decay: 0.5 }),
};

/** A state as it comes back from a checkpoint: the JSON through JSON text, the arrays copied. */
function throughCheckpoint(state: CallbackState): CallbackState {
  const arrays = Object.fromEntries(Object.entries(state.arrays ?? {}).map(([k, v]) => [k, v.slice()]));
  return { json: JSON.parse(JSON.stringify(state.json ?? null)), arrays };
}

describe('built-in callbacks', () => {
  const used = Object.fromEntries(Object.entries(factories).map(([k, make]) => [k, make()]));
  const states: Record<string, CallbackState> = {};

  beforeAll(async () => {
    const { images, labels } = learnableData(16, 16, 3, 16);
    const data = arrayBatches(images, labels, [4, 4, 1], { batchSize: 8 });
    const learner = new Learner({ model: tinyCnn(), train: data, valid: data });
    // States are read at the last epoch's end, while the EMA still holds its weights.
    const grab: Callback = {
      name: 'grab',
      order: 1000,
      onEpochEnd: ({ epoch }) => {
        if (epoch !== 2) return;
        for (const [name, callback] of Object.entries(used)) {
          const state = callback.getState?.();
          if (state !== undefined) states[name] = state;
        }
      },
    };
    await learner.fit(3, { callbacks: [...Object.values(used), grab] });
    learner.model.dispose();
  });

  it.for(Object.keys(factories))('%s has a unique name, a numeric order and at least one event', (name) => {
    const callback = used[name]!;
    expect(callback.name).toBe(name);
    expect(Number.isFinite(callback.order ?? 0)).toBe(true);
    const events = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
    expect(events.some((e) => typeof callback[e] === 'function')).toBe(true);
  });

  it.for(Object.keys(factories))('%s round-trips its checkpoint state (when it has one)', (name) => {
    const state = states[name];
    if (used[name]!.getState === undefined) {
      expect(state).toBeUndefined();
      return;
    }
    expect(state).toBeDefined();
    const fresh = factories[name]!();
    fresh.setState!(throughCheckpoint(state!));
    expect(throughCheckpoint(fresh.getState!())).toEqual(throughCheckpoint(state!));
  });
});
