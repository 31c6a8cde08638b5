import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCustomLayers } from './custom-layers.js';
import { GroupedConv2D } from './grouped-conv2d.js';
import { fakeImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerCustomLayers();
});

/** Disposes a layer's weights (`Layer.dispose` refuses layers never applied symbolically). */
function release(layer: GroupedConv2D): void {
  for (const weight of layer.weights) weight.dispose();
}

/** Builds a layer on `[1, h, w, c]` inputs and sets its kernel. */
function built(
  args: ConstructorParameters<typeof GroupedConv2D>[0],
  inputShape: number[],
  kernel?: tf.Tensor,
) {
  const layer = new GroupedConv2D(args);
  layer.build([null, ...inputShape]);
  if (kernel !== undefined) layer.kernel!.write(kernel);
  return layer;
}

/**
 * The dense kernel equivalent to a grouped one: zeros outside the diagonal blocks, so an ordinary
 * convolution computes the grouped convolution's definition (PyTorch's `Conv2d(groups=g)`).
 */
function blockDiagonal(kernel: tf.Tensor4D, groups: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, inPerGroup, filters] = kernel.shape;
    const outPerGroup = filters / groups;
    const blocks = tf.split(kernel, groups, 3).map((block, g) =>
      tf.pad(block, [
        [0, 0],
        [0, 0],
        [g * inPerGroup, (groups - 1 - g) * inPerGroup],
        [0, 0],
      ]),
    );
    expect(blocks[0]!.shape).toEqual([kh, kw, inPerGroup * groups, outPerGroup]);
    return tf.concat(blocks, 3) as tf.Tensor4D;
  });
}

