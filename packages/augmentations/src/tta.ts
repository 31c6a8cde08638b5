import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Rng } from '@topk/core';
import { isTransform } from './composition.js';
import { flipHorizontal, flipVertical } from './resample.js';
import type { Transform } from './types.js';
import {
  checkChoice,
  checkImages,
  checkMaxValue,
  checkOptions,
  checkRng,
  isPlainObject,
} from './validate.js';

/** Crop size for the crop policies: pixels, one number for a square. */
export type CropSize = number | readonly [number, number];

/**
 * Which views test-time augmentation predicts on.
 * - `flips`: the image and its horizontal mirror (and vertical mirror when `vertical`).
 * - `augment`: `n` random augmentations by `transform` (applied with `training: true`), plus the image
 *   itself unless `includeOriginal` is false (fastai `Learner.tta`).
 * - `fiveCrop`: the four corner crops and the centre crop of `size` (torchvision `FiveCrop` order: top-left,
 *   top-right, bottom-left, bottom-right, centre).
 * - `tenCrop`: `fiveCrop` of the image and of its horizontal mirror (torchvision `TenCrop`; Krizhevsky et
 *   al. 2012, He et al. 2016; field note 001).
 * Crops can be resized to `resize` (`[height, width]`, bilinear) to match the model input.
 */
export type TtaPolicy =
  | { readonly kind: 'flips'; readonly vertical?: boolean }
  | {
      readonly kind: 'augment';
      readonly transform: Transform;
      readonly n: number;
      readonly includeOriginal?: boolean;
    }
  | { readonly kind: 'fiveCrop'; readonly size: CropSize; readonly resize?: readonly [number, number] }
  | { readonly kind: 'tenCrop'; readonly size: CropSize; readonly resize?: readonly [number, number] };

/** Options of {@link ttaViews}. */
export interface TtaViewOptions {
  /** Needed by the `augment` policy. */
  readonly rng?: Rng;
  /** Passed to the `augment` policy's transform. @defaultValue 1 */
  readonly maxValue?: number;
}

/** Options of {@link tta}. */
export interface TtaOptions extends TtaViewOptions {
  /** How predictions of the views are combined, per class. @defaultValue 'mean' */
  readonly aggregate?: 'mean' | 'max';
  /** Return the views too (the caller disposes them); otherwise they are disposed. @defaultValue false */
  readonly keepViews?: boolean;
}

/** Output of {@link tta}. */
export interface TtaResult {
  /** The aggregated predictions, shaped as one call of `predict` returns. */
  readonly probabilities: tf.Tensor;
  /** The view batches, when `keepViews` was set. */
  readonly views?: tf.Tensor4D[];
}

/** Top-left corners of the five crops, torchvision `five_crop` order; the centre rounds as torchvision. */
export function fiveCropOffsets(
  height: number,
  width: number,
  cropHeight: number,
  cropWidth: number,
): [number, number][] {
  return [
    [0, 0],
    [0, width - cropWidth],
    [height - cropHeight, 0],
    [height - cropHeight, width - cropWidth],
    [Math.round((height - cropHeight) / 2), Math.round((width - cropWidth) / 2)],
  ];
}

function checkPolicy(fn: string, policy: unknown): TtaPolicy {
  if (!isPlainObject(policy)) throw new InvalidArgumentError(fn, 'policy', 'a TTA policy object', policy);
  const kind = checkChoice(fn, 'policy.kind', policy.kind, [
    'flips',
    'augment',
    'fiveCrop',
    'tenCrop',
  ] as const);
  if (kind === 'flips') {
    checkOptions(fn, policy, ['kind', 'vertical']);
    if (policy.vertical !== undefined && typeof policy.vertical !== 'boolean') {
      throw new InvalidArgumentError(fn, 'policy.vertical', 'a boolean', policy.vertical);
    }
  } else if (kind === 'augment') {
    checkOptions(fn, policy, ['kind', 'transform', 'n', 'includeOriginal']);
    if (!isTransform(policy.transform))
      throw new InvalidArgumentError(fn, 'policy.transform', 'a transform', policy.transform);
    if (!Number.isSafeInteger(policy.n) || (policy.n as number) < 1) {
      throw new InvalidArgumentError(fn, 'policy.n', 'a positive integer', policy.n);
    }
    if (policy.includeOriginal !== undefined && typeof policy.includeOriginal !== 'boolean') {
      throw new InvalidArgumentError(fn, 'policy.includeOriginal', 'a boolean', policy.includeOriginal);
    }
  } else {
    checkOptions(fn, policy, ['kind', 'size', 'resize']);
    const { size, resize } = policy;
    const pair = (v: unknown): boolean =>
      Array.isArray(v) && v.length === 2 && v.every((d) => Number.isSafeInteger(d) && d >= 1);
    if (!(pair(size) || (Number.isSafeInteger(size) && (size as number) >= 1))) {
      throw new InvalidArgumentError(fn, 'policy.size', 'a positive integer or [height, width]', size);
    }
    if (resize !== undefined && !pair(resize)) {
      throw new InvalidArgumentError(fn, 'policy.resize', '[height, width] of positive integers', resize);
    }
  }
  return policy as unknown as TtaPolicy;
}

/**
 * The view batches of a test-time augmentation policy, each shaped like `images` (crops: `size`, or
 * `resize`). The caller disposes them.
 */
