import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from './clip-by-global-norm.js';
import { expectInvalid, values } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients by maxNorm / (norm + 1e-6) when the global norm is larger (PyTorch clip_grad_norm_)', () => {
    // Global norm of [3] and [[4, 0]] is √(9 + 16) = 5.
    const a = tf.tensor1d([3]);
    const b = tf.tensor2d([[4, 0]]);
    const { gradients, norm } = expectNoLeaksSync(() => clipByGlobalNorm([a, b], 1));
    expect(values(norm)[0]).toBeCloseTo(5, 6);
    const factor = 1 / (5 + 1e-6);
    expect(values(gradients[0]!)[0]).toBeCloseTo(3 * factor, 6);
    expect(values(gradients[1]!)).toEqual([Math.fround(4 * factor), 0]);
    tf.dispose([a, b, norm, ...gradients]);
  });

  it('leaves gradients below the limit unchanged', () => {
    const a = tf.tensor1d([0.3, 0.4]);
    const { gradients, norm } = clipByGlobalNorm([a], 1);
    expect(values(gradients[0]!)).toEqual(values(a));
    expect(values(norm)[0]).toBeCloseTo(0.5, 6);
    tf.dispose([a, norm, ...gradients]);
  });

  it('rejects bad arguments', () => {
    const a = tf.tensor1d([1]);
    expectInvalid(() => clipByGlobalNorm([], 1), 'clipByGlobalNorm', 'gradients');
    expectInvalid(() => clipByGlobalNorm([a], 0), 'clipByGlobalNorm', 'maxNorm');
    a.dispose();
  });
});
