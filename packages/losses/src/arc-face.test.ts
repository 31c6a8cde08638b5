import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng, TopkError } from '@topk/core';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArcFace, additiveAngularMargin } from './arc-face.js';
import { classCosine, l2Normalize } from './cosine-classifier.js';
import { crossEntropy, softmaxCrossEntropy } from './cross-entropy.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';
import { oneHot } from './validate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: { dispose(): void }[] = [];
afterEach(() => {
  for (const item of live.splice(0)) item.dispose();
});

function arcFace<R extends 'mean' | 'sum' | 'none' = 'mean'>(
  options: Partial<ConstructorParameters<typeof ArcFace<R>>[0]> = {},
): ArcFace<R> {
  const head = new ArcFace<R>({ embeddingSize: 2, numClasses: 2, ...options });
  live.push(head);
  return head;
}

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

// Class 0 centred on the x axis, class 1 on the y axis; with sub-centres, the second sub-centre of each
// class points the opposite way.
const axes = (): tf.Tensor2D => tf.tensor2d([1, 0, 0, 1], [2, 2]);
const axesWithOpposites = (): tf.Tensor2D => tf.tensor2d([1, -1, 0, 0, 0, 0, 1, -1], [2, 4]);
const at = (angle: number, radius = 1): tf.Tensor2D =>
  tf.tensor2d([[radius * Math.cos(angle), radius * Math.sin(angle)]]);

