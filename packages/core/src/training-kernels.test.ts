import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedValues } from './fixed-values.js';
import { im2colLimits } from './kernels/conv2d-backprop-filter.js';
import { columnLimits } from './kernels/conv2d-backprop-input.js';
import { setSimdKernelsEnabled } from './kernels/simd/simd-kernels.js';
import { selectBackend } from './select-backend.js';

type GradCase = {
  name: string;
  inputs: () => tf.Tensor[];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
};

const values = (shape: number[], seed: number) =>
  fixedValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  );
const t = (shape: number[], seed: number) => tf.tensor(values(shape, seed), shape);
// Distinct values 0.1 apart in shuffled order: no max-pool window is within a finite-difference step of a tie.
function separated(shape: number[], seed: number): tf.Tensor {
  const keys = values(shape, seed);
  const order = Array.from(keys.keys()).sort((a, b) => (keys[a] as number) - (keys[b] as number));
  const out = new Float32Array(keys.length);
  order.forEach((idx, rank) => {
    out[idx] = rank * 0.1;
  });
  return tf.tensor(out, shape);
}

const conv = (stride: number, pad: 'same' | 'valid', x: number[], w: number[]): GradCase => ({
  name: `conv2d ${x.join('x')} * ${w.join('x')} stride ${stride} ${pad}`,
  inputs: () => [t(x, 1), t(w, 2)],
  f: (a, b) => tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)),
});
const depthwise = (stride: number, pad: 'same' | 'valid', x: number[], w: number[]): GradCase => ({
  name: `depthwise ${x.join('x')} * ${w.join('x')} stride ${stride} ${pad}`,
  inputs: () => [t(x, 3), t(w, 4)],
  f: (a, b) => tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)),
});

const cases: GradCase[] = [
  conv(1, 'same', [2, 7, 5, 3], [3, 3, 3, 4]),
  conv(2, 'same', [2, 7, 6, 3], [3, 3, 3, 5]),
  conv(2, 'valid', [1, 8, 9, 2], [3, 3, 2, 3]),
  conv(1, 'valid', [1, 6, 4, 2], [2, 3, 2, 2]),
  conv(3, 'same', [2, 10, 7, 3], [1, 1, 3, 4]),
  // 1x1 stride 1 widening (Co > Ci): the filter gradient as (dYᵀ·X)ᵀ, odd sizes for the transposes' tails.
  conv(1, 'same', [2, 5, 7, 3], [1, 1, 3, 9]),
  conv(1, 'valid', [1, 4, 6, 6], [1, 1, 6, 13]),
  conv(2, 'same', [1, 6, 6, 2], [2, 2, 2, 3]),
  // Wide enough (kH·kW·Ci > 64) for the recast-convolution path rather than the unrolled one.
  conv(1, 'same', [2, 6, 5, 8], [3, 3, 8, 4]),
  conv(2, 'valid', [1, 9, 8, 9], [3, 3, 9, 3]),
  depthwise(1, 'same', [2, 6, 5, 3], [3, 3, 3, 1]),
  depthwise(2, 'same', [2, 7, 6, 4], [3, 3, 4, 1]),
  depthwise(2, 'valid', [1, 9, 8, 2], [3, 3, 2, 3]),
  depthwise(1, 'same', [1, 5, 6, 2], [5, 5, 2, 2]),
  // Channel counts that reach the SIMD filter gradient's 16-channel blocks, 4-channel blocks and scalar tail.
  depthwise(1, 'same', [1, 5, 4, 21], [3, 3, 21, 1]),
  depthwise(2, 'valid', [2, 7, 6, 20], [3, 3, 20, 1]),
  {
    name: 'maxPool 3x3 stride 2 same on ties',
    inputs: () => [tf.relu(t([2, 7, 6, 3], 5))],
    f: (a) => tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), t([2, 4, 3, 3], 6)),
  },
  {
    name: 'maxPool 3x3 stride 2 same without ties',
    inputs: () => [separated([2, 7, 6, 3], 13)],
    f: (a) => tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), t([2, 4, 3, 3], 6)),
  },
  {
    name: 'maxPool 2x2 valid',
    inputs: () => [separated([1, 6, 5, 2], 7)],
    f: (a) => tf.square(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')),
  },
  {
    name: 'avgPool 3x3 stride 2 same',
    inputs: () => [t([2, 7, 6, 3], 8)],
    f: (a) => tf.square(tf.avgPool(a as tf.Tensor4D, 3, 2, 'same')),
  },
  ...([false, true] as const).flatMap((halfPixel) =>
    (
      [
        [9, 13],
        [4, 3],
        [6, 5],
      ] as [number, number][]
    ).flatMap((size) => [
      {
        name: `resizeBilinear 5x7 -> ${size} halfPixelCenters=${halfPixel}`,
        inputs: () => [t([2, 5, 7, 3], 9)],
        f: (a: tf.Tensor) => tf.square(tf.image.resizeBilinear(a as tf.Tensor4D, size, false, halfPixel)),
      },
      {
        name: `resizeNearestNeighbor 5x7 -> ${size} halfPixelCenters=${halfPixel}`,
        inputs: () => [t([2, 5, 7, 3], 10)],
        f: (a: tf.Tensor) =>
          tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, size, false, halfPixel), 2),
      },
    ]),
  ),
  {
    name: 'resizeBilinear alignCorners 4x6 -> 7x5',
    inputs: () => [t([1, 4, 6, 2], 11)],
    f: (a) => tf.square(tf.image.resizeBilinear(a as tf.Tensor4D, [7, 5], true)),
  },
  {
    name: 'batch-norm in training mode (moments, FusedBatchNorm)',
    inputs: () => tf.tidy(() => [t([3, 4, 5, 6], 14), tf.add(t([6], 15), 1), t([6], 16)]),
    f: (x, gamma, beta) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3);
      return tf.mul(y, t([3, 4, 5, 6], 17));
    },
  },
  {
    name: 'mean and square over several axes',
    inputs: () => [t([3, 4, 5, 6], 27)],
    f: (x) =>
      tf.add(
        tf.sum(tf.mul(tf.mean(tf.square(x), [0, 2]), t([4, 6], 28))),
        tf.sum(tf.mul(tf.mean(x, [1], true), t([3, 1, 5, 6], 29))),
      ),
  },
  {
    name: 'relu and relu6 (ClipByValue)',
    // Values k·0.1 − 3.03 stay at least 0.03 away from both kinks (0 and 2.02).
    inputs: () => tf.tidy(() => [tf.sub(separated([2, 5, 4, 3], 18), 3.03)]),
    f: (x) => tf.mul(tf.clipByValue(tf.relu(x), 0, 2.02), t([2, 5, 4, 3], 19)),
  },
  {
    name: 'gather (UnsortedSegmentSum)',
    inputs: () => [t([6, 4], 12)],
    f: (a) => tf.square(tf.gather(a, tf.tensor1d([0, 5, 2, 2, 0, 3], 'int32'))),
  },
];

