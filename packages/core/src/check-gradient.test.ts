import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkGradient, GradientMismatchError } from './check-gradient.js';
import { InvalidArgumentError, TopkError } from './errors.js';
import { Rng } from './rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every test disposes what it creates: numTensors must not grow.
let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
    'float32',
  );
}

/** x ↦ x² whose custom gradient is deliberately 3x instead of 2x. */
const wrongSquare = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.square(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0]!, 3)),
  };
});

describe('checkGradient passes for correct gradients', () => {
  it('tf.square (elementwise, non-scalar output summed)', () => {
    const x = randomTensor(new Rng(1), [2, 3]);
    const result = checkGradient((v) => tf.square(v), [x]);
    expect(result.checked).toBe(6);
    // d/dx Σx² = 2x is exact for a quadratic under central differences up to float32 rounding.
    expect(result.maxAbsError).toBeLessThan(1e-3);
    x.dispose();
  });

  it('a scalar loss', () => {
    const x = randomTensor(new Rng(2), [5]);
    const result = checkGradient((v) => tf.sum(tf.exp(v)), [x]);
    expect(result.checked).toBe(5);
    x.dispose();
  });

  it('tf.matMul with respect to both operands', () => {
    const rng = new Rng(3);
    const a = randomTensor(rng, [3, 4]);
    const b = randomTensor(rng, [4, 2]);
    const result = checkGradient((p, q) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), [a, b]);
    expect(result.checked).toBe(12 + 8);
    tf.dispose([a, b]);
  });

  it('tf.conv2d with respect to image and filter', () => {
    const rng = new Rng(4);
    const x = randomTensor(rng, [1, 5, 5, 2]);
    const w = randomTensor(rng, [3, 3, 2, 3]);
    const result = checkGradient((p, q) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'same'), [x, w]);
    expect(result.checked).toBe(50 + 54);
    tf.dispose([x, w]);
  });

  it('checks `samples` entries per input, reproducibly under a seed', () => {
    const x = randomTensor(new Rng(5), [20, 10]);
    const a = checkGradient((v) => tf.tanh(v), [x], { samples: 7, seed: 'pick' });
    const b = checkGradient((v) => tf.tanh(v), [x], { samples: 7, seed: 'pick' });
    expect(a.checked).toBe(7);
    expect(b).toEqual(a);
    expect(checkGradient((v) => tf.tanh(v), [x]).checked).toBe(64);
    x.dispose();
  });

  it('does not modify the inputs', () => {
    const x = tf.tensor([1, 2, 3]);
    checkGradient((v) => tf.square(v), [x]);
    expect([...x.dataSync()]).toEqual([1, 2, 3]);
    x.dispose();
  });
});

describe('checkGradient catches wrong gradients', () => {
  it('throws GradientMismatchError naming input and element for a wrong custom gradient', () => {
    const x = tf.tensor([
      [0.5, -1],
      [2, 1.5],
    ]);
    let error: unknown;
    try {
      checkGradient((v) => wrongSquare(v), [x]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GradientMismatchError);
    expect(error).toBeInstanceOf(TopkError);
    const mismatch = error as GradientMismatchError;
    expect(mismatch.code).toBe('GRADIENT_MISMATCH');
    expect(mismatch.inputIndex).toBe(0);
    // The error 3x − 2x = x is largest, relative to the tolerance, at x = 2: element [1, 0].
    expect(mismatch.coordinates).toEqual([1, 0]);
    expect(mismatch.flatIndex).toBe(2);
    expect(mismatch.analytic).toBeCloseTo(6, 5);
    expect(mismatch.numeric).toBeCloseTo(4, 2);
    expect(mismatch.mismatches).toBe(4);
    expect(mismatch.checked).toBe(4);
    expect(mismatch.message).toMatch(
      /^checkGradient: gradient of input 0 at element \[1, 0\] \(flat index 2\)/,
    );
    x.dispose();
  });

  it('names the right input when only the second one is wrong', () => {
    const a = tf.tensor([1, 2]);
    const b = tf.tensor([3, 4]);
    expect(() => checkGradient((p, q) => tf.add(tf.square(p), wrongSquare(q)), [a, b])).toThrow(
      /gradient of input 1 /,
    );
    tf.dispose([a, b]);
  });

  it('a tolerance wide enough lets the wrong gradient through', () => {
    const x = tf.tensor([0.1]);
    // analytic 0.3 vs numeric 0.2: |difference| 0.1 ≤ 0 + 0.6·0.2.
    const result = checkGradient((v) => wrongSquare(v), [x], { rtol: 0.6, atol: 0 });
    expect(result.maxAbsError).toBeCloseTo(0.1, 4);
    expect(result.maxRelError).toBeCloseTo(1 / 3, 3);
    x.dispose();
  });
});

describe('checkGradient argument validation', () => {
  it.each([
    ['f', () => [42, [tf.scalar(1)], {}], 'f'],
    ['empty inputs', () => [tf.square, [], {}], 'inputs'],
    ['non-array inputs', () => [tf.square, tf.scalar(1), {}], 'inputs'],
    ['a non-tensor input', () => [tf.square, [[1, 2]], {}], 'inputs[0]'],
    ['an int32 input', () => [tf.square, [tf.tensor([1], [1], 'int32')], {}], 'inputs[0]'],
    ['null options', () => [tf.square, [tf.scalar(1)], null], 'options'],
    ['zero epsilon', () => [tf.square, [tf.scalar(1)], { epsilon: 0 }], 'options.epsilon'],
    ['negative rtol', () => [tf.square, [tf.scalar(1)], { rtol: -1 }], 'options.rtol'],
    ['NaN atol', () => [tf.square, [tf.scalar(1)], { atol: Number.NaN }], 'options.atol'],
    ['zero samples', () => [tf.square, [tf.scalar(1)], { samples: 0 }], 'options.samples'],
    ['fractional samples', () => [tf.square, [tf.scalar(1)], { samples: 1.5 }], 'options.samples'],
    ['f returning a number', () => [() => 3, [tf.scalar(1)], {}], 'f'],
    ['f returning int32', () => [(v: tf.Tensor) => tf.cast(v, 'int32'), [tf.scalar(1)], {}], 'f'],
    [
      'epsilon lost in float32 rounding',
      () => [tf.square, [tf.scalar(1e8)], { epsilon: 1e-3 }],
      'options.epsilon',
    ],
  ] as const)('rejects %s', (_, make, argument) => {
    const args = make() as unknown as Parameters<typeof checkGradient>;
    try {
      expect(() => checkGradient(...args)).toThrow(InvalidArgumentError);
      try {
        checkGradient(...args);
      } catch (error) {
        expect((error as InvalidArgumentError).fn).toBe('checkGradient');
        expect((error as InvalidArgumentError).argument).toBe(argument);
      }
    } finally {
      tf.dispose(args.flat(2).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    }
  });

  it('lets a disposed input fail clearly', () => {
    const x = tf.scalar(1);
    x.dispose();
    expect(() => checkGradient(tf.square, [x])).toThrow(
      'Error in checkGradient: inputs[0] must be a live tensor',
    );
  });
});