describe('ArcFace', () => {
  it('matches a worked example: θ = π/3 to the target class, s = 30, m = 0.5', () => {
    // cos θ₀ = 0.5 (class 0, the target), cos θ₁ = cos(π/6) = 0.8660254.
    // Target logit 30 · cos(π/3 + 0.5) = 30 · 0.0235966 = 0.7078976; other 30 · 0.8660254 = 25.9807621.
    // Loss = logSumExp(0.7078976, 25.9807621) − 0.7078976 = 25.2728646.
    const head = arcFace({ scale: 30, margin: 0.5 });
    head.weights.assign(axes());
    const e = at(Math.PI / 3, 2); // the norm does not matter
    const y = tf.tensor1d([0], 'int32');
    expectValues(tf.reshape(head.marginLogits(e, y), [2]), [0.7078975587, 25.9807621135], 1e-4);
    expectValues(head.loss(e, y), 25.2728645548, 1e-4);
    // logits() is the margin-free score: 30 · cos θ.
    expectValues(tf.reshape(head.logits(e), [2]), [15, 25.9807621135], 1e-4);
    // One-hot float labels give the same loss.
    expectValues(head.loss(e, tf.tensor2d([[1, 0]])), 25.2728645548, 1e-4);
  });

  it('falls back to cos θ − m · sin m once θ + m > π, or keeps cos θ with easyMargin', () => {
    // θ = 2.9 > π − 0.5: cos θ = −0.9709582; cos(θ + m) would be −0.9667982, larger than cos θ, so the margin
    // would help. The fallback gives cos θ − 0.5 · sin 0.5 = −1.2106709 → 30× = −36.3201280.
    // Other class: 30 · sin 2.9 = 7.1774799. Loss = logSumExp(−36.3201280, 7.1774799) + 36.3201280 = 43.4976079.
    const y = tf.tensor1d([0], 'int32');
    const e = at(2.9);
    const head = arcFace();
    head.weights.assign(axes());
    expectValues(tf.reshape(head.marginLogits(e, y), [2]), [-36.3201280336, 7.1774798764], 1e-4);
    expectValues(head.loss(e, y), 43.49760791, 1e-4);
    // easyMargin: cos θ ≤ 0, so the target logit stays 30 · cos θ = −29.1287450; loss 36.3062248.
    const easy = arcFace({ easyMargin: true });
    easy.weights.assign(axes());
    expectValues(tf.reshape(easy.marginLogits(e, y), [2]), [-29.1287449545, 7.1774798764], 1e-4);
    expectValues(easy.loss(e, y), 36.3062248309, 1e-4);
    // Below the threshold easyMargin changes nothing.
    expect(scalarValue(easy.loss(at(Math.PI / 3), y))).toBeCloseTo(25.2728645548, 3);
  });

  it('with margin 0 equals scaled softmax cross-entropy on normalised features and weights', () => {
    const rng = new Rng('arcface-m0');
    const head = new ArcFace({ embeddingSize: 8, numClasses: 5, margin: 0, scale: 16, seed: 3 });
    live.push(head);
    const e = randomTensor(rng, [6, 8]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
    const reference = tf.tidy(() => {
      const w = tf.transpose(l2Normalize(tf.transpose(head.weights) as tf.Tensor2D));
      return crossEntropy()(y, tf.mul(tf.matMul(l2Normalize(e), w), 16));
    });
    expect(scalarValue(head.loss(e, y))).toBeCloseTo(scalarValue(reference), 5);
  });

  it('takes each class cosine as the best of its sub-centres', () => {
    // With the opposite sub-centres, θ = π/3 and θ = π/3 + π score the same: max(0.5, −0.5) = 0.5, etc.
    const head = arcFace({ subCenters: 2 });
    head.weights.assign(axesWithOpposites());
    const y = tf.tensor1d([0], 'int32');
    expectValues(head.loss(at(Math.PI / 3), y), 25.2728645548, 1e-4);
    expectValues(head.loss(at(Math.PI / 3 + Math.PI), y), 25.2728645548, 1e-4);
    expect(head.weights.shape).toEqual([2, 4]);
    // With one sub-centre per class the opposite embedding is at θ = 2π/3 from class 0:
    // target 30 · cos(2π/3 + 0.5) = −25.6195793; other 30 · cos(4π/3 − π/2) = −25.9807621; loss 0.5287745.
    const single = arcFace();
    single.weights.assign(axes());
    expectValues(single.loss(at(Math.PI / 3 + Math.PI), y), 0.5287746, 1e-4);
  });

  it('has finite-difference-checked gradients for embeddings and class centres', () => {
    const rng = new Rng('arcface-grad');
    // Rows 0–3 random; row 4 is nearly opposite its class centre (θ > π − m), exercising the fallback.
    const w = randomTensor(rng, [3, 8]) as tf.Tensor2D;
    const e = tf.concat([
      randomTensor(rng, [4, 3]),
      tf.neg(tf.slice(tf.transpose(w), [1, 0], [1, 3])),
    ]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 3, 1], 'int32');
    const targets = oneHot(y, 4);
    for (const [subCenters, easyMargin] of [
      [1, false],
      [2, false],
      [2, true],
    ] as const) {
      const params = { scale: 4, margin: 0.5, easyMargin };
      const fallbackUsed = tf.tidy(
        () => tf.any(tf.less(classCosine(e, w, 4, subCenters), Math.cos(Math.PI - 0.5))).dataSync()[0],
      );
      if (subCenters === 1) expect(fallbackUsed).toBe(1);
      checkGradient(
        (x, v) =>
          tf.mean(
            softmaxCrossEntropy(
              targets,
              additiveAngularMargin(
                classCosine(x as tf.Tensor2D, v as tf.Tensor2D, 4, subCenters),
                targets,
                params,
              ),
            ),
          ),
        [e, tf.slice(w, [0, 0], [3, 4 * subCenters])],
      );
    }
    // Through the class, with respect to the embeddings.
    const head = new ArcFace({ embeddingSize: 3, numClasses: 4, scale: 4, seed: 7 });
    live.push(head);
    checkGradient((x) => head.loss(x as tf.Tensor2D, y), [e]);
  });

  it('owns trainable class centres that an optimizer updates', () => {
    const rng = new Rng('arcface-train');
    const head = new ArcFace({ embeddingSize: 4, numClasses: 3, seed: 1 });
    live.push(head);
    const e = randomTensor(rng, [9, 4]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32');
    expect(head.weights.trainable).toBe(true);
    const { value, grads } = tf.variableGrads(() => head.loss(e, y));
    expect(Object.keys(grads)).toEqual([head.weights.name]);
    const optimizer = tf.train.sgd(0.5);
    const before = value.dataSync()[0]!;
    for (let i = 0; i < 20; i++) optimizer.minimize(() => head.loss(e, y), true)?.dispose();
    expect(scalarValue(head.loss(e, y))).toBeLessThan(before);
    tf.dispose([value, ...Object.values(grads)]);
    optimizer.dispose();
  });

  it('is seeded, round-trips its config and frees everything it makes', () => {
    const a = new ArcFace({ embeddingSize: 4, numClasses: 3, seed: 'x', subCenters: 2 });
    const b = ArcFace.fromConfig(JSON.parse(JSON.stringify(a.toConfig())));
    const c = new ArcFace({ embeddingSize: 4, numClasses: 3, seed: 'y', subCenters: 2 });
    live.push(a, b, c);
    expect(Array.from(b.weights.dataSync())).toEqual(Array.from(a.weights.dataSync()));
    expect(Array.from(c.weights.dataSync())).not.toEqual(Array.from(a.weights.dataSync()));
    expect(a.toConfig()).toEqual({
      type: 'arcFace',
      embeddingSize: 4,
      numClasses: 3,
      scale: 30,
      margin: 0.5,
      easyMargin: false,
      subCenters: 2,
      seed: 'x',
      reduction: 'mean',
    });
    // Glorot-uniform bound √(6 / (4 + 6)).
    for (const v of a.weights.dataSync()) expect(Math.abs(v)).toBeLessThanOrEqual(Math.sqrt(0.6));
    const e = tf.ones([2, 4]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 2], 'int32');
    expectNoLeaksSync(() => a.loss(e, y)).dispose();
    expectNoLeaksSync(() => a.logits(e)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => a.loss(x as tf.Tensor2D, y))(e)).dispose();
    const before = tf.memory().numTensors;
    const head = new ArcFace({ embeddingSize: 4, numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before + 1);
    head.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => head.loss(e, y)).toThrow(TopkError);
    tf.dispose([e, y]);
  });

  it("returns per-example losses with reduction 'none' and handles one class, zero and huge embeddings", () => {
    const head = arcFace({ reduction: 'none' });
    head.weights.assign(axes());
    const e = tf.concat([at(Math.PI / 3), at(2.9)]) as tf.Tensor2D;
    expectValues(head.loss(e, tf.tensor1d([0, 0], 'int32')), [25.2728645548, 43.49760791], 1e-4);
    const sum = arcFace({ reduction: 'sum' });
    sum.weights.assign(axes());
    expectValues(sum.loss(e, tf.tensor1d([0, 0], 'int32')), 25.2728645548 + 43.49760791, 1e-3);
    // One class: softmax over one logit, loss 0.
    const one = new ArcFace({ embeddingSize: 2, numClasses: 1 });
    live.push(one);
    expectValues(one.loss(e, tf.tensor1d([0, 0], 'int32')), 0);
    // Zero and ±1e4 embeddings stay finite, with finite gradients.
    const extreme = tf.tensor2d([0, 0, 1e4, -1e4, -1e4, 1e4], [3, 2]);
    const y = tf.tensor1d([0, 1, 0], 'int32');
    const mean = arcFace();
    expect(Number.isFinite(scalarValue(mean.loss(extreme, y)))).toBe(true);
    finiteGradient((x) => mean.loss(x as tf.Tensor2D, y), extreme);
  });

  it('rejects bad options and inputs', () => {
    const fn = 'ArcFace';
    expectInvalid(() => new ArcFace({ embeddingSize: 0, numClasses: 2 }), fn, 'embeddingSize');
    expectInvalid(() => new ArcFace({ embeddingSize: 2, numClasses: 1.5 }), fn, 'numClasses');
    expectInvalid(() => new ArcFace({ embeddingSize: 2, numClasses: 2, subCenters: 0 }), fn, 'subCenters');
    expectInvalid(() => new ArcFace({ embeddingSize: 2, numClasses: 2, margin: 4 }), fn, 'margin');
    expectInvalid(() => new ArcFace({ embeddingSize: 2, numClasses: 2, scale: 0 }), fn, 'scale');
    expectInvalid(
      () => new ArcFace({ embeddingSize: 2, numClasses: 2, easyMargin: 1 as never }),
      fn,
      'easyMargin',
    );
    expectInvalid(
      () => new ArcFace({ embeddingSize: 2, numClasses: 2, reduction: 'max' as never }),
      fn,
      'reduction',
    );
    expectInvalid(
      () => ArcFace.fromConfig({ type: 'cosFace' } as never),
      'ArcFace.fromConfig',
      'config.type',
    );
    const head = arcFace();
    const y = tf.tensor1d([0], 'int32');
    expectInvalid(() => head.loss(tf.zeros([1, 3]) as tf.Tensor2D, y), 'ArcFace.loss', 'embeddings');
    expectInvalid(() => head.logits(tf.zeros([2]) as never), 'ArcFace.logits', 'embeddings');
    expectInvalid(() => head.loss(at(0), tf.tensor1d([0])), 'ArcFace.loss', 'labels');
    expectInvalid(() => head.loss(at(0), tf.tensor1d([0, 1], 'int32')), 'ArcFace.loss', 'labels');
    expectInvalid(() => head.marginLogits(at(0), tf.zeros([1, 3])), 'ArcFace.marginLogits', 'labels');
  });
});
