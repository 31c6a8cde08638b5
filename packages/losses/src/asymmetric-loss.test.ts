import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { asymmetricLoss } from './asymmetric-loss.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('asymmetricLoss', () => {
  it('matches worked examples (Ridnik et al. 2021, eq. 6 with the probability shift)', () => {
    // Defaults γ+ = 0, γ− = 4, clip 0.05.
    // Positive z = 1: −log σ(1) = 0.3132617 (γ+ = 0: no focusing).
    // Negative z = −2: p = 0.1192029, p_m = 0.0692029, −log(1 − p_m) = 0.0717162, p_m⁴ = 2.29346e-5
    //   → 1.64476e-6.
    // Negative z = −4: p = 0.0179862 < clip, so p_m = 0 and the loss is 0 (easy negative discarded).
    // Negative z = 2: p = 0.8807971, p_m = 0.8307971, −log(0.1692029) = 1.7766…, p_m⁴ = 0.4764 → 0.8464150.
    const loss = asymmetricLoss({ reduction: 'none' });
    expectValues(
      loss(tf.tensor1d([1, 0, 0, 0]), tf.tensor1d([1, -2, -4, 2])),
      [0.3132617, 1.6447564e-6, 0, 0.846415],
    );
    // γ+ = 1: the positive term is scaled by 1 − σ(1) = 0.2689414: 0.0842490.
    expectValues(
      asymmetricLoss({ gammaPos: 1, reduction: 'none' })(tf.tensor1d([1]), tf.tensor1d([1])),
      [0.084249],
    );
    // γ− = 2, clip 0.1 on z = 2: p_m = 0.7807971: −log(0.2192029) · 0.7807971² = 0.9252918.
    expectValues(
      asymmetricLoss({ gammaNeg: 2, clip: 0.1, reduction: 'none' })(tf.tensor1d([0]), tf.tensor1d([2])),
      [0.9252918],
    );
    // Rows of [N, C] are averaged over classes.
    expectValues(
      asymmetricLoss()(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, -2]])),
      (0.3132617 + 1.6447564e-6) / 2,
    );
  });

  it('is binary cross-entropy with γ+ = γ− = 0 and clip 0', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4], [2, 3]);
    const t = tf.tensor2d([1, 0, 1, 0, 0, 1], [2, 3]);
    const asl = asymmetricLoss({ gammaPos: 0, gammaNeg: 0, clip: 0 });
    expect(scalarValue(asl(t, z))).toBeCloseTo(scalarValue(binaryCrossEntropy()(t, z)), 6);
    tf.dispose([z, t]);
  });

  it('has finite-difference-checked gradients', () => {
    // Logits chosen away from the kink at σ(z) = clip (z ≈ −2.944 for clip 0.05).
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, -4, 0.4], [2, 3]);
    const t = tf.tensor2d([1, 0, 1, 0, 0, 1], [2, 3]);
    checkGradient((x) => asymmetricLoss()(t, x), [z]);
    checkGradient((x) => asymmetricLoss({ gammaPos: 1, gammaNeg: 0.5, clip: 0 })(t, x), [z]);
    checkGradient((x) => asymmetricLoss({ gammaPos: 0.5, gammaNeg: 2, clip: 0.2 })(t, x), [z]);
    tf.dispose([z, t]);
  });

  it('handles all-zero targets, one class and ±1e4 logits', () => {
    // All-zero targets at z = 0: p_m = 0.45, −log(0.55) · 0.45⁴ = 0.0245236.
    expectValues(asymmetricLoss()(tf.zeros([1, 2]), tf.zeros([1, 2])), 0.0245236);
    expectValues(asymmetricLoss({ reduction: 'none' })(tf.tensor2d([[1]]), tf.tensor2d([[1]])), [0.3132617]);
    // Right at ±1e4 costs 0; a wrong positive costs 1e4; a wrong negative has p_m = 1 − clip and costs
    // −log(clip) · (1 − clip)⁴ = 2.9957323 · 0.8145063 = 2.4400316.
    const extreme = tf.tensor2d([1e4, -1e4, -1e4, 1e4], [2, 2]);
    const t = tf.tensor2d([1, 0, 1, 0], [2, 2]);
    expectValues(asymmetricLoss({ reduction: 'none' })(t, extreme), [0, (1e4 + 2.4400316) / 2], 1e-2);
    for (const options of [{}, { clip: 0 }, { gammaPos: 0.5, gammaNeg: 0.5 }]) {
      finiteGradient((x) => asymmetricLoss(options)(t, x), extreme);
    }
    const loss = asymmetricLoss({ gammaPos: 1 });
    expectNoLeaksSync(() => loss(t, extreme)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(t, x))(extreme)).dispose();
    tf.dispose([extreme, t]);
  });

  it('rejects bad options', () => {
    expectInvalid(() => asymmetricLoss({ clip: 1 }), 'asymmetricLoss', 'clip');
    expectInvalid(() => asymmetricLoss({ gammaNeg: -1 }), 'asymmetricLoss', 'gammaNeg');
    expectInvalid(() => asymmetricLoss({ gammaPos: -1 }), 'asymmetricLoss', 'gammaPos');
  });
});
