import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, Rng, type RngSeed } from '@topk/core';
import type { Batch, EpochData } from './types.js';
import { checkBoolean, checkOptions, checkPositive, checkPositiveInteger } from './validate.js';

/**
 * In-memory labels: integer class indices, one per sample (`Int32Array`, `Uint8Array` or numbers), or
 * float targets, `C` per sample row-major (`Float32Array` of length N·C: multi-hot, soft).
 */
export type ArrayLabels = Int32Array | Uint8Array | Float32Array | readonly number[];

/** Options of {@link arrayBatches}. */
export interface ArrayBatchesOptions {
  /**
   * Samples per batch.
   * @defaultValue 32
   */
  readonly batchSize?: number;
  /**
   * Visit the samples in a new random order every epoch; needs `seed` or `rng`.
   * @defaultValue false
   */
  readonly shuffle?: boolean;
  /** Seed of the shuffling: epoch e's order derives only from (seed, e), so it is the same on resume. */
  readonly seed?: RngSeed;
  /** Alternative to `seed`: one number is drawn from it, once, to seed the shuffling. */
  readonly rng?: Rng;
  /**
   * Leave out the last batch when it is smaller than `batchSize`.
   * @defaultValue false
   */
  readonly dropLast?: boolean;
  /**
   * Factor applied to every pixel value.
   * @defaultValue 1/255 for a `Uint8Array` of images, 1 for a `Float32Array`
   */
  readonly scale?: number;
  /** Sample identifiers, one per sample; batches carry theirs. */
  readonly ids?: readonly string[];
}

/** {@link EpochData} over arrays in memory, with its size. */
export interface ArrayEpochData extends EpochData {
  readonly batchesPerEpoch: number;
  /** Number of samples. */
  readonly size: number;
}

/**
 * Batches from arrays in memory (images and labels decoded up front, precomputed features), shuffled per
 * epoch from a seed. Batches are made one at a time as they are pulled, so only one batch of tensors
 * exists per consumer at a time; the consumer disposes them.
 *
 * @example
 * ```ts
 * const train = arrayBatches(pixels, labels, [28, 28, 1], { batchSize: 64, shuffle: true, seed: 1 });
 * for (const { images, labels } of train(0, rng)) { ...; tf.dispose([images, labels]); }
 * ```
 * @param images - all samples, row-major, each of `shape`.
 * @param labels - see {@link ArrayLabels}; `undefined` for unlabelled data.
 * @param shape - shape of one sample, e.g. `[28, 28, 1]` or `[512]` for features.
 */
export function arrayBatches(
  images: Float32Array | Uint8Array,
  labels: ArrayLabels | undefined,
  shape: readonly number[],
  options: ArrayBatchesOptions = {},
): ArrayEpochData {
  const fn = 'arrayBatches';
  if (!(images instanceof Float32Array) && !(images instanceof Uint8Array)) {
    throw new InvalidArgumentError(fn, 'images', 'a Float32Array or Uint8Array', images);
  }
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new InvalidArgumentError(fn, 'shape', 'a non-empty array of positive integers', shape);
  }
  checkOptions(fn, options);
  const sampleSize = shape.reduce((a, b) => a * b, 1);
  if (images.length === 0 || images.length % sampleSize !== 0) {
    throw new InvalidArgumentError(fn, 'images', `a non-empty multiple of ${sampleSize} values`, images);
  }
  const n = images.length / sampleSize;
  const batchSize = checkPositiveInteger(fn, 'batchSize', options.batchSize ?? 32);
  const shuffle = checkBoolean(fn, 'shuffle', options.shuffle ?? false);
  const dropLast = checkBoolean(fn, 'dropLast', options.dropLast ?? false);
  const scale = checkPositive(fn, 'scale', options.scale ?? (images instanceof Uint8Array ? 1 / 255 : 1));
  const { ids } = options;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length !== n)) {
    throw new InvalidArgumentError(fn, 'ids', `an array of ${n} strings`, ids);
  }
  let labelWidth = 0;
  let floatLabels = false;
  if (labels !== undefined) {
    if (labels instanceof Float32Array) {
      if (labels.length === 0 || labels.length % n !== 0) {
        throw new InvalidArgumentError(fn, 'labels', `a Float32Array of N·C values (N = ${n})`, labels);
      }
      floatLabels = true;
      labelWidth = labels.length / n;
    } else if (labels instanceof Int32Array || labels instanceof Uint8Array || Array.isArray(labels)) {
      if (labels.length !== n) {
        throw new InvalidArgumentError(fn, 'labels', `${n} class indices (one per sample)`, labels);
      }
      for (let i = 0; i < n; i++) {
        const label = labels[i]!;
        if (!Number.isSafeInteger(label) || label < 0) {
          throw new InvalidArgumentError(fn, `labels[${i}]`, 'a non-negative integer class index', label);
        }
      }
    } else {
      throw new InvalidArgumentError(
        fn,
        'labels',
        'an Int32Array, Uint8Array, Float32Array or array',
        labels,
      );
    }
  }
  let baseSeed: string | undefined;
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw new InvalidArgumentError(fn, 'rng', 'an Rng', options.rng);
    baseSeed = `number:${options.rng.int(0, 2 ** 32)}`;
  } else if (options.seed !== undefined) {
    if (typeof options.seed !== 'number' && typeof options.seed !== 'string') {
      throw new InvalidArgumentError(fn, 'seed', 'a safe integer or a string', options.seed);
    }
    baseSeed = `${typeof options.seed}:${options.seed}`;
  }
  if (shuffle && baseSeed === undefined) {
    throw new InvalidArgumentError(
      fn,
      'options.seed',
      'given (or options.rng) when shuffle is true',
      undefined,
    );
  }
  const batchesPerEpoch = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);

  function* epochBatches(epoch: number): Generator<Batch> {
    const order = shuffle
      ? new Rng(`arrayBatches/${baseSeed}/${epoch}`).permutation(n)
      : Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < batchesPerEpoch; b++) {
      const picked = order.slice(b * batchSize, Math.min((b + 1) * batchSize, n));
      const size = picked.length;
      const pixels = new Float32Array(size * sampleSize);
      picked.forEach((sample, k) => {
        const from = sample * sampleSize;
        if (images instanceof Float32Array && scale === 1) {
          pixels.set(images.subarray(from, from + sampleSize), k * sampleSize);
        } else {
          const offset = k * sampleSize;
          for (let j = 0; j < sampleSize; j++) pixels[offset + j] = images[from + j]! * scale;
        }
      });
      const batch: { images: tf.Tensor; labels?: tf.Tensor; ids?: string[] } = {
        images: tf.tensor(pixels, [size, ...shape]),
      };
      if (labels !== undefined) {
        if (floatLabels) {
          const targets = new Float32Array(size * labelWidth);
          const source = labels as Float32Array;
          picked.forEach((sample, k) => {
            targets.set(source.subarray(sample * labelWidth, (sample + 1) * labelWidth), k * labelWidth);
          });
          batch.labels = tf.tensor2d(targets, [size, labelWidth]);
        } else {
          batch.labels = tf.tensor1d(
            Int32Array.from(picked, (sample) => labels[sample]!),
            'int32',
          );
        }
      }
      if (ids !== undefined) batch.ids = picked.map((sample) => ids[sample]!);
      yield batch;
    }
  }

  const data = (epoch: number): Iterable<Batch> => {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new InvalidArgumentError(fn, 'epoch', 'a non-negative integer', epoch);
    }
    return { [Symbol.iterator]: () => epochBatches(epoch) };
  };
  return Object.assign(data, { batchesPerEpoch, size: n });
}
