import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng, TopkError } from '@topk/core';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArcFace } from './arc-face.js';
import { CosFace } from './cos-face.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: { dispose(): void }[] = [];
afterEach(() => {
  for (const item of live.splice(0)) item.dispose();
});

const at = (angle: number): tf.Tensor2D => tf.tensor2d([[Math.cos(angle), Math.sin(angle)]]);

describe('CosFace', () => {
  it('matches a worked example: cos θ = 0.5 to the target, s = 30, m = 0.35', () => {
    // Target logit 30 · (0.5 − 0.35) = 4.5, other 30 · cos(π/6) = 25.9807621;
    // loss = logSumExp(4.5, 25.9807621) − 4.5 = 21.4807621.
    const head = new CosFace({ embeddingSize: 2, numClasses: 2 });
    live.push(head);
    head.weights.assign(tf.tensor2d([1, 0, 0, 1], [2, 2]));
    const y = tf.tensor1d([0], 'int32');
    expectValues(tf.reshape(head.marginLogits(at(Math.PI / 3), y), [2]), [4.5, 25.9807621135], 1e-4);
    expectValues(head.loss(at(Math.PI / 3), y), 21.480762114, 1e-4);
    expectValues(tf.reshape(head.logits(at(Math.PI / 3)), [2]), [15, 25.9807621135], 1e-4);
  });

  it('with margin 0 equals ArcFace with margin 0', () => {
    const rng = new Rng('cosface');
    const e = tf.tensor2d(
      Float32Array.from({ length: 30 }, () => rng.normal()),
      [5, 6],
    );
    const y = tf.tensor1d([0, 1, 2, 3, 0], 'int32');
    const cos = new CosFace({ embeddingSize: 6, numClasses: 4, margin: 0, seed: 9, subCenters: 3 });
    const arc = new ArcFace({ embeddingSize: 6, numClasses: 4, margin: 0, seed: 9, subCenters: 3 });
    live.push(cos, arc);
    expect(scalarValue(cos.loss(e, y))).toBeCloseTo(scalarValue(arc.loss(e, y)), 5);
  });

  it('has finite-difference-checked gradients and stays finite at the extremes', () => {
    const rng = new Rng('cosface-grad');
    const e = tf.tensor2d(
      Float32Array.from({ length: 12 }, () => rng.normal()),
      [4, 3],
    );
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const head = new CosFace({ embeddingSize: 3, numClasses: 3, scale: 4, subCenters: 2, seed: 2 });
    live.push(head);
    checkGradient((x) => head.loss(x as tf.Tensor2D, y), [e]);
    const extreme = tf.tensor2d([0, 0, 0, 1e4, -1e4, 1e4, -1e4, 0, 0, 1, 1, 1], [4, 3]);
    finiteGradient((x) => head.loss(x as tf.Tensor2D, y), extreme);
    const one = new CosFace({ embeddingSize: 3, numClasses: 1 });
    live.push(one);
    expectValues(one.loss(e, tf.tensor1d([0, 0, 0, 0], 'int32')), 0);
  });

  it('round-trips its config, frees what it makes and rejects bad input', () => {
    const head = new CosFace({ embeddingSize: 3, numClasses: 2, seed: 4, reduction: 'none' });
    const copy = CosFace.fromConfig(JSON.parse(JSON.stringify(head.toConfig())));
    live.push(copy);
    expect(Array.from(copy.weights.dataSync())).toEqual(Array.from(head.weights.dataSync()));
    expect(head.toConfig()).toEqual({
      type: 'cosFace',
      embeddingSize: 3,
      numClasses: 2,
      scale: 30,
      margin: 0.35,
      subCenters: 1,
      seed: 4,
      reduction: 'none',
    });
    const e = tf.ones([2, 3]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1], 'int32');
    const perExample = expectNoLeaksSync(() => head.loss(e, y));
    expect(perExample.shape).toEqual([2]);
    perExample.dispose();
    head.dispose();
    expect(() => head.logits(e)).toThrow(TopkError);
    expectInvalid(() => new CosFace({ embeddingSize: 3, numClasses: 2, margin: -0.1 }), 'CosFace', 'margin');
    expectInvalid(() => copy.loss(tf.zeros([2, 2]) as tf.Tensor2D, y), 'CosFace.loss', 'embeddings');
    expectInvalid(() => copy.loss(e, tf.tensor2d([[1, 0]])), 'CosFace.loss', 'labels');
    expectInvalid(
      () => CosFace.fromConfig({ type: 'arcFace' } as never),
      'CosFace.fromConfig',
      'config.type',
    );
    tf.dispose([e, y]);
  });
});
