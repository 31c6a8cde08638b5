import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedValues } from '../../fixed-values.js';
import { selectBackend } from '../../select-backend.js';
import {
  nativeCallCount,
  nativeKernelStatus,
  prepareNativeKernels,
  setNativeKernelsEnabled,
} from './native-kernels.js';

// The cpu backend is the reference: every case runs there, then on wasm with topk's native kernels, and
// the native path must have been taken (the call count grows) and agree to float32 tolerance.

type Case = { name: string; run: () => tf.Tensor };

function input(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(fixedValues(n, seed, -1, 1), shape);
}

const filterGrad = (
  x: tf.Tensor,
  dy: tf.Tensor,
  filterShape: number[],
  strides: number,
  pad: 'same' | 'valid',
) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides,
    pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape,
  } as never) as tf.Tensor;

const depthwiseFilterGrad = (x: tf.Tensor, dy: tf.Tensor, filterShape: number[], strides: number) =>
  tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
    strides,
    pad: 'same',
    dilations: 1,
    dimRoundingMode: undefined,
    filterShape,
  } as never) as tf.Tensor;

const convCases = (): Case[] => [
  // topk's wasm SIMD kernels compiled natively and split over the threads (inputs over 32 768 values)
  {
    name: 'relu gradient (native kernels.c, two threads)',
    run: () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), input([40, 33, 31], 41))))(input([40, 33, 31], 40)),
  },
  {
    name: 'relu6 (clip) gradient',
    run: () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(x, 0, 6), input([37, 41, 29], 43))))(
        tf.mul(input([37, 41, 29], 42), 8),
      ),
  },
  {
    name: 'sum over leading axes (column sums per thread, then added)',
    run: () => tf.sum(input([9, 17, 15, 21], 44), [0, 1, 2]),
  },
  {
    name: 'max and average pool gradients, 3x3 stride 2 same (per-thread images)',
    run: () =>
      tf.concat(
        [
          tf.grad((x: tf.Tensor) =>
            tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), input([5, 12, 9, 11], 48))),
          )(input([5, 23, 17, 11], 47)),
          tf.grad((x: tf.Tensor) =>
            tf.sum(tf.mul(tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'), input([5, 12, 9, 11], 48))),
          )(input([5, 23, 17, 11], 47)),
        ],
        3,
      ),
  },
  {
    name: 'depthwise input gradients: stride 2 same, stride 1 valid, 5x3 filter with 13 channels',
    run: () =>
      tf.concat(
        [
          tf.grad((x: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.depthwiseConv2d(x as tf.Tensor4D, input([3, 3, 13, 1], 51) as tf.Tensor4D, 2, 'same'),
                input([4, 8, 6, 13], 52),
              ),
            ),
          )(input([4, 15, 11, 13], 50)),
          tf.grad((x: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.depthwiseConv2d(x as tf.Tensor4D, input([5, 3, 13, 1], 53) as tf.Tensor4D, 1, 'valid'),
                input([4, 11, 9, 13], 54),
              ),
            ),
          )(input([4, 15, 11, 13], 50)),
        ],
        3,
      ),
  },
  {
    name: 'depthwise filter gradient, multiplier 2, stride 2 (per-thread images)',
    run: () => depthwiseFilterGrad(input([6, 23, 19, 7], 45), input([6, 12, 10, 14], 46), [3, 3, 7, 2], 2),
  },
  // non-square, stride 2 with same padding, odd channel counts, batch 1
  {
    name: 'conv2d 3x2 stride [2,1] same, ci 3 co 17, batch 1',
    run: () =>
      tf.conv2d(
        input([1, 9, 7, 3], 1) as tf.Tensor4D,
        input([3, 2, 3, 17], 2) as tf.Tensor4D,
        [2, 1],
        'same',
      ),
  },
  {
    name: 'conv2d 3x3 valid dilation 2, ci 33 co 40',
    run: () =>
      tf.conv2d(
        input([2, 11, 10, 33], 3) as tf.Tensor4D,
        input([3, 3, 33, 40], 4) as tf.Tensor4D,
        1,
        'valid',
        'NHWC',
        2,
      ),
  },
  {
    name: 'conv2d 5x5 explicit padding',
    run: () =>
      tf.conv2d(input([3, 8, 6, 5], 5) as tf.Tensor4D, input([5, 5, 5, 7], 6) as tf.Tensor4D, 2, [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ]),
  },
  {
    name: 'fused conv2d 1x1 + bias + relu6',
    run: () =>
      tf.fused.conv2d({
        x: input([2, 5, 3, 16], 7) as tf.Tensor4D,
        filter: tf.mul(input([1, 1, 16, 24], 8), 3) as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        bias: input([24], 9),
        activation: 'relu6',
      }),
  },
  {
    name: 'fused conv2d 3x3 + bias + relu',
    run: () =>
      tf.fused.conv2d({
        x: input([2, 6, 5, 4], 10) as tf.Tensor4D,
        filter: input([3, 3, 4, 9], 11) as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: input([9], 12),
        activation: 'relu',
      }),
  },
  {
    name: 'depthwise 3x3 stride 2 same, 13 channels',
    run: () =>
      tf.depthwiseConv2d(
        input([2, 9, 8, 13], 13) as tf.Tensor4D,
        input([3, 3, 13, 1], 14) as tf.Tensor4D,
        2,
        'same',
      ),
  },
  {
    name: 'fused depthwise 3x3 + bias + relu6, 40 channels, batch 1',
    run: () =>
      tf.fused.depthwiseConv2d({
        x: tf.mul(input([1, 7, 6, 40], 15), 4) as tf.Tensor4D,
        filter: input([3, 3, 40, 1], 16) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: input([40], 17),
        activation: 'relu6',
      }),
  },
  {
    name: 'matMul with both transposes, batched',
    run: () => tf.matMul(input([3, 20, 7], 18), input([3, 9, 20], 19), true, true),
  },
  {
    name: 'matMul broadcasting a batch of 1',
    run: () => tf.matMul(input([1, 5, 33], 20), input([4, 33, 18], 21)),
  },
  {
    name: 'fused matMul + bias + relu (a dense layer)',
    run: () =>
      tf.fused.matMul({
        a: input([7, 30], 22) as tf.Tensor2D,
        b: input([30, 19], 23) as tf.Tensor2D,
        bias: input([19], 24),
        activation: 'relu',
      }),
  },
  {
    name: 'conv2d filter gradient, 3x3 stride 2 same, non-square',
    run: () => filterGrad(input([3, 9, 7, 5], 25), input([3, 5, 4, 11], 26), [3, 3, 5, 11], 2, 'same'),
  },
  {
    name: 'conv2d filter gradient, 3x3 over 40 channels (rows wider than 256 values)',
    run: () => filterGrad(input([2, 7, 9, 40], 55), input([2, 7, 9, 6], 56), [3, 3, 40, 6], 1, 'same'),
  },
  {
    name: 'conv2d filter gradient, 1x1, many pixels (several blocks and threads)',
    run: () => filterGrad(input([4, 16, 12, 6], 27), input([4, 16, 12, 10], 28), [1, 1, 6, 10], 1, 'valid'),
  },
];

