import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '@topk/core';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectInvalid, expectValues, finiteGradient } from './test-helpers.js';
import { tripletLoss } from './triplet-loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Worked example: four points on a line, x = [0, 1, 3, 6], labels [0, 0, 1, 1], margin 1.
// Euclidean distances: d01 = 1, d02 = 3, d03 = 6, d12 = 2, d13 = 5, d23 = 3.
const points = () => tf.tensor2d([[0], [1], [3], [6]]);
const labels = () => tf.tensor1d([0, 0, 1, 1], 'int32');

describe('tripletLoss', () => {
  it('batch all: the mean over triplets with a positive loss', () => {
    // (a, p, n) → d_ap − d_an + 1: (0,1,2) −1, (0,1,3) −4, (1,0,2) 0, (1,0,3) −3, (2,3,0) 1, (2,3,1) 2,
    // (3,2,0) −2, (3,2,1) −1. Positive: 1 and 2 → 1.5.
    expectValues(tripletLoss({ margin: 1, mining: 'batchAll' })(labels(), points()), 1.5);
  });

  it('batch hard: farthest positive and nearest negative per anchor', () => {
    // Anchor 0: 1 − 3 + 1 < 0. Anchor 1: 1 − 2 + 1 = 0. Anchor 2: 3 − min(3, 2) + 1 = 2. Anchor 3: 3 − 5 + 1 < 0.
    expectValues(tripletLoss({ margin: 1, mining: 'batchHard' })(labels(), points()), 0.5);
    // Squared distances d01 = 1, d02 = 9, d03 = 36, d12 = 4, d13 = 25, d23 = 9: only anchor 2 counts,
    // 9 − 4 + 1 = 6 → 6 / 4 = 1.5.
    expectValues(tripletLoss({ margin: 1, distance: 'squaredEuclidean' })(labels(), points()), 1.5);
  });

  it('semi-hard: the nearest negative farther than the positive, else the farthest negative (FaceNet / TF Addons)', () => {
    // (0,1): negatives farther than 1: 3 and 6 → 3: 1 − 3 + 1 < 0. (1,0): 2 and 5 → 2: 1 − 2 + 1 = 0.
    // (2,3): none farther than 3 (3 and 2) → farthest, 3: 3 − 3 + 1 = 1. (3,2): 6 and 5 → 5: 3 − 5 + 1 < 0.
    // Mean over the 4 anchor–positive pairs: 0.25.
    expectValues(tripletLoss({ margin: 1, mining: 'semiHard' })(labels(), points()), 0.25);
  });

  it('measures cosine distance as 1 − cos', () => {
    // Unit vectors at 0°, 60°, 90°, 180°, labels [0, 0, 1, 1]: d01 = 0.5, d02 = 1, d03 = 2,
    // d12 = 1 − cos 30° = 0.1339746, d13 = 1.5, d23 = 1. Batch hard, margin 0.2:
    // anchor 1: 0.5 − 0.1339746 + 0.2 = 0.5660254; anchor 2: 1 − 0.1339746 + 0.2 = 1.0660254; others 0.
    const angles = [0, 60, 90, 180].map((a) => (a * Math.PI) / 180);
    const e = tf.tensor2d(
      angles.flatMap((a) => [3 * Math.cos(a), 3 * Math.sin(a)]),
      [4, 2],
    );
    expectValues(tripletLoss({ distance: 'cosine' })(labels(), e), (0.5660254 + 1.0660254) / 4);
  });

  it('has finite-difference-checked gradients for every mining and distance', () => {
    const rng = new Rng('triplet-grad');
    const e = tf.tensor2d(
      Float32Array.from({ length: 24 }, () => rng.normal()),
      [8, 3],
    );
    const y = tf.tensor1d([0, 0, 1, 1, 2, 2, 3, 3], 'int32');
    for (const mining of ['batchAll', 'batchHard', 'semiHard'] as const) {
      for (const distance of ['euclidean', 'squaredEuclidean', 'cosine'] as const) {
        checkGradient((x) => tripletLoss({ mining, distance, margin: 0.5 })(y, x), [e]);
      }
    }
  });

  it('gives 0 without valid triplets and stays finite for duplicate, zero and huge embeddings', () => {
    const e = points();
    for (const mining of ['batchAll', 'batchHard', 'semiHard'] as const) {
      const loss = tripletLoss({ mining });
      // One class: no negatives. All classes distinct: no positives.
      expectValues(loss(tf.tensor1d([3, 3, 3, 3], 'int32'), e), 0);
      expectValues(loss(tf.tensor1d([0, 1, 2, 3], 'int32'), e), 0);
      // Duplicates (distance 0, where √ has no derivative), zeros and ±1e4.
      const extreme = tf.tensor2d([0, 0, 0, 0, 1e4, -1e4, 1e4, -1e4, -1e4, 1e4], [5, 2]);
      const y = tf.tensor1d([0, 0, 1, 1, 0], 'int32');
      const g = finiteGradient((x) => loss(y, x), extreme);
      expect(g).toHaveLength(10);
      expectNoLeaksSync(() => loss(y, extreme)).dispose();
      expectNoLeaksSync(() => tf.grad((x) => loss(y, x))(extreme)).dispose();
      tf.dispose([extreme, y]);
    }
    // Float labels are compared for equality too.
    expectValues(tripletLoss({ margin: 1 })(tf.tensor1d([0, 0, 1, 1]), e), 0.5);
  });

  it('rejects bad options and inputs', () => {
    expectInvalid(() => tripletLoss({ margin: -1 }), 'tripletLoss', 'margin');
    expectInvalid(() => tripletLoss({ mining: 'hard' as never }), 'tripletLoss', 'mining');
    expectInvalid(() => tripletLoss({ distance: 'l1' as never }), 'tripletLoss', 'distance');
    expectInvalid(() => tripletLoss()(tf.tensor1d([0, 1], 'int32'), points()), 'tripletLoss', 'yTrue');
    expectInvalid(() => tripletLoss()(labels(), tf.zeros([4])), 'tripletLoss', 'yPred');
  });
});