export function ttaViews(
  images: tf.Tensor4D,
  policy: TtaPolicy,
  options: TtaViewOptions = {},
): tf.Tensor4D[] {
  const fn = 'ttaViews';
  checkImages(fn, images);
  checkPolicy(fn, policy);
  checkOptions(fn, options, ['rng', 'maxValue', 'aggregate', 'keepViews']);
  const maxValue = checkMaxValue(fn, options.maxValue ?? 1);
  const [n, height, width, channels] = images.shape;
  switch (policy.kind) {
    case 'flips': {
      const views = [tf.clone(images), flipHorizontal(images)];
      if (policy.vertical === true) views.push(flipVertical(images));
      return views;
    }
    case 'augment': {
      const rng = checkRng(fn, options.rng);
      const views: tf.Tensor4D[] = policy.includeOriginal === false ? [] : [tf.clone(images)];
      for (let k = 0; k < policy.n; k++) views.push(policy.transform.apply(images, rng, { maxValue }).images);
      return views;
    }
    case 'fiveCrop':
    case 'tenCrop': {
      const [cropHeight, cropWidth] =
        typeof policy.size === 'number' ? [policy.size, policy.size] : policy.size;
      if (cropHeight > height || cropWidth > width) {
        throw new InvalidArgumentError(
          fn,
          'policy.size',
          `at most the image size ${height}x${width}`,
          `${cropHeight}x${cropWidth}`,
        );
      }
      const sources = policy.kind === 'tenCrop' ? [images, flipHorizontal(images)] : [images];
      const views: tf.Tensor4D[] = [];
      for (const source of sources) {
        for (const [top, left] of fiveCropOffsets(height, width, cropHeight, cropWidth)) {
          const crop = tf.slice(source, [0, top, left, 0], [n, cropHeight, cropWidth, channels]);
          if (policy.resize === undefined) {
            views.push(crop);
          } else {
            views.push(tf.image.resizeBilinear(crop, [policy.resize[0], policy.resize[1]], false, true));
            crop.dispose();
          }
        }
      }
      if (sources.length === 2) sources[1]!.dispose();
      return views;
    }
  }
}

/** Combines per-view predictions of the same shape: their mean or elementwise maximum. */
export function aggregatePredictions(
  predictions: readonly tf.Tensor[],
  method: 'mean' | 'max' = 'mean',
): tf.Tensor {
  const fn = 'aggregatePredictions';
  if (
    !Array.isArray(predictions) ||
    predictions.length === 0 ||
    !predictions.every((p) => p instanceof tf.Tensor)
  ) {
    throw new InvalidArgumentError(fn, 'predictions', 'a non-empty array of tensors', predictions);
  }
  const shape = predictions[0]!.shape;
  if (
    !predictions.every(
      (p) => p.shape.length === shape.length && p.shape.every((d: number, i: number) => d === shape[i]),
    )
  ) {
    throw new InvalidArgumentError(
      fn,
      'predictions',
      `tensors of one shape [${shape.join(', ')}]`,
      predictions,
    );
  }
  checkChoice(fn, 'method', method, ['mean', 'max'] as const);
  return tf.tidy(() => {
    const stacked = tf.stack(predictions as tf.Tensor[]);
    return method === 'mean' ? tf.mean(stacked, 0) : tf.max(stacked, 0);
  });
}

/**
 * Test-time augmentation: predicts on every view of `policy` (one view at a time, disposing each
 * prediction once folded in) and aggregates. Pass probabilities (after softmax or sigmoid) for `mean`.
 *
 * @example
 * ```ts
 * const { probabilities } = await tta(images, (x) => model.predict(x) as tf.Tensor, { kind: 'tenCrop', size: 224 });
 * ```
 */
export async function tta(
  images: tf.Tensor4D,
  predict: (views: tf.Tensor4D) => tf.Tensor | Promise<tf.Tensor>,
  policy: TtaPolicy,
  options: TtaOptions = {},
): Promise<TtaResult> {
  const fn = 'tta';
  if (typeof predict !== 'function') throw new InvalidArgumentError(fn, 'predict', 'a function', predict);
  const aggregate = checkChoice(fn, 'aggregate', options.aggregate ?? 'mean', ['mean', 'max'] as const);
  const keepViews = options.keepViews ?? false;
  if (typeof keepViews !== 'boolean') throw new InvalidArgumentError(fn, 'keepViews', 'a boolean', keepViews);
  const views = ttaViews(images, policy, options);
  let accumulated: tf.Tensor | null = null;
  try {
    for (const view of views) {
      const prediction = await predict(view);
      if (!(prediction instanceof tf.Tensor))
        throw new InvalidArgumentError(fn, 'predict', 'a function returning a tensor', prediction);
      const previous: tf.Tensor | null = accumulated;
      if (previous !== null && !previous.shape.every((d, i) => d === prediction.shape[i])) {
        prediction.dispose();
        throw new InvalidArgumentError(fn, 'predict', 'predictions of one shape for every view', prediction);
      }
      accumulated =
        previous === null
          ? tf.clone(prediction)
          : aggregate === 'mean'
            ? tf.add(previous, prediction)
            : tf.maximum(previous, prediction);
      // A predict that returns its input (a no-op model in a test) must not lose the view.
      if (!views.includes(prediction as tf.Tensor4D)) prediction.dispose();
      previous?.dispose();
    }
    const total = accumulated!;
    const probabilities = aggregate === 'mean' ? tf.div(total, views.length) : tf.clone(total);
    total.dispose();
    accumulated = null;
    if (keepViews) return { probabilities, views };
    for (const view of views) view.dispose();
    return { probabilities };
  } catch (error) {
    accumulated?.dispose();
    for (const view of views) view.dispose();
    throw error;
  }
}