describe('GroupedConv2D', () => {
  it('holds exactly k * k * (in / groups) * filters kernel parameters', () => {
    const layer = built({ filters: 16, kernelSize: 3, groups: 4, useBias: true }, [5, 5, 8]);
    expect(layer.kernel!.shape).toEqual([3, 3, 2, 16]);
    expect(layer.countParams()).toBe(3 * 3 * 2 * 16 + 16);
    release(layer);
  });

  it('equals an ordinary convolution with the block-diagonal kernel', () => {
    const kernel = tf.randomNormal([3, 3, 2, 12], 0, 1, 'float32', 7) as tf.Tensor4D;
    const x = fakeImages([2, 7, 6, 6]);
    for (const [strides, padding] of [
      [1, 'same'],
      [2, 'same'],
      [2, 'valid'],
    ] as const) {
      const layer = built({ filters: 12, kernelSize: 3, groups: 3, strides, padding }, [7, 6, 6], kernel);
      const y = layer.apply(x) as tf.Tensor;
      const dense = blockDiagonal(kernel, 3);
      const reference = tf.conv2d(x, dense, strides, padding);
      expect(y.shape).toEqual(reference.shape);
      expect(y.shape).toEqual(layer.computeOutputShape([2, 7, 6, 6]));
      tf.test_util.expectArraysClose(y.dataSync(), reference.dataSync(), 1e-5);
      tf.dispose([y, dense, reference]);
      release(layer);
    }
    tf.dispose([kernel, x]);
  });

  it('is a depthwise convolution when groups equal the channels, and a plain one with one group', () => {
    const x = fakeImages([1, 5, 5, 4]);
    const depthwiseKernel = tf.randomNormal([3, 3, 1, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const depthwise = built({ filters: 4, kernelSize: 3, groups: 4 }, [5, 5, 4], depthwiseKernel);
    const a = depthwise.apply(x) as tf.Tensor;
    // tf.depthwiseConv2d takes [k, k, in, multiplier]: channel c uses kernel[..., c, 0].
    const b = tf.depthwiseConv2d(x, tf.reshape(depthwiseKernel, [3, 3, 4, 1]) as tf.Tensor4D, 1, 'same');
    tf.test_util.expectArraysClose(a.dataSync(), b.dataSync(), 1e-5);
    const plainKernel = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 4) as tf.Tensor4D;
    const plain = built({ filters: 6, kernelSize: 3 }, [5, 5, 4], plainKernel);
    const c = plain.apply(x) as tf.Tensor;
    const d = tf.conv2d(x, plainKernel, 1, 'same');
    tf.test_util.expectArraysClose(c.dataSync(), d.dataSync(), 1e-5);
    tf.dispose([x, depthwiseKernel, a, b, plainKernel, c, d]);
    release(depthwise);
    release(plain);
  });

  it('has input gradients that match finite differences', () => {
    const layer = built({ filters: 4, kernelSize: 3, groups: 2, strides: 2, useBias: true }, [5, 5, 4]);
    const x = fakeImages([1, 5, 5, 4]);
    const result = checkGradient((input) => layer.apply(input!) as tf.Tensor, [x], {
      atol: 5e-3,
      samples: 24,
    });
    expect(result.checked).toBe(24);
    x.dispose();
    release(layer);
  });

  it('has kernel gradients equal to the diagonal blocks of the dense equivalent', () => {
    const layer = built({ filters: 6, kernelSize: 3, groups: 3 }, [4, 4, 6]);
    const x = fakeImages([2, 4, 4, 6]);
    const r = fakeImages([2, 4, 4, 6], 3);
    const kernel = layer.kernel!.read() as tf.Variable;
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar,
      [kernel],
    );
    const dense = blockDiagonal(kernel as tf.Tensor as tf.Tensor4D, 3);
    const denseGrad = tf.grad((k: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, k as tf.Tensor4D, 1, 'same'), r)))(
      dense,
    );
    // Output block g of the dense kernel reads input block g: its gradient block is the grouped one.
    const reference = tf.concat(
      tf.split(denseGrad, 3, 3).map((block, g) => tf.slice(block, [0, 0, 2 * g, 0], [-1, -1, 2, -1])),
      3,
    );
    tf.test_util.expectArraysClose(grads[kernel.name]!.dataSync(), reference.dataSync(), 1e-4);
    tf.dispose([x, r, value, dense, denseGrad, reference, ...Object.values(grads)]);
    release(layer);
  });

  it('serialises its config and rebuilds inside a saved model', async () => {
    const input = tfl.input({ shape: [6, 6, 8] });
    const output = new GroupedConv2D({ name: 'g', filters: 8, kernelSize: 3, groups: 4, seed: 5 }).apply(
      input,
    );
    const model = tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const layer = loaded.getLayer('g') as GroupedConv2D;
    expect(layer).toBeInstanceOf(GroupedConv2D);
    expect(layer.getConfig()).toMatchObject({
      filters: 8,
      kernelSize: 3,
      groups: 4,
      strides: 1,
      padding: 'same',
      seed: 5,
    });
    const x = fakeImages([1, 6, 6, 8]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    tf.test_util.expectArraysEqual(a.dataSync(), b.dataSync());
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('creates no lasting tensors when called', () => {
    const layer = built({ filters: 8, kernelSize: 1, groups: 2 }, [3, 3, 4]);
    const x = fakeImages([1, 3, 3, 4]);
    expectNoLeaksSync(() => (layer.apply(x) as tf.Tensor).dispose());
    x.dispose();
    release(layer);
  });

  it('rejects impossible configurations', () => {
    expect(() => new GroupedConv2D({ filters: 10, kernelSize: 3, groups: 4 })).toThrow(
      'Error in GroupedConv2D: filters must be a multiple of groups (4), got 10',
    );
    expect(() => new GroupedConv2D({ filters: 8, kernelSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new GroupedConv2D({ filters: 8, kernelSize: 3, padding: 'causal' as 'same' })).toThrow(
      'padding must be "same" or "valid"',
    );
    expect(() => new GroupedConv2D({ filters: 8, kernelSize: 3, seed: 0.5 })).toThrow(InvalidArgumentError);
    const layer = new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 4 });
    expect(() => layer.build([null, 5, 5, 6])).toThrow(
      'input shape must be rank 4 with channels a multiple of groups (4)',
    );
  });
});
