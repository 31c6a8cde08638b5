import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { expect } from 'vitest';
import type { Model } from './types.js';

/** Test-only helpers (not exported from the package). */

/** Seeded initializers: tfjs-layers' defaults draw unseeded, which would make tests irreproducible. */
export function seeded(first: number): () => ReturnType<typeof tfl.initializers.glorotUniform> {
  let seed = first;
  return () => tfl.initializers.glorotUniform({ seed: seed++ });
}

/** conv(3×3, 4) → batch-norm → ReLU → global average pool → dense(classes): 4×4×1 inputs by default. */
export function tinyCnn(
  options: { seed?: number; classes?: number; size?: number | null; filters?: number } = {},
): Model {
  const { seed = 1, classes = 3, size = 4, filters = 4 } = options;
  const init = seeded(seed);
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [size, size, 1],
      filters,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: init(),
    }),
  );
  model.add(tfl.layers.batchNormalization({ momentum: 0.9 }));
  model.add(tfl.layers.reLU());
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(tfl.layers.dense({ units: classes, kernelInitializer: init() }));
  return model;
}

/** dense(hidden, relu) → dense(classes) on flat inputs. */
export function tinyMlp(
  options: { seed?: number; inputs?: number; hidden?: number; classes?: number } = {},
): Model {
  const { seed = 1, inputs = 4, hidden = 5, classes = 3 } = options;
  const init = seeded(seed);
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({ inputShape: [inputs], units: hidden, activation: 'relu', kernelInitializer: init() }),
  );
  model.add(tfl.layers.dense({ units: classes, kernelInitializer: init() }));
  return model;
}

/** Deterministic pseudo-random values in [-scale/2, scale/2) (a linear congruential generator). */
export function lcg(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

/** Labels that a tiny model can learn: class = which quarter of the values' sum range. */
export function learnableData(n: number, sampleSize: number, classes: number, seed: number) {
  const images = lcg(n * sampleSize, seed, 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < sampleSize; j++) sum += images[i * sampleSize + j]!;
    const t = Math.tanh(sum / Math.sqrt(sampleSize)) * 0.5 + 0.5;
    labels[i] = Math.min(Math.floor(t * classes), classes - 1);
  }
  return { images, labels };
}

/** Copies of every weight in layer order (`model.weights` puts trainable ones first, so freezing reorders it). */
export function weightsOf(model: Model): Float32Array[] {
  return model.layers
    .flatMap((l) => l.weights)
    .map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/** Asserts that `fn` throws an InvalidArgumentError from `fnName` about `argument`. */
export function expectInvalid(fn: () => unknown, fnName: string, argument: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as InvalidArgumentError).fn).toBe(fnName);
  expect((caught as InvalidArgumentError).argument).toBe(argument);
}

/** Async form of {@link expectInvalid}. */
export async function expectInvalidAsync(
  fn: () => Promise<unknown>,
  fnName: string,
  argument: string,
): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as InvalidArgumentError).fn).toBe(fnName);
  expect((caught as InvalidArgumentError).argument).toBe(argument);
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
