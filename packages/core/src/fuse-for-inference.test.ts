import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { fixedValues as values } from './fixed-values.js';
import { fuseForInference } from './fuse-for-inference.js';
import {
  nativeCallCount,
  prepareNativeKernels,
  setNativeKernelsEnabled,
} from './kernels/native/native-kernels.js';
import { selectBackend } from './select-backend.js';

type Node = tfl.SymbolicTensor;

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 5);
}

/** Sets every weight to seeded values; batch-norm variances positive and away from 1 so folding matters. */
function setWeights(model: tfl.LayersModel, seed: number): void {
  let k = seed;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const weights = layer.weights.map((w) => {
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const positive = /moving_variance|gamma/.test(w.originalName);
      return tf.tensor(values(size, k++, positive ? 0.3 : -0.6, positive ? 2 : 0.6), w.shape as number[]);
    });
    layer.setWeights(weights);
    tf.dispose(weights);
  }
}

const bn = (x: Node, options: { readonly scale?: boolean; readonly center?: boolean } = {}): Node =>
  tfl.layers.batchNormalization({ epsilon: 1e-3, ...options }).apply(x) as Node;
const relu6 = (x: Node): Node => tfl.layers.reLU({ maxValue: 6 }).apply(x) as Node;

/** Every pattern the plan knows, and the ones it must leave alone. */
function buildModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [9, 7, 3] });
  // Asymmetric ZeroPadding2D → conv (no bias, valid) → bn → relu6: one convolution with explicit padding.
  const padded = tfl.layers
    .zeroPadding2d({
      padding: [
        [1, 2],
        [0, 1],
      ],
    })
    .apply(input) as Node;
  let x = relu6(
    bn(
      tfl.layers
        .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false })
        .apply(padded) as Node,
    ),
  );
  // depthwise (multiplier 2, with bias) → bn without scale → relu: fused.
  x = tfl.layers
    .reLU()
    .apply(
      bn(
        tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }).apply(x) as Node,
        { scale: false },
      ),
    ) as Node;
  // conv with bias → bn without center, no activation: folded, linear.
  const projected = bn(tfl.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(x) as Node, { center: false });
  // Residual whose branch output is read twice: the conv output feeds bn and the add, so nothing folds.
  const branch = tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }).apply(projected) as Node;
  const sum = tfl.layers.add().apply([bn(branch), branch]) as Node;
  // Activation inside the conv, then bn: bn cannot fold across the activation.
  const late = bn(
    tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', padding: 'valid' }).apply(sum) as Node,
  );
  // conv → Activation('sigmoid') without bn: activation folded.
  const gated = tfl.layers
    .activation({ activation: 'sigmoid' })
    .apply(tfl.layers.conv2d({ filters: 6, kernelSize: 1, dilationRate: 1 }).apply(late) as Node) as Node;
  // Separable conv → bn → relu6: the depthwise pass, then one fused pointwise convolution.
  const separated = relu6(
    bn(
      tfl.layers
        .separableConv2d({ filters: 6, kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false })
        .apply(gated) as Node,
    ),
  );
  // A nested model, dropout and a dense head.
  const inner = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [3, 1, 6], filters: 4, kernelSize: 1, useBias: false }),
      tfl.layers.batchNormalization({}),
      tfl.layers.reLU({ maxValue: 6 }),
    ],
  });
  const nested = inner.apply(separated) as Node;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(nested) as Node;
  const dropped = tfl.layers.dropout({ rate: 0.5 }).apply(pooled) as Node;
  const output = tfl.layers.dense({ units: 5, activation: 'softmax' }).apply(dropped) as Node;
  const model = tfl.model({ inputs: input, outputs: output });
  setWeights(model, 11);
  setWeights(inner, 97);
  return model;
}

function compareWithPredict(model: tfl.LayersModel) {
  const x = tf.tensor(values(2 * 9 * 7 * 3, 5, -2, 2), [2, 9, 7, 3]);
  const fused = fuseForInference(model);
  const expected = model.predict(x) as tf.Tensor;
  const before = tf.memory().numTensors;
  const actual = fused.predict(x) as tf.Tensor;
  expect(tf.memory().numTensors).toBe(before + 1);
  const result = { report: fused.report, expected: expected.arraySync(), actual: actual.arraySync() };
  tf.dispose([x, expected, actual]);
  fused.dispose();
  return result;
}

