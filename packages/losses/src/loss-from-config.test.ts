import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossConfig, LossType } from './loss.js';
import { LOSS_TYPES, lossFromConfig } from './loss-from-config.js';
import { expectInvalid, finiteGradient } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 6;
const C = 4;
const rng = new Rng('loss-conformance');
const normal = (shape: number[]): tf.Tensor =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
const extremes = (shape: number[]): tf.Tensor =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => [1e4, -1e4, 0][i % 3]!),
    shape,
  );

const indices = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
const multiHot = tf.tensor2d(
  [1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1],
  [N, C],
);
const soft = tf.tensor2d(
  [0.7, 0.3, 0, 0, 0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0.1, 0, 0.9],
  [N, C],
);
const groups = tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32');
afterAll(() => tf.dispose([indices, multiHot, soft, groups]));

interface Case {
  readonly config: LossConfig;
  readonly yTrue: tf.Tensor;
  /** Whether the loss has a `reduction` option (per-example output with 'none'). */
  readonly reducible: boolean;
}

// One complete config per registered type, non-default values where possible.
const CASES: Record<LossType, Case> = {
  crossEntropy: {
    config: { type: 'crossEntropy', labelSmoothing: 0.1, reduction: 'mean' },
    yTrue: indices,
    reducible: true,
  },
  softTargetCrossEntropy: {
    config: { type: 'softTargetCrossEntropy', reduction: 'mean' },
    yTrue: soft,
    reducible: true,
  },
  binaryCrossEntropy: {
    config: {
      type: 'binaryCrossEntropy',
      posWeight: [1, 2, 3, 4],
      classWeights: 0.5,
      labelSmoothing: 0.05,
      reduction: 'sum',
    },
    yTrue: multiHot,
    reducible: true,
  },
  focalLoss: {
    config: { type: 'focalLoss', gamma: 1.5, alpha: [0.25, 0.25, 0.25, 0.25], reduction: 'mean' },
    yTrue: indices,
    reducible: true,
  },
  binaryFocalLoss: {
    config: { type: 'binaryFocalLoss', gamma: 2, alpha: 0.3, reduction: 'mean' },
    yTrue: multiHot,
    reducible: true,
  },
  asymmetricLoss: {
    config: { type: 'asymmetricLoss', gammaPos: 1, gammaNeg: 3, clip: 0.1, reduction: 'mean' },
    yTrue: multiHot,
    reducible: true,
  },
  tripletLoss: {
    config: { type: 'tripletLoss', margin: 0.3, mining: 'semiHard', distance: 'euclidean' },
    yTrue: groups,
    reducible: false,
  },
  contrastiveLoss: {
    config: { type: 'contrastiveLoss', margin: 1.5, distance: 'cosine' },
    yTrue: groups,
    reducible: false,
  },
};

const read = (x: tf.Tensor): number[] => {
  const values = Array.from(x.dataSync());
  x.dispose();
  return values;
};

describe('loss conformance', () => {
  it('has a case for every registered type', () => {
    expect([...LOSS_TYPES].sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(LOSS_TYPES)('%s', (type) => {
    const { config, yTrue, reducible } = CASES[type];

    it('returns a finite scalar, deterministically, without leaking', () => {
      const loss = lossFromConfig(config);
      const yPred = normal([N, C]);
      const value = expectNoLeaksSync(() => loss(yTrue, yPred));
      expect(value.shape).toEqual([]);
      expect(value.dtype).toBe('float32');
      const [v] = read(value);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(read(loss(yTrue, yPred))).toEqual([v]);
      expectNoLeaksSync(() => tf.grad((x) => loss(yTrue, x))(yPred)).dispose();
      yPred.dispose();
    });

    it("returns per-example losses of shape [N] with reduction 'none' that sum to 'sum' (where it has one)", () => {
      if (!reducible) {
        // Mined metric-learning losses average over a data-dependent set of triplets or pairs.
        expectInvalid(
          () => lossFromConfig({ ...config, reduction: 'none' } as never),
          'lossFromConfig',
          'config.reduction',
        );
        return;
      }
      const yPred = normal([N, C]);
      const none = lossFromConfig({ ...config, reduction: 'none' } as LossConfig)(yTrue, yPred);
      expect(none.shape).toEqual([N]);
      const perExample = read(none);
      const [sum] = read(lossFromConfig({ ...config, reduction: 'sum' } as LossConfig)(yTrue, yPred));
      const [mean] = read(lossFromConfig({ ...config, reduction: 'mean' } as LossConfig)(yTrue, yPred));
      const total = perExample.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(total, 4);
      expect(mean).toBeCloseTo(total / N, 5);
      yPred.dispose();
    });

    it('stays finite, with finite gradients, at ±1e4', () => {
      const loss = lossFromConfig(config);
      const yPred = extremes([N, C]);
      expect(Number.isFinite(read(loss(yTrue, yPred))[0])).toBe(true);
      finiteGradient((x) => loss(yTrue, x), yPred);
      yPred.dispose();
    });

    it('carries its complete config and round-trips through JSON', () => {
      const loss = lossFromConfig(config);
      expect(loss.config).toEqual(config);
      expect(Object.isFrozen(loss.config)).toBe(true);
      const restored = lossFromConfig(JSON.parse(JSON.stringify(loss.config)));
      expect(restored.config).toEqual(loss.config);
      const yPred = normal([N, C]);
      expect(read(restored(yTrue, yPred))).toEqual(read(loss(yTrue, yPred)));
      yPred.dispose();
    });
  });

  it('fills in defaults for missing optional fields', () => {
    expect(lossFromConfig({ type: 'focalLoss' } as LossConfig).config).toEqual({
      type: 'focalLoss',
      gamma: 2,
      alpha: null,
      reduction: 'mean',
    });
    expect(lossFromConfig({ type: 'tripletLoss' } as LossConfig).config).toEqual({
      type: 'tripletLoss',
      margin: 0.2,
      mining: 'batchHard',
      distance: 'euclidean',
    });
  });

  it('rejects unknown types and fields, and bad values through the factory', () => {
    const e = expectInvalid(
      () => lossFromConfig({ type: 'hinge' } as never),
      'lossFromConfig',
      'config.type',
    );
    expect(e.message).toContain('one of crossEntropy, softTargetCrossEntropy');
    expectInvalid(
      () => lossFromConfig({ type: 'crossEntropy', smoothing: 0.1 } as never),
      'lossFromConfig',
      'config.smoothing',
    );
    expectInvalid(() => lossFromConfig(null as never), 'lossFromConfig', 'config');
    expectInvalid(() => lossFromConfig({ type: 'focalLoss', gamma: -2 } as never), 'focalLoss', 'gamma');
  });
});