describe('topk native kernels on wasm', async () => {
  const status = await prepareNativeKernels(2);

  it.runIf(process.env.CI === 'true' && process.arch === 'x64')('are built and load in CI', () => {
    expect(nativeKernelStatus()).toMatchObject({ ok: true });
  });

  describe.runIf(status.ok)('agree with the cpu backend', () => {
    const expected = new Map<string, { shape: number[]; values: Float32Array }>();

    beforeAll(async () => {
      await selectBackend({ backend: 'cpu' });
      for (const c of convCases()) {
        const t = tf.tidy(c.run);
        expected.set(c.name, { shape: t.shape, values: t.dataSync() as Float32Array });
        t.dispose();
      }
      const selection = await selectBackend({ backend: 'wasm', threads: 2 });
      expect(selection.native.ok).toBe(true);
    });

    afterAll(() => setNativeKernelsEnabled(true));

    it.each(convCases().map((c) => [c.name, c] as const))('%s', (_, c) => {
      const before = tf.memory().numTensors;
      const callsBefore = nativeCallCount();
      const t = tf.tidy(c.run);
      expect(nativeCallCount()).toBeGreaterThan(callsBefore);
      const want = expected.get(c.name)!;
      expect(t.shape).toEqual(want.shape);
      const got = t.dataSync() as Float32Array;
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i]! - want.values[i]!) / (1 + Math.abs(want.values[i]!)));
      }
      expect(worst).toBeLessThan(1e-5);
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('can be turned off, and then tfjs-wasm computes the same values', () => {
      const c = convCases()[1]!;
      setNativeKernelsEnabled(false);
      const callsBefore = nativeCallCount();
      const t = tf.tidy(c.run);
      expect(nativeCallCount()).toBe(callsBefore);
      setNativeKernelsEnabled(true);
      const want = expected.get(c.name)!;
      const got = t.dataSync();
      for (let i = 0; i < got.length; i += 97) expect(got[i]).toBeCloseTo(want.values[i]!, 4);
      t.dispose();
    });

    it('leave prelu and other activations to tfjs-wasm', () => {
      const callsBefore = nativeCallCount();
      const t = tf.tidy(() =>
        tf.fused.conv2d({
          x: input([1, 4, 4, 3], 30) as tf.Tensor4D,
          filter: input([3, 3, 3, 4], 31) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          activation: 'elu',
        }),
      );
      expect(nativeCallCount()).toBe(callsBefore);
      t.dispose();
    });
  });

  it('say why they are off where they cannot run', async () => {
    const s = nativeKernelStatus();
    if (s.ok) expect(s.isa).toMatch(/AVX2/);
    else expect(s.reason).toMatch(/\w/);
  });
});
