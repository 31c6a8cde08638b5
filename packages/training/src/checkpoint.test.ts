import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adamW } from './adam-w.js';
import { arrayBatches } from './array-batches.js';
import { checkpoint } from './checkpoint.js';
import {
  CheckpointError,
  type CheckpointMeta,
  readCheckpoint,
  saveCheckpoint,
  writeFileAtomic,
} from './checkpoint-io.js';
import { defaultLayerGroups, setTrainableGroups } from './layer-groups.js';
import { Learner } from './learner.js';
import { expectInvalid, expectInvalidAsync, learnableData, tinyCnn, weightsOf } from './test-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'topk-checkpoint-'));

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function makeLearner(seed = 1) {
  const { images, labels } = learnableData(32, 16, 3, 3);
  return new Learner({
    model: tinyCnn({ seed }),
    train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 8, shuffle: true, seed: 3 }),
    valid: arrayBatches(images, labels, [4, 4, 1], { batchSize: 32 }),
    optimizer: adamW({ learningRate: 0.01 }),
  });
}

describe('saveCheckpoint and readCheckpoint', () => {
  it('round-trip weights, batch-norm statistics and optimizer state into another learner', async () => {
    const dir = join(work, 'round-trip');
    const source = makeLearner(1);
    await source.fit(2);
    const path = await saveCheckpoint(source, dir);
    expect(path).toBe(join(dir, 'last.json'));
    const target = makeLearner(2);
    expect(weightsOf(target.model)).not.toEqual(weightsOf(source.model));
    target.importState(await readCheckpoint(dir));
    expect(weightsOf(target.model)).toEqual(weightsOf(source.model));
    expect(target.optimizer.step).toBe(source.optimizer.step);
    // Both continue identically: the optimizer's moments came across too.
    await source.fit(1);
    await target.fit(1);
    expect(weightsOf(target.model)).toEqual(weightsOf(source.model));
    source.model.dispose();
    target.model.dispose();
  });

  it('continues a finished fit from its end: fit(2), save, resume to 3 epochs equals fit(3)', async () => {
    const dir = join(work, 'extend');
    const first = makeLearner(1);
    await first.fit(2);
    await saveCheckpoint(first, dir);
    const resumed = makeLearner(1);
    const result = await resumed.fit(3, { resumeFrom: dir });
    expect(result.history).toHaveLength(3);
    expect(result.steps).toBe(12);
    const straight = makeLearner(1);
    await straight.fit(3);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(straight.model));
    for (const l of [first, resumed, straight]) l.model.dispose();
  });

  it('keys variables by layer order, so a checkpoint saved with frozen layers loads into an unfrozen model', async () => {
    const dir = join(work, 'frozen');
    const source = makeLearner(1);
    // Freezing moves the convolution's weights to the end of model.weights; checkpoints must not care.
    setTrainableGroups(defaultLayerGroups(source.model), 1, { trainBatchNorm: false });
    await source.fit(1);
    await saveCheckpoint(source, dir);
    const target = makeLearner(2);
    target.importState(await readCheckpoint(dir));
    expect(weightsOf(target.model)).toEqual(weightsOf(source.model));
    source.model.dispose();
    target.model.dispose();
  });

  it('writes atomically: a fresh binary, then the JSON that names it; nothing temporary is left', async () => {
    const dir = join(work, 'atomic');
    const learner = makeLearner();
    await saveCheckpoint(learner, dir);
    const first = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as CheckpointMeta;
    await learner.fit(1);
    await saveCheckpoint(learner, dir);
    const second = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as CheckpointMeta;
    expect(second.binary).not.toBe(first.binary);
    expect(readdirSync(dir).sort()).toEqual([second.binary, 'last.json'].sort());
    // 6 model weights of 4×4 kernels etc., then AdamW's m, v, t for the 6 trainable ones.
    expect(second.arrays.filter((a) => a.name.startsWith('model/'))).toHaveLength(8);
    expect(second.arrays.filter((a) => a.name.startsWith('optimizer/'))).toHaveLength(18);
    expect(second.byteLength).toBe(second.arrays.reduce((s, a) => s + a.length, 0) * 4);
    learner.model.dispose();
  });

  it('reports missing and torn checkpoints', async () => {
    await expect(readCheckpoint(join(work, 'nothing-here'))).rejects.toThrow(CheckpointError);
    await expect(readCheckpoint(join(work, 'nothing-here'))).rejects.toThrow(/not found/);
    const dir = join(work, 'torn');
    const learner = makeLearner();
    await saveCheckpoint(learner, dir);
    const meta = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as CheckpointMeta;
    writeFileSync(join(dir, meta.binary), new Uint8Array(8));
    await expect(readCheckpoint(dir)).rejects.toThrow(/has 8 bytes/);
    // A checkpoint of another architecture does not load.
    const other = new Learner({ model: tinyCnn({ filters: 2 }), train: learner.train });
    await saveCheckpoint(other, join(work, 'other'));
    expectInvalid(
      () => learner.importState({ json: { ...meta.learner, version: 2 as 1 }, arrays: {} }),
      'Learner.importState',
      'state.json.version',
    );
    const otherState = await readCheckpoint(join(work, 'other'));
    expectInvalid(() => learner.importState(otherState), 'Learner.importState', 'state variable 0');
    await expectInvalidAsync(() => saveCheckpoint(learner, dir, '../escape'), 'saveCheckpoint', 'name');
    learner.model.dispose();
    other.model.dispose();
  });

  it('writeFileAtomic replaces a file whole', async () => {
    const path = join(work, 'atomic.txt');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(work).filter((f) => f.startsWith('atomic.txt'))).toEqual(['atomic.txt']);
  });
});