describe('fuseForInference', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('folds a 1x1 convolution, batch-norm and ReLU6 into the closed-form affine map', () => {
    // One pixel, one input and one output channel: y = relu6(γ·(w·x − μ)/√(σ² + ε) + β).
    const input = tfl.input({ shape: [1, 1, 1] });
    const output = relu6(
      bn(tfl.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }).apply(input) as Node),
    );
    const model = tfl.model({ inputs: input, outputs: output });
    const [w, gamma, beta, mean, variance] = [2, 1.5, 0.25, 0.5, 3];
    model.layers[1]!.setWeights([tf.tensor4d([w], [1, 1, 1, 1])]);
    model.layers[2]!.setWeights([
      tf.tensor1d([gamma]),
      tf.tensor1d([beta]),
      tf.tensor1d([mean]),
      tf.tensor1d([variance]),
    ]);
    const fused = fuseForInference(model);
    expect(fused.report).toEqual({
      fusedConvolutions: 1,
      foldedBatchNorms: 1,
      foldedActivations: 1,
      foldedPaddings: 0,
      layersAsIs: 0,
      invertedResidualBlocks: 0,
    });
    const xs = [-1, 0.1, 1, 2.5, 10];
    const y = fused.predict(tf.tensor4d(xs, [5, 1, 1, 1])) as tf.Tensor;
    const expected = xs.map((x) =>
      Math.min(6, Math.max(0, (gamma * (w * x - mean)) / Math.sqrt(variance + 1e-3) + beta)),
    );
    const got = Array.from(y.dataSync());
    expectClose(got, expected);
    fused.dispose();
    tf.dispose(y);
  });

  it('equals model.predict on a graph with foldable and unfoldable chains and a nested model', () => {
    const model = buildModel();
    const { report, expected, actual } = compareWithPredict(model);
    // conv→bn→relu6, depthwise→bn→relu, conv→bn, conv→sigmoid, separable→bn→relu6, and inside the nested
    // model conv→bn→relu6.
    expect(report).toEqual({
      fusedConvolutions: 6,
      foldedBatchNorms: 5,
      foldedActivations: 5,
      foldedPaddings: 1,
      layersAsIs: 8,
      invertedResidualBlocks: 0,
    });
    const flatExpected = (expected as number[][]).flat();
    expectClose((actual as number[][]).flat(), flatExpected);
  });

  it('runs a Sequential model, and with fuse: false folds nothing', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, useBias: false }),
        tfl.layers.batchNormalization({}),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    setWeights(model, 3);
    const x = tf.tensor(values(3 * 6 * 6 * 2, 9, -1, 1), [3, 6, 6, 2]);
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    for (const fuse of [true, false]) {
      const plan = fuseForInference(model, { fuse });
      expect(plan.report.foldedBatchNorms).toBe(fuse ? 1 : 0);
      expect(plan.report.layersAsIs).toBe(fuse ? 2 : 5);
      const y = plan.predict(x) as tf.Tensor;
      expectClose((y.arraySync() as number[][]).flat(), expected.flat());
      tf.dispose(y);
      plan.dispose();
    }
    tf.dispose(x);
  });

  it('frees its folded weights on dispose and leaves the model untouched', () => {
    const model = buildModel();
    const before = tf.memory().numTensors;
    const plan = fuseForInference(model);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    plan.dispose();
    expect(tf.memory().numTensors).toBe(before);
    plan.dispose();
    const x = tf.zeros([1, 9, 7, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 5]);
    tf.dispose([x, y]);
  });

  it('rejects what is not a layers model, wrong inputs, and use after dispose', () => {
    expect(() => fuseForInference({} as tfl.LayersModel)).toThrow(InvalidArgumentError);
    expect(() => fuseForInference({} as tfl.LayersModel)).toThrow(/Error in fuseForInference: model must be/);
    const model = buildModel();
    expect(() => fuseForInference(model, { fuse: 'yes' as unknown as boolean })).toThrow(
      /options.fuse must be a boolean/,
    );
    const plan = fuseForInference(model);
    const x = tf.zeros([1, 9, 7, 3]);
    expect(() => plan.predict([x, x])).toThrow(/inputs must be 1 tensor\(s\), one per model input, got 2/);
    plan.dispose();
    expect(() => plan.predict(x)).toThrow(/disposed/);
    tf.dispose(x);
  });

  it('gives the same outputs on wasm, where it runs XNNPACK fused convolutions', async () => {
    await selectBackend({ backend: 'wasm', purpose: 'predict' });
    const model = buildModel();
    const { expected, actual } = compareWithPredict(model);
    const flatExpected = (expected as number[][]).flat();
    expectClose((actual as number[][]).flat(), flatExpected);
    await tf.setBackend('cpu');
  });

  it('runs MobileNetV2 inverted residual blocks as one native call each on wasm, equal to model.predict', async () => {
    const status = await prepareNativeKernels();
    const conv = (x: Node, filters: number, activation?: 'relu6') => {
      const y = bn(tfl.layers.conv2d({ filters, kernelSize: 1, useBias: false }).apply(x) as Node);
      return activation ? relu6(y) : y;
    };
    const depthwise = (x: Node, strides: number) =>
      relu6(
        bn(
          tfl.layers
            .depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false })
            .apply(x) as Node,
        ),
      );
    // Three blocks: no expansion (t = 1), expansion with stride 2 and 13 output channels, and a residual
    // block (Add of its input) with an odd hidden width.
    const input = tfl.input({ shape: [11, 9, 5] });
    const first = conv(depthwise(input, 1), 8);
    const second = conv(depthwise(conv(first, 20, 'relu6'), 2), 13);
    const third = tfl.layers.add().apply([second, conv(depthwise(conv(second, 30, 'relu6'), 1), 13)]) as Node;
    const model = tfl.model({ inputs: input, outputs: third });
    setWeights(model, 11);
    const x = tf.tensor(values(3 * 11 * 9 * 5, 4, -2, 2), [3, 11, 9, 5]);
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][][][];
    await selectBackend({ backend: 'wasm', purpose: 'predict' });
    const plan = fuseForInference(model);
    expect(plan.report.invertedResidualBlocks).toBe(3);
    for (const native of status.ok ? [true, false] : [false]) {
      setNativeKernelsEnabled(native);
      const calls = nativeCallCount();
      const y = plan.predict(x) as tf.Tensor;
      // three blocks natively; without the native kernels their convolutions run one by one on XNNPACK
      if (native) expect(nativeCallCount() - calls).toBe(3);
      else expect(nativeCallCount()).toBe(calls);
      expectClose((y.arraySync() as number[][][][]).flat(3), expected.flat(3));
      tf.dispose(y);
    }
    setNativeKernelsEnabled(true);
    plan.dispose();
    tf.dispose(x);
    await tf.setBackend('cpu');
  });
});