function gradsOn(c: GradCase): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.inputs();
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(c.f(...args)))(xs);
    return g.map((gi) => gi.dataSync() as Float32Array);
  });
}

/** Central differences in float64 of sum(f) on the cpu backend: the reference for every backend. */
function numericGrads(c: GradCase, eps = 1e-2): Float64Array[] {
  const inputs = c.inputs();
  const base = inputs.map((x) => Float64Array.from(x.dataSync()));
  const shapes = inputs.map((x) => x.shape);
  tf.dispose(inputs);
  const evalAt = (vals: Float64Array[]) =>
    tf.tidy(() => {
      const xs = vals.map((v, i) => tf.tensor(Float32Array.from(v), shapes[i]));
      return tf.sum(c.f(...xs)).dataSync()[0] as number;
    });
  return base.map((v, i) => {
    const out = new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) {
      const plus = base.map((b) => b.slice());
      const minus = base.map((b) => b.slice());
      (plus[i] as Float64Array)[k] = (v[k] as number) + eps;
      (minus[i] as Float64Array)[k] = (v[k] as number) - eps;
      out[k] = (evalAt(plus) - evalAt(minus)) / (2 * eps);
    }
    return out;
  });
}

/** Buffers the active backend holds (tensors and kernel intermediates alike). */
const backendDataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
  return err / scale;
}