describe('checkpoint callback', () => {
  it('saves last every epoch and every N steps, and best when the monitored metric improves', async () => {
    const dir = join(work, 'callback');
    const learner = makeLearner();
    const saved: string[] = [];
    const callback = checkpoint({ dir, everySteps: 3 });
    const spy = {
      name: 'spy',
      order: 25,
      onBatchEnd: ({ step, stepped }: { step: number; stepped: boolean }) => {
        if (stepped && step % 3 === 0) saved.push(readFileSync(join(dir, 'last.json'), 'utf8'));
      },
    };
    const { history } = await learner.fit(3, { callbacks: [callback, spy] });
    // 4 steps per epoch, 12 in all: mid-run saves at steps 3, 6, 9, 12.
    expect(saved).toHaveLength(4);
    const positions = saved.map((text) => (JSON.parse(text) as CheckpointMeta).learner.position);
    expect(positions.map((p) => [p.epoch, p.batchInEpoch, p.step])).toEqual([
      [0, 3, 3],
      [1, 2, 6],
      [2, 1, 9],
      [2, 4, 12],
    ]);
    const last = (JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as CheckpointMeta).learner;
    expect(last.position).toMatchObject({ epoch: 3, batchInEpoch: 0, step: 12 });
    expect(last.history).toHaveLength(3);
    const losses = history.map((h) => h.valid_loss!);
    const bestEpoch = losses.indexOf(Math.min(...losses));
    const best = (JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as CheckpointMeta).learner;
    expect(best.position.epoch).toBe(bestEpoch + 1);
    expect(callback.best).toBe(losses[bestEpoch]);
    learner.model.dispose();
  });

  it('asks for a monitored metric that exists', async () => {
    const learner = new Learner({ model: tinyCnn(), train: makeLearner().train });
    await expectInvalidAsync(
      () => learner.fit(1, { callbacks: [checkpoint({ dir: join(work, 'x') })] }),
      'checkpoint',
      'monitor',
    );
    expectInvalid(() => checkpoint({ dir: '' }), 'checkpoint', 'dir');
    expectInvalid(() => checkpoint({ dir: 'x', everySteps: 0 }), 'checkpoint', 'everySteps');
    expectInvalid(() => checkpoint({ dir: 'x', mode: 'up' as never }), 'checkpoint', 'mode');
    learner.model.dispose();
  });
});
