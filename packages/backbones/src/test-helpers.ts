/**
 * Helpers shared by this package's tests (not exported from the package).
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Number of trainable parameters (batch-norm moving statistics excluded). */
export function countTrainable(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce(
    (sum, w) => sum + w.shape.reduce<number>((a, d) => a * (d ?? 0), 1),
    0,
  );
}

/** Every weight's values by name, copied out of the model. */
export function snapshot(model: tfl.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

/** Whether two weight snapshots hold bit-identical values. */
export function sameValues(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Deterministic pseudo-random images in [-1, 1] (no RNG state involved). */
export function fakeImages(shape: [number, number, number, number], phase = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.reshape(tf.sin(tf.add(tf.mul(tf.range(0, n), 0.7), phase)), shape) as tf.Tensor4D;
  });
}

/**
 * Softmax cross-entropy of a probability output; `training` picks batch statistics (and dropout) or
 * moving statistics in batch-norm layers.
 */
export function trainingLoss(
  model: tfl.LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor,
  training = true,
): tf.Scalar {
  return tf.tidy(() => {
    const p = model.apply(x, { training }) as tf.Tensor;
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar;
  });
}

/** One plain SGD step on `trainingLoss` over the model's trainable weights; returns the loss before it. */
export function sgdStep(
  model: tfl.LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor,
  learningRate: number,
  training = true,
): number {
  const optimizer = tf.train.sgd(learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const cost = optimizer.minimize(() => trainingLoss(model, x, labels, training), true, variables);
  const value = cost!.dataSync()[0]!;
  cost!.dispose();
  optimizer.dispose();
  return value;
}

/** One-hot labels `[n, classes]` for class `i % classes` of sample i. */
export function cyclicLabels(n: number, classes: number): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => i % classes),
          'int32',
        ),
        classes,
      ) as tf.Tensor2D,
  );
}

/** A static file server on 127.0.0.1 for URL-loading tests; records every requested path. */
export async function serveDirectory(
  dir: string,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { join, normalize } = await import('node:path');
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(path);
    readFile(join(dir, normalize(path)))
      .then((body) => {
        res.writeHead(200);
        res.end(body);
      })
      .catch(() => {
        res.writeHead(404);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
