import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClassifierOptions, classifierFromConfig, createClassifier, createHead } from './classifier.js';
import { createBackbone } from './registry.js';
import { countTrainable, fakeImages, sameValues, snapshot } from './test-helpers.js';
import type { Backbone } from './types.js';

// simple-cnn with blocks of 4 and 8 channels: 8 pooled features (16 with concat pooling).
const tiny = (seed = 0): Backbone => createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8, seed });
const TINY_BACKBONE_PARAMS = 9 * 3 * 4 + 2 * 4 + 9 * 4 * 8 + 2 * 8;

function classifier(options: ClassifierOptions, seed = 0) {
  return createClassifier(tiny(seed), options);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createClassifier', () => {
  it("defaults to timm's head: average pooling and one dense layer with softmax", () => {
    const net = classifier({ numClasses: 5 });
    expect(countTrainable(net.model)).toBe(TINY_BACKBONE_PARAMS + 8 * 5 + 5);
    expect(net.layerGroups.at(-1)).toEqual({ name: 'head', layers: ['head_pool', 'predictions'] });
    expect(net.head).toEqual({
      numFeatures: 8,
      numClasses: 5,
      embeddingSize: null,
      hiddenUnits: [],
      dropout: [0],
      batchNorm: false,
      multiLabel: false,
      logits: false,
      seed: 0,
      pool: 'avg',
    });
    expect(net.output).toBe('probabilities');
    const x = fakeImages([3, 8, 8, 3]);
    const p = net.model.predict(x) as tf.Tensor;
    expect(p.shape).toEqual([3, 5]);
    tf.test_util.expectArraysClose(tf.sum(p, 1).dataSync(), [1, 1, 1], 1e-5);
    tf.dispose([x, p]);
    net.model.dispose();
  });

  it("builds fastai's head: concat pooling, batch-norm, ps / 2 then ps dropout, hidden ReLU layer", () => {
    const net = classifier({
      numClasses: 3,
      pool: 'concat',
      hiddenUnits: [6],
      batchNorm: true,
      dropout: 0.4,
    });
    // fastai create_head: BN(16), Dropout(ps/2), Linear(16, 6), ReLU, BN(6), Dropout(ps), Linear(6, 3).
    expect(net.head.dropout).toEqual([0.2, 0.4]);
    expect(net.numFeatures).toBe(16);
    expect(countTrainable(net.model)).toBe(
      TINY_BACKBONE_PARAMS + 2 * 16 + (16 * 6 + 6) + 2 * 6 + (6 * 3 + 3),
    );
    expect(net.layerGroups.at(-1)!.layers).toEqual([
      'head_max_pool',
      'head_avg_pool',
      'head_pool',
      'head_bn1',
      'head_dropout1',
      'head_dense1',
      'head_bn',
      'head_dropout',
      'predictions',
    ]);
    const dropouts = net.model.layers.filter((l) => l.getClassName() === 'TopkSeededDropout');
    expect(dropouts.map((l) => (l.getConfig() as { rate: number }).rate)).toEqual([0.2, 0.4]);
    net.model.dispose();
  });

  it('takes one dropout rate per linear layer', () => {
    const net = classifier({ numClasses: 2, hiddenUnits: [4, 4], dropout: [0.1, 0, 0.3] });
    expect(net.head.dropout).toEqual([0.1, 0, 0.3]);
    expect(net.model.layers.filter((l) => l.getClassName() === 'TopkSeededDropout')).toHaveLength(2);
    net.model.dispose();
  });

  it('gives independent sigmoid outputs for multi-label and raw logits on request', () => {
    const x = fakeImages([2, 8, 8, 3]);
    const multi = classifier({ numClasses: 4, multiLabel: true });
    const logits = classifier({ numClasses: 4, multiLabel: true, logits: true });
    const p = multi.model.predict(x) as tf.Tensor;
    const z = logits.model.predict(x) as tf.Tensor;
    // Same seed, same weights: the sigmoid of the logits is the multi-label output.
    tf.test_util.expectArraysClose(p.dataSync(), tf.sigmoid(z).dataSync(), 1e-6);
    expect(Math.abs(tf.sum(p, 1).dataSync()[0]! - 1)).toBeGreaterThan(1e-3);
    expect(logits.output).toBe('logits');
    tf.dispose([x, p, z]);
    multi.model.dispose();
    logits.model.dispose();
  });

  it('builds embedding-only heads and embedding + classifier heads', () => {
    const embed = classifier({ embeddingSize: 6, pool: 'max' });
    expect(embed.output).toBe('embedding');
    expect(embed.model.outputs[0]!.shape).toEqual([null, 6]);
    expect(countTrainable(embed.model)).toBe(TINY_BACKBONE_PARAMS + 8 * 6 + 6);
    const both = classifier({ embeddingSize: 6, numClasses: 3 });
    expect(both.layerGroups.at(-1)!.layers).toEqual(['head_pool', 'head_embedding', 'predictions']);
    expect(countTrainable(both.model)).toBe(TINY_BACKBONE_PARAMS + 8 * 6 + 6 + 6 * 3 + 3);
    embed.model.dispose();
    both.model.dispose();
  });

  it('shares the backbone layers and weights', () => {
    const backbone = tiny();
    const net = createClassifier(backbone, { numClasses: 2 });
    expect(net.model.getLayer('block1_conv')).toBe(backbone.model.getLayer('block1_conv'));
    expect(net.layerGroups.slice(0, -1)).toEqual(backbone.layerGroups);
    expect(net.dataConfig).toBe(backbone.dataConfig);
    net.model.dispose();
  });

  it('predicts without leaking tensors', () => {
    const net = classifier({ numClasses: 2, hiddenUnits: [4], batchNorm: true, dropout: 0.5 });
    const x = fakeImages([2, 8, 8, 3]);
    expectNoLeaksSync(() => (net.model.predict(x) as tf.Tensor).dispose());
    expectNoLeaksSync(() => (net.model.apply(x, { training: true }) as tf.Tensor).dispose());
    x.dispose();
    net.model.dispose();
  });

  it('rebuilds the same classifier, weights included, from its config', () => {
    const net = classifier({ numClasses: 3, pool: 'concat', hiddenUnits: [5], seed: 7 }, 4);
    const again = classifierFromConfig(JSON.parse(JSON.stringify(net.config)));
    expect(again.config).toEqual(net.config);
    const [a, b] = [snapshot(net.model), snapshot(again.model)];
    for (const [name, values] of a) expect(sameValues(values, b.get(name)), name).toBe(true);
    const other = classifier({ numClasses: 3, pool: 'concat', hiddenUnits: [5], seed: 8 }, 4);
    expect(sameValues(snapshot(other.model).get('predictions/kernel'), a.get('predictions/kernel'))).toBe(
      false,
    );
    for (const n of [net, again, other]) n.model.dispose();
  });

  it('rejects bad options', () => {
    const backbone = tiny();
    expect(() => createClassifier(backbone, {})).toThrow(
      'Error in createClassifier: options.numClasses must be a positive integer (or give embeddingSize), got undefined',
    );
    expect(() => createClassifier(backbone, { numClasses: 0 })).toThrow(InvalidArgumentError);
    expect(() => createClassifier(backbone, { numClasses: 2, pool: 'sum' as 'avg' })).toThrow(
      'options.pool must be one of avg, max, concat, got "sum"',
    );
    expect(() => createClassifier(backbone, { numClasses: 2, dropout: 1 })).toThrow(
      'options.dropout must be a number in [0, 1)',
    );
    expect(() => createClassifier(backbone, { numClasses: 2, hiddenUnits: [4], dropout: [0.1] })).toThrow(
      'options.dropout must be a rate in [0, 1) or an array of 2 rates',
    );
    expect(() => createClassifier(backbone, { numClasses: 2, hiddenUnits: [0] })).toThrow(
      'options.hiddenUnits[0]',
    );
    expect(() =>
      createClassifier(backbone, { numClasses: 2, batchNorm: 'yes' as unknown as boolean }),
    ).toThrow('options.batchNorm must be a boolean');
    expect(() => createClassifier(backbone, { numClasses: 2, seed: -0.5 })).toThrow(
      'options.seed must be a safe integer',
    );
    expect(() => createClassifier({} as Backbone, { numClasses: 2 })).toThrow(
      'Error in createClassifier: backbone must be a backbone from createBackbone',
    );
    expect(() => classifierFromConfig(null as never)).toThrow(InvalidArgumentError);
    backbone.model.dispose();
  });
});

describe('createHead', () => {
  it("matches a classifier head's layers and initial weights for the same options and seed", () => {
    const options = { numClasses: 3, hiddenUnits: [5], batchNorm: true, dropout: 0.2, seed: 2 };
    const head = createHead(16, options);
    const net = classifier({ ...options, pool: 'concat' });
    expect(head.layerGroups).toEqual([
      {
        name: 'head',
        layers: [
          'head_input',
          'head_bn1',
          'head_dropout1',
          'head_dense1',
          'head_bn',
          'head_dropout',
          'predictions',
        ],
      },
    ]);
    const netWeights = snapshot(net.model);
    for (const [name, values] of snapshot(head.model))
      expect(sameValues(values, netWeights.get(name)), name).toBe(true);
    expect(head.head).toEqual({ ...net.head, pool: null });
    head.model.dispose();
    net.model.dispose();
  });

  it('rejects a bad feature count', () => {
    expect(() => createHead(0, { numClasses: 2 })).toThrow(
      'Error in createHead: numFeatures must be a positive integer, got 0',
    );
  });
});
