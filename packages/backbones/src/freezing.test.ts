import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Classifier, createClassifier } from './classifier.js';
import { freeze, freezeTo, frozenGroups, guardFrozenBatchNorm, unfreeze, unfreezeLast } from './freezing.js';
import { createBackbone } from './registry.js';
import { countTrainable, cyclicLabels, fakeImages, sameValues, sgdStep, snapshot } from './test-helpers.js';
import type { GroupedModel } from './types.js';

// Groups: stem, stage1, stage2, head.
function tinyClassifier(): Classifier {
  return createClassifier(createBackbone('simple-cnn', { channels: [4, 8, 8], inputSize: 8 }), {
    numClasses: 3,
  });
}

/** A one-BN functional model, unguarded: what tfjs-layers does on its own. */
function plainBatchNormModel() {
  const input = tfl.input({ shape: [4] });
  const bn = tfl.layers.batchNormalization({ name: 'bn' });
  const output = tfl.layers.dense({ units: 1, kernelInitializer: 'ones' }).apply(bn.apply(input));
  return { model: tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor }), bn };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batch-norm while frozen', () => {
  it('tfjs-layers alone keeps updating the moving mean of a non-trainable batch-norm', () => {
    const { model, bn } = plainBatchNormModel();
    bn.trainable = false;
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    // Keras momentum 0.99: moving mean 0 -> 0.01 * batch mean [3, 4, 5, 6].
    tf.test_util.expectArraysClose(bn.getWeights()[2]!.dataSync(), [0.03, 0.04, 0.05, 0.06], 1e-6);
    x.dispose();
    model.dispose();
  });

  it('runs frozen batch-norm in inference mode once guarded, and in training mode when trainable', () => {
    const { model, bn } = plainBatchNormModel();
    expect(guardFrozenBatchNorm(model)).toBe(1);
    expect(guardFrozenBatchNorm(model)).toBe(1);
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    bn.trainable = false;
    const frozenOut = model.apply(x, { training: true }) as tf.Tensor;
    const inference = model.predict(x) as tf.Tensor;
    tf.test_util.expectArraysEqual(frozenOut.dataSync(), inference.dataSync());
    tf.test_util.expectArraysEqual(bn.getWeights()[2]!.dataSync(), [0, 0, 0, 0]);
    // model.trainable = false flips the weights, not the layers: still recognised as frozen.
    bn.trainable = true;
    model.trainable = false;
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    tf.test_util.expectArraysEqual(bn.getWeights()[2]!.dataSync(), [0, 0, 0, 0]);
    model.trainable = true;
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    tf.test_util.expectArraysClose(bn.getWeights()[2]!.dataSync(), [0.03, 0.04, 0.05, 0.06], 1e-6);
    tf.dispose([x, frozenOut, inference]);
    model.dispose();
  });

  it('holds through model.fit, the path tfjs training takes', async () => {
    const { model, bn } = plainBatchNormModel();
    guardFrozenBatchNorm(model);
    bn.trainable = false;
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const y = tf.zeros([2, 1]);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    tf.test_util.expectArraysEqual(bn.getWeights()[2]!.dataSync(), [0, 0, 0, 0]);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('freezing', () => {
  it('freezes all but the head, then unfreezes gradually', () => {
    const net = tinyClassifier();
    const headParams = 8 * 3 + 3;
    const all = countTrainable(net.model);
    freeze(net);
    expect(frozenGroups(net)).toEqual(['stem', 'stage1', 'stage2']);
    expect(countTrainable(net.model)).toBe(headParams);
    unfreezeLast(net, 2);
    expect(frozenGroups(net)).toEqual(['stem', 'stage1']);
    // stage2: conv 3x3 8 -> 8 and its batch-norm.
    expect(countTrainable(net.model)).toBe(headParams + 9 * 8 * 8 + 2 * 8);
    freezeTo(net, -3);
    expect(frozenGroups(net)).toEqual(['stem']);
    unfreeze(net);
    expect(frozenGroups(net)).toEqual([]);
    expect(countTrainable(net.model)).toBe(all);
    unfreezeLast(net, 0);
    expect(frozenGroups(net)).toEqual(['stem', 'stage1', 'stage2', 'head']);
    expect(countTrainable(net.model)).toBe(0);
    net.model.dispose();
  });

  it('keeps frozen weights and batch-norm statistics bit-identical through a training step', () => {
    const net = tinyClassifier();
    freezeTo(net, 2);
    const x = fakeImages([4, 8, 8, 3]);
    const y = cyclicLabels(4, 3);
    const before = snapshot(net.model);
    sgdStep(net.model, x, y, 0.1);
    const after = snapshot(net.model);
    for (const name of [
      'block1_conv/kernel',
      'block1_bn/gamma',
      'block1_bn/moving_mean',
      'block2_bn/moving_variance',
    ]) {
      expect(sameValues(before.get(name), after.get(name)), name).toBe(true);
    }
    for (const name of [
      'block3_conv/kernel',
      'block3_bn/gamma',
      'block3_bn/moving_mean',
      'predictions/kernel',
    ]) {
      expect(sameValues(before.get(name), after.get(name)), name).toBe(false);
    }
    tf.dispose([x, y]);
    net.model.dispose();
  });

  it('trains the batch-norm layers of frozen groups with trainBatchNorm (fastai train_bn)', () => {
    const net = tinyClassifier();
    freeze(net, { trainBatchNorm: true });
    expect(frozenGroups(net)).toEqual(['stem', 'stage1', 'stage2']);
    // Head plus gamma and beta of the three batch-norm layers.
    expect(countTrainable(net.model)).toBe(8 * 3 + 3 + 2 * (4 + 8 + 8));
    const x = fakeImages([4, 8, 8, 3]);
    const y = cyclicLabels(4, 3);
    const before = snapshot(net.model);
    sgdStep(net.model, x, y, 0.1);
    const after = snapshot(net.model);
    expect(sameValues(before.get('block1_conv/kernel'), after.get('block1_conv/kernel'))).toBe(true);
    expect(sameValues(before.get('block1_bn/gamma'), after.get('block1_bn/gamma'))).toBe(false);
    expect(sameValues(before.get('block1_bn/moving_mean'), after.get('block1_bn/moving_mean'))).toBe(false);
    tf.dispose([x, y]);
    net.model.dispose();
  });

  it('rejects bad arguments', () => {
    const net = tinyClassifier();
    expect(() => freezeTo(net, 5)).toThrow('Error in freezeTo: index must be an integer in [-4, 4], got 5');
    expect(() => freezeTo(net, 1.5)).toThrow(InvalidArgumentError);
    expect(() => unfreezeLast(net, -1)).toThrow(
      'Error in unfreezeLast: n must be an integer in [0, 4], got -1',
    );
    expect(() => freeze(net, { trainBatchNorm: 1 as unknown as boolean })).toThrow(
      'options.trainBatchNorm must be a boolean',
    );
    expect(() => freeze({} as GroupedModel)).toThrow(
      'Error in freeze: model must be a backbone or classifier with layerGroups',
    );
    expect(() => frozenGroups(null as unknown as GroupedModel)).toThrow(InvalidArgumentError);
    net.model.dispose();
  });
});