describe('training kernels', () => {
  const reference = new Map<string, Float32Array[]>();

  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
    for (const c of cases) reference.set(c.name, gradsOn(c));
  });

  // Piecewise-linear ops (pooling, nearest) are differentiated exactly by central differences away from
  // kinks; the smooth ones to O(eps²). Both are far tighter than any swapped-axis or dropped-term bug.
  // A max over tied values has no derivative, so ties are only compared across backends.
  const differentiable = cases.filter((c) => !c.name.includes('on ties'));
  it.each(differentiable.map((c) => [c.name, c] as const))(
    'cpu gradient of %s matches finite differences',
    async (_, c) => {
      await selectBackend({ backend: 'cpu' });
      const before = tf.memory().numTensors;
      const numeric = numericGrads(c);
      const analytic = reference.get(c.name)!;
      numeric.forEach((n, i) => {
        expect(maxRelError(analytic[i]!, n)).toBeLessThan(2e-3);
      });
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  // Each case runs on wasm twice: with topk's SIMD kernels and with their JS fallbacks.
  const paths = ['simd', 'js'] as const;
  it.each(paths.flatMap((path) => cases.map((c) => [c.name, path, c] as const)))(
    'wasm gradient of %s (%s) matches cpu',
    async (_, path, c) => {
      await selectBackend({ backend: 'wasm' });
      setSimdKernelsEnabled(path === 'simd');
      try {
        const before = tf.memory().numTensors;
        const dataIds = backendDataIds();
        const got = gradsOn(c);
        const want = reference.get(c.name)!;
        got.forEach((g, i) => {
          expect(g.length).toBe(want[i]!.length);
          expect(maxRelError(g, want[i]!)).toBeLessThan(1e-5);
        });
        expect(tf.memory().numTensors).toBe(before);
        // Kernels free their intermediates at the backend level, below what numTensors counts.
        expect(backendDataIds()).toBe(dataIds);
      } finally {
        setSimdKernelsEnabled(true);
      }
    },
  );

  it('chunks the unrolled input of large batches (filter gradient by im2col in parts)', async () => {
    const c = conv(1, 'same', [5, 6, 7, 2], [3, 3, 2, 3]);
    await selectBackend({ backend: 'cpu' });
    const want = gradsOn(c);
    await selectBackend({ backend: 'wasm' });
    const saved = im2colLimits.maxFloats;
    im2colLimits.maxFloats = 18 * 42 * 2; // two images per chunk: chunks of 2, 2 and 1
    try {
      const dataIds = backendDataIds();
      const got = gradsOn(c);
      expect(maxRelError(got[1]!, want[1]!)).toBeLessThan(1e-5);
      expect(backendDataIds()).toBe(dataIds);
    } finally {
      im2colLimits.maxFloats = saved;
    }
  });

  it('chunks the columns of a strided input gradient (dY·Wᵀ then col2im, in parts)', async () => {
    // Stride 2, 3x3 over 3 → 4 channels at 7x6: 4x3 output pixels, 27 taps a pixel per image.
    const c = conv(2, 'same', [5, 7, 6, 3], [3, 3, 3, 4]);
    await selectBackend({ backend: 'cpu' });
    const want = gradsOn(c);
    await selectBackend({ backend: 'wasm' });
    const saved = columnLimits.maxFloats;
    columnLimits.maxFloats = 4 * 3 * 27 * 2; // two images per chunk: chunks of 2, 2 and 1
    try {
      const dataIds = backendDataIds();
      const got = gradsOn(c);
      expect(maxRelError(got[0]!, want[0]!)).toBeLessThan(1e-5);
      expect(backendDataIds()).toBe(dataIds);
    } finally {
      columnLimits.maxFloats = saved;
    }
  });

  it('wasm BatchMatMul with transposed operands (explicit SIMD transpose) matches cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        // Odd sizes (tails of the 4x4 blocks) and a batch of 3.
        const a = t([3, 7, 5], 41);
        const b = t([3, 6, 7], 42);
        const c = t([3, 5, 6], 43);
        return [
          tf.matMul(a, b, true, true),
          tf.matMul(a, t([3, 7, 9], 44), true, false),
          tf.matMul(a, c, false, false),
          tf.matMul(t([9, 5], 45), t([6, 5], 46), false, true),
        ].map((r) => ({ shape: r.shape, values: Array.from(r.dataSync()) }));
      });
    await selectBackend({ backend: 'cpu' });
    const want = run();
    await selectBackend({ backend: 'wasm' });
    const dataIds = backendDataIds();
    const got = run();
    expect(backendDataIds()).toBe(dataIds);
    got.forEach((r, i) => {
      expect(r.shape).toEqual(want[i]!.shape);
      expect(maxRelError(r.values, want[i]!.values)).toBeLessThan(1e-5);
    });
  });

  it('wasm GatherV2 (block copies, and the stock kernel for the rest) matches cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = t([5, 4, 6, 3], 31);
        const ids = tf.tensor1d([4, 0, 0, 2], 'int32');
        return [
          tf.gather(x, ids, 0),
          tf.gather(x, tf.tensor1d([3, 0, 0], 'int32'), 1),
          tf.gather(x, tf.tensor2d([1, 3, 2, 2], [2, 2], 'int32'), 0),
          tf.gather(x, tf.tensor1d([2, 1], 'int32'), 3),
          tf.gather(tf.cast(x, 'int32'), ids, 0),
        ].map((r) => ({ shape: r.shape, values: r.dataSync().slice() }));
      });
    await selectBackend({ backend: 'cpu' });
    const want = run();
    await selectBackend({ backend: 'wasm' });
    const dataIds = backendDataIds();
    const got = run();
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i]!.shape);
      expect([...g.values]).toEqual([...want[i]!.values]);
    });
    expect(backendDataIds()).toBe(dataIds);
  });

  it('wasm Concat and SplitV along every axis match cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const a = t([3, 4, 5, 3], 32);
        const b = t([3, 4, 5, 2], 33);
        const results: tf.Tensor[] = [
          tf.concat([a, b], 3),
          tf.concat([a, a], 0),
          tf.concat([a, t([3, 1, 5, 3], 34)], 1),
        ];
        results.push(
          ...tf.split(a, [1, 2], 3),
          ...tf.split(a, 2, 1),
          ...tf.split(tf.cast(a, 'int32'), [2, 1, 0], 0),
        );
        return results.map((r) => ({ shape: r.shape, values: r.dataSync().slice() }));
      });
    await selectBackend({ backend: 'cpu' });
    const want = run();
    await selectBackend({ backend: 'wasm' });
    const dataIds = backendDataIds();
    const got = run();
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i]!.shape);
      expect([...g.values]).toEqual([...want[i]!.values]);
    });
    expect(backendDataIds()).toBe(dataIds);
  });

  it('wasm OneHot honours float32 and int32 (tfjs-wasm writes int32 bits for both)', async () => {
    const run = () =>
      tf.tidy(() => {
        const ids = tf.tensor1d([2, 0, 5, -1], 'int32');
        return [tf.oneHot(ids, 4, 0.9, 0.05, 'float32'), tf.oneHot(ids, 4)].map((r) => ({
          dtype: r.dtype,
          values: [...r.dataSync()],
        }));
      });
    await selectBackend({ backend: 'cpu' });
    const want = run();
    await selectBackend({ backend: 'wasm' });
    const got = run();
    expect(got).toEqual(want);
    expect(got[0]!.values.slice(0, 4)).toEqual([
      0.05000000074505806, 0.05000000074505806, 0.8999999761581421, 0.05000000074505806,
    ]);
  });

  it('wasm FusedBatchNorm and Tile forward match cpu', async () => {
    const inputs = () => ({
      x: t([3, 4, 5, 6], 22),
      m: t([6], 23),
      v: tf.add(t([6], 24), 1),
      s: t([6], 25),
      o: t([6], 26),
    });
    const run = () =>
      tf.tidy(() => {
        const { x, m, v, s, o } = inputs();
        return [
          tf.batchNorm(x, m, v, o, s, 1e-3).dataSync().slice(),
          tf.batchNorm(x, m, v, undefined, undefined, 1e-3).dataSync().slice(),
          tf
            .tile(tf.reshape(m, [1, 1, 1, 6]), [3, 4, 5, 1])
            .dataSync()
            .slice(),
          tf
            .tile(tf.reshape(m, [2, 3]), [2, 2])
            .dataSync()
            .slice(),
          // Middle axes (a global average pool's gradient), a single middle axis, and trailing axes.
          tf
            .tile(tf.reshape(x, [3, 1, 1, 20, 6]), [1, 4, 3, 1, 1])
            .dataSync()
            .slice(),
          tf
            .tile(tf.reshape(m, [2, 1, 3]), [1, 5, 1])
            .dataSync()
            .slice(),
          tf
            .tile(tf.reshape(m, [6, 1, 1]), [1, 2, 3])
            .dataSync()
            .slice(),
        ];
      });
    await selectBackend({ backend: 'cpu' });
    const want = run();
    await selectBackend({ backend: 'wasm' });
    const got = run();
    got.forEach((g, i) => {
      expect(maxRelError(g, want[i]!)).toBeLessThan(1e-6);
    });
  });

  it.each([
    [[0], false],
    [[0, 1, 2], false],
    [[0, 1, 2], true],
    [[1, 0], true],
    [[1], false],
    [[0, 2], false],
    [[0, 1, 2, 3], false],
  ] as const)('wasm Sum and Mean over axes %j (keepDims %s) match cpu', async (axes, keepDims) => {
    for (const reduce of [tf.sum, tf.mean]) {
      await selectBackend({ backend: 'cpu' });
      const x = t([3, 5, 4, 7], 21);
      const want = reduce(x, [...axes], keepDims);
      const wantValues = want.dataSync().slice();
      await selectBackend({ backend: 'wasm' });
      const got = reduce(x, [...axes], keepDims);
      expect(got.shape).toEqual(want.shape);
      expect(maxRelError(got.dataSync(), wantValues)).toBeLessThan(1e-5);
      tf.dispose([x, want, got]);
    }
  });
});
