import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaksSync } from '@topk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import { forwardFeatures } from './forward-features.js';
import { createBackbone } from './registry.js';
import { fakeImages } from './test-helpers.js';
import type { Backbone } from './types.js';

let backbone: Backbone;
let images: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  backbone = createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8 });
  images = fakeImages([5, 8, 8, 3]);
});

afterAll(() => {
  images.dispose();
  backbone.model.dispose();
});

describe('forwardFeatures', () => {
  it('pools the feature map of a backbone: average, max, or [max, avg] concatenated', () => {
    const map = backbone.model.predict(images) as tf.Tensor4D;
    const avg = forwardFeatures(backbone, images);
    const max = forwardFeatures(backbone, images, { pool: 'max' });
    const concat = forwardFeatures(backbone, images, { pool: 'concat' });
    expect(avg.shape).toEqual([5, 8]);
    tf.test_util.expectArraysClose(avg.dataSync(), tf.mean(map, [1, 2]).dataSync(), 1e-6);
    tf.test_util.expectArraysClose(max.dataSync(), tf.max(map, [1, 2]).dataSync(), 1e-6);
    tf.test_util.expectArraysClose(concat.dataSync(), tf.concat([max, avg], 1).dataSync(), 1e-6);
    tf.dispose([map, avg, max, concat]);
  });

  it("returns a classifier's pooled features, equal to the backbone's, and its embeddings", () => {
    // Same seed, same weights as `backbone`, so its pooled features must equal the backbone's.
    const twin = createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8 });
    const net = createClassifier(twin, { numClasses: 3, embeddingSize: 4, pool: 'concat' });
    const fromNet = forwardFeatures(net, images);
    const fromBackbone = forwardFeatures(backbone, images, { pool: 'concat' });
    tf.test_util.expectArraysClose(fromNet.dataSync(), fromBackbone.dataSync(), 1e-6);
    const embeddings = forwardFeatures(net, images, { output: 'embedding' });
    // The embedding layer is linear on the pooled features.
    const [kernel, bias] = net.model.getLayer('head_embedding').getWeights();
    const reference = tf.add(tf.matMul(fromBackbone, kernel!), bias!);
    tf.test_util.expectArraysClose(embeddings.dataSync(), reference.dataSync(), 1e-5);
    // getWeights() hands out the variables themselves, which the model still owns.
    tf.dispose([fromNet, fromBackbone, embeddings, reference]);
    net.model.dispose();
  });

  it('gives the same result in batches and leaks nothing', () => {
    const whole = forwardFeatures(backbone, images);
    const batched = expectNoLeaksSync(() => forwardFeatures(backbone, images, { batchSize: 2 }));
    tf.test_util.expectArraysClose(batched.dataSync(), whole.dataSync(), 1e-6);
    tf.dispose([whole, batched]);
  });

  it('concatenates across models into meta-embeddings', () => {
    const other = createBackbone('simple-cnn', { channels: [4, 6], inputSize: 8, seed: 1 });
    const meta = tf.tidy(() =>
      tf.concat([forwardFeatures(backbone, images), forwardFeatures(other, images)], 1),
    );
    expect(meta.shape).toEqual([5, 14]);
    meta.dispose();
    other.model.dispose();
  });

  it('rejects bad inputs', () => {
    const net = createClassifier(createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8 }), {
      numClasses: 3,
    });
    const wrong = tf.zeros([1, 9, 8, 3]) as tf.Tensor4D;
    expect(() => forwardFeatures(backbone, wrong)).toThrow(
      'Error in forwardFeatures: images must be of shape [N, 8, 8, 3], got a rank-4 tensor of shape [1, 9, 8, 3]',
    );
    expect(() => forwardFeatures(backbone, tf.zeros([8, 8, 3]) as unknown as tf.Tensor4D)).toThrow(
      'images must be a rank-4 tensor',
    );
    expect(() => forwardFeatures(backbone, images, { batchSize: 0 })).toThrow(
      'options.batchSize must be a positive integer',
    );
    expect(() => forwardFeatures(backbone, images, { output: 'embedding' })).toThrow('for a backbone');
    expect(() => forwardFeatures(net, images, { output: 'embedding' })).toThrow(
      'for a classifier without embedding',
    );
    expect(() => forwardFeatures(backbone, images, { pool: 'sum' as 'avg' })).toThrow(
      'options.pool must be one of',
    );
    expect(() => forwardFeatures({} as Backbone, images)).toThrow('model must be a backbone or classifier');
    wrong.dispose();
    net.model.dispose();
  });
});
