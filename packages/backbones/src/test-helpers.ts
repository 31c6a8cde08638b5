/**
 * Helpers shared by this package's tests (not exported from the package).
 * @internal
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/**
 * The MobileNetV2 that nsfwjs 4.3.0 (a devDependency) ships as JS modules: its Keras `model.json`
 * content and the weight bytes, which the module holds as a base64 string. The package exports only
 * loader functions, so the files are resolved next to its entry point.
 */
export function readNsfwjsMobileNetV2(): {
  modelTopology: object;
  weightsManifest: tf.io.WeightsManifestConfig;
  weightData: Uint8Array;
} {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  const { modelTopology, weightsManifest } = require(join(dir, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const base64 = require(join(dir, 'group1-shard1of1.min.js')) as string;
  return { modelTopology, weightsManifest, weightData: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/** What {@link descentStep} did. */
export interface DescentStep {
  readonly lossBefore: number;
  readonly lossAfter: number;
  /** The step size taken, or null when none of the tried ones lowered the loss (weights restored). */
  readonly learningRate: number | null;
  /** Trainable weights whose gradient is zero everywhere (no gradient reaches them). */
  readonly zeroGradients: readonly string[];
  /** Whether every gradient value is finite. */
  readonly finite: boolean;
}

/**
 * One plain gradient-descent step on `trainingLoss` with a backtracking step size: the gradient once,
 * then the largest of `learningRates` whose SGD update lowers the loss on the same batch (the weights are
 * restored between tries). A fixed step size is not safe across architectures at initialisation: a deep
 * network's loss surface is sharp enough there that 0.01 overshoots for some and barely moves others.
 */
export function descentStep(
  model: tfl.LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor,
  training = true,
  learningRates: readonly number[] = [0.1, 0.01, 0.001, 1e-4],
): DescentStep {
  const weights = model.trainableWeights;
  const variables = weights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => trainingLoss(model, x, labels, training), variables);
  const lossBefore = value.dataSync()[0]!;
  value.dispose();
  const originals = variables.map((v) => tf.clone(v));
  try {
    // One read-back for all the gradient checks.
    const [maxAbs, finite] = tf.tidy(() => {
      const gradients = variables.map((v) => grads[v.name]!);
      return [
        tf.stack(gradients.map((g) => tf.max(tf.abs(g)))).dataSync(),
        tf.all(tf.stack(gradients.map((g) => tf.all(tf.isFinite(g))))).dataSync()[0] === 1,
      ] as const;
    });
    const zeroGradients = weights.filter((_, i) => maxAbs[i] === 0).map((w) => w.originalName);
    for (const learningRate of learningRates) {
      tf.tidy(() => {
        variables.forEach((v, i) => {
          v.assign(tf.sub(originals[i]!, tf.mul(grads[v.name]!, learningRate)));
        });
      });
      const loss = trainingLoss(model, x, labels, training);
      const lossAfter = loss.dataSync()[0]!;
      loss.dispose();
      if (lossAfter < lossBefore) return { lossBefore, lossAfter, learningRate, zeroGradients, finite };
    }
    variables.forEach((v, i) => {
      v.assign(originals[i]!);
    });
    return { lossBefore, lossAfter: lossBefore, learningRate: null, zeroGradients, finite };
  } finally {
    tf.dispose(originals);
    tf.dispose(grads);
  }
}

/** An IDX file's values after its header (LeCun's MNIST format: `0 0 type rank`, `rank` uint32 sizes). */
function idxValues(gzipped: Uint8Array): Uint8Array {
  const raw = gunzipSync(gzipped);
  if (raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08) throw new Error('not a uint8 IDX file');
  return new Uint8Array(raw.subarray(4 + 4 * raw[3]!));
}

/**
 * The first `perClass` images of each class of the Fashion-MNIST subset committed in
 * `packages/cli/assets/fashion-mnist`, from its training or test file: 28x28 grey pixels in [0, 255].
 */
export async function readFashionMnist(
  split: 'train' | 't10k',
  perClass: number,
): Promise<{ pixels: Float32Array; labels: number[] }> {
  const assets = new URL('../../cli/assets/fashion-mnist/', import.meta.url);
  const [images, labels] = await Promise.all(
    [`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map(async (name) =>
      idxValues(await readFile(new URL(name, assets))),
    ),
  );
  const counts = new Array<number>(10).fill(0);
  const picked: number[] = [];
  labels!.forEach((label, i) => {
    if (counts[label]! < perClass) {
      counts[label]!++;
      picked.push(i);
    }
  });
  const pixels = new Float32Array(picked.length * 784);
  picked.forEach((index, row) => {
    pixels.set(images!.subarray(index * 784, (index + 1) * 784), row * 784);
  });
  return { pixels, labels: picked.map((i) => labels![i]!) };
}
