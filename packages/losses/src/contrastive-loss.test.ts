import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '@topk/core';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { contrastiveLoss } from './contrastive-loss.js';
import { expectInvalid, expectValues, finiteGradient } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('contrastiveLoss', () => {
  it('matches worked examples (Hadsell et al. 2006, eq. 4)', () => {
    // x = [0, 1, 3], labels [0, 0, 1]. Pairs: (0,1) same, d = 1 → ½ · 1² = 0.5;
    // (0,2) different, d = 3; (1,2) different, d = 2.
    const x = tf.tensor2d([[0], [1], [3]]);
    const y = tf.tensor1d([0, 0, 1], 'int32');
    // Margin 2: ½ · max(2 − 3, 0)² = 0 and ½ · max(2 − 2, 0)² = 0 → (0.5 + 0 + 0) / 3.
    expectValues(contrastiveLoss({ margin: 2 })(y, x), 0.5 / 3);
    // Margin 4: ½ · 1² = 0.5 and ½ · 2² = 2 → (0.5 + 0.5 + 2) / 3 = 1.
    expectValues(contrastiveLoss({ margin: 4 })(y, x), 1);
    // Squared Euclidean "distance" d = 1, 9, 4 with margin 10: (0.5 + 0.5 + 18) / 3.
    expectValues(contrastiveLoss({ margin: 10, distance: 'squaredEuclidean' })(y, x), 19 / 3, 1e-4);
    // Cosine: unit vectors at 0°, 90°, 180° with labels [0, 0, 1]: d = 1, 2, 1; margin 1.5:
    // ½ · 1² + ½ · 0² + ½ · 0.5² = 0.625 → / 3.
    const unit = tf.tensor2d([1, 0, 0, 1, -1, 0], [3, 2]);
    expectValues(contrastiveLoss({ margin: 1.5, distance: 'cosine' })(y, unit), 0.625 / 3);
  });

  it('has finite-difference-checked gradients', () => {
    const rng = new Rng('contrastive-grad');
    const e = tf.tensor2d(
      Float32Array.from({ length: 18 }, () => rng.normal()),
      [6, 3],
    );
    const y = tf.tensor1d([0, 0, 1, 1, 2, 0], 'int32');
    for (const distance of ['euclidean', 'squaredEuclidean', 'cosine'] as const) {
      checkGradient((x) => contrastiveLoss({ margin: 2, distance })(y, x), [e]);
    }
  });

  it('handles a batch of one, a single class, duplicates and huge embeddings', () => {
    expectValues(contrastiveLoss()(tf.tensor1d([0], 'int32'), tf.tensor2d([[1, 2]])), 0);
    // One class: only the pull term, ½ · d² per pair; d = 1, 2, 1 → (0.5 + 2 + 0.5) / 3.
    expectValues(contrastiveLoss()(tf.tensor1d([5, 5, 5], 'int32'), tf.tensor2d([[0], [1], [2]])), 1);
    const extreme = tf.tensor2d([0, 0, 0, 0, 1e4, -1e4, -1e4, 1e4], [4, 2]);
    const y = tf.tensor1d([0, 1, 0, 1], 'int32');
    const loss = contrastiveLoss();
    finiteGradient((x) => loss(y, x), extreme);
    expectNoLeaksSync(() => loss(y, extreme)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(y, x))(extreme)).dispose();
    tf.dispose([extreme, y]);
  });

  it('rejects bad options and inputs', () => {
    expectInvalid(() => contrastiveLoss({ margin: -1 }), 'contrastiveLoss', 'margin');
    expectInvalid(() => contrastiveLoss({ distance: 'manhattan' as never }), 'contrastiveLoss', 'distance');
    expectInvalid(
      () => contrastiveLoss()(tf.tensor2d([[0, 1]]), tf.zeros([2, 2])),
      'contrastiveLoss',
      'yTrue',
    );
  });
});
