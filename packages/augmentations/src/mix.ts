import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Rng } from '@topk/core';
import { boxMask, expandChannels, perImage } from './resample.js';
import {
  checkChoice,
  checkImages,
  checkOptions,
  checkPositive,
  checkRng,
  isPlainObject,
} from './validate.js';

/** Options shared by {@link mixup} and {@link cutmix}. */
export interface MixOptions {
  /** α of the Beta(α, α) that λ is drawn from. */
  readonly alpha?: number;
  /**
   * `batch`: one λ (and, for cutmix, one box) for the whole batch, as the papers and timm's default;
   * `element`: one per image, as fastai.
   * @defaultValue 'batch'
   */
  readonly mode?: 'batch' | 'element';
  /** Number of classes, needed when `targets` are int32 class indices. */
  readonly numClasses?: number;
}

/** Options of {@link mixup}. */
export interface MixupOptions extends MixOptions {
  /** @defaultValue 0.4 (fastai `MixUp`; Zhang et al. 2018 use 0.2–0.4 on ImageNet) */
  readonly alpha?: number;
}

/** Options of {@link cutmix}. */
export interface CutmixOptions extends MixOptions {
  /** @defaultValue 1 (Yun et al. 2019) */
  readonly alpha?: number;
}

/** What {@link mixup} or {@link cutmix} drew: plain JSON, replayable with {@link replayMix}. */
export interface MixParams {
  readonly kind: 'mixup' | 'cutmix';
  /** Image `i` is mixed with image `permutation[i]`. */
  readonly permutation: readonly number[];
  /**
   * Per image, the weight of its own target in the soft target. For cutmix this is the corrected λ:
   * one minus the pasted fraction of the image.
   */
  readonly lambdas: readonly number[];
  /** Cutmix only: per image the pasted box `[top, left, bottom, right]` in pixels (bottom, right exclusive). */
  readonly boxes?: readonly (readonly [number, number, number, number])[];
  /** Cutmix only: `[height, width]` the boxes refer to. */
  readonly size?: readonly [number, number];
}

/** Mixed images and soft targets (the caller disposes both) and the draws. */
export interface MixResult {
  readonly images: tf.Tensor4D;
  /** float32 `[N, C]`; each row sums to the sum of the mixed rows' (1 for one-hot targets). */
  readonly targets: tf.Tensor2D;
  readonly params: MixParams;
}

interface Resolved {
  readonly alpha: number;
  readonly mode: 'batch' | 'element';
  readonly numClasses: number | undefined;
}

function resolve(fn: string, options: MixOptions, defaultAlpha: number): Resolved {
  checkOptions(fn, options, ['alpha', 'mode', 'numClasses']);
  const alpha = checkPositive(fn, 'alpha', options.alpha ?? defaultAlpha);
  const mode = checkChoice(fn, 'mode', options.mode ?? 'batch', ['batch', 'element'] as const);
  const { numClasses } = options;
  if (numClasses !== undefined && (!Number.isSafeInteger(numClasses) || numClasses < 1)) {
    throw new InvalidArgumentError(fn, 'numClasses', 'a positive integer', numClasses);
  }
  return { alpha, mode, numClasses };
}

/** Targets as float32 `[N, C]`: class indices are one-hot encoded, soft or multi-hot rows pass through. */
function softTargets(fn: string, targets: unknown, n: number, numClasses: number | undefined): tf.Tensor2D {
  if (!(targets instanceof tf.Tensor) || targets.isDisposed) {
    throw new InvalidArgumentError(fn, 'targets', 'a tensor', targets);
  }
  if (targets.shape[0] !== n) {
    throw new InvalidArgumentError(fn, 'targets', `one row per image (${n})`, targets);
  }
  if (targets.rank === 1 && targets.dtype === 'int32') {
    if (numClasses === undefined) {
      throw new InvalidArgumentError(fn, 'numClasses', 'given when targets are class indices', numClasses);
    }
    return tf.oneHot(targets as tf.Tensor1D, numClasses, 1, 0, 'float32') as tf.Tensor2D;
  }
  if (targets.rank === 2 && targets.dtype === 'float32') return tf.clone(targets as tf.Tensor2D);
  throw new InvalidArgumentError(fn, 'targets', 'int32 [N] class indices or float32 [N, C] targets', targets);
}

function drawLambdas(rng: Rng, n: number, alpha: number, mode: Resolved['mode']): number[] {
  if (mode === 'batch') return new Array<number>(n).fill(rng.beta(alpha, alpha));
  return Array.from({ length: n }, () => rng.beta(alpha, alpha));
}

/**
 * Mixup (Zhang et al. 2018, "mixup: Beyond Empirical Risk Minimization"): `λ·x_i + (1 − λ)·x_π(i)` and the
 * same mix of the targets, λ ~ Beta(α, α), π a random permutation of the batch. Works for single-label
 * (int32 class indices, one-hot encoded with `numClasses`) and multi-label or soft targets (float32
 * `[N, C]`), field note 001.
 *
 * @example
 * ```ts
 * const { images: mixed, targets: soft } = mixup(images, labels, new Rng(0), { numClasses: 10 });
 * ```
 */
export function mixup(
  images: tf.Tensor4D,
  targets: tf.Tensor,
  rng: Rng,
  options: MixupOptions = {},
): MixResult {
  const fn = 'mixup';
  checkImages(fn, images);
  checkRng(fn, rng);
  const { alpha, mode, numClasses } = resolve(fn, options, 0.4);
  const n = images.shape[0];
  softTargets(fn, targets, n, numClasses).dispose();
  const params: MixParams = {
    kind: 'mixup',
    permutation: rng.permutation(n),
    lambdas: drawLambdas(rng, n, alpha, mode),
  };
  return { ...replayMix(images, targets, params, numClasses === undefined ? {} : { numClasses }), params };
}

/**
 * CutMix (Yun et al. 2019, "CutMix: Regularization Strategy to Train Strong Classifiers with Localizable
 * Features"): a box of image `π(i)` is pasted into image `i`. λ ~ Beta(α, α) sets the box to
 * `√(1 − λ)` of each side around a uniform centre, clipped to the image, and λ is then corrected to the
 * area actually kept, `1 − box area / image area`, which weights the targets.
 */
export function cutmix(
  images: tf.Tensor4D,
  targets: tf.Tensor,
  rng: Rng,
  options: CutmixOptions = {},
): MixResult {
  const fn = 'cutmix';
  checkImages(fn, images);
  checkRng(fn, rng);
  const { alpha, mode, numClasses } = resolve(fn, options, 1);
  const [n, height, width] = images.shape;
  softTargets(fn, targets, n, numClasses).dispose();
  const permutation = rng.permutation(n);
  const drawBox = (lambda: number): [number, number, number, number] => {
    // The reference implementation's rand_bbox: integer cut sizes, centre anywhere, clipped.
    const cut = Math.sqrt(1 - lambda);
    const cutW = Math.floor(width * cut);
    const cutH = Math.floor(height * cut);
    const cx = rng.int(0, width);
    const cy = rng.int(0, height);
    const clamp = (v: number, high: number): number => Math.min(Math.max(v, 0), high);
    return [
      clamp(cy - Math.floor(cutH / 2), height),
      clamp(cx - Math.floor(cutW / 2), width),
      clamp(cy + Math.floor(cutH / 2), height),
      clamp(cx + Math.floor(cutW / 2), width),
    ];
  };
  const raw = drawLambdas(rng, n, alpha, mode);
  let boxes: [number, number, number, number][];
  if (mode === 'batch') {
    const box = drawBox(raw[0]!);
    boxes = raw.map(() => box);
  } else {
    boxes = raw.map(drawBox);
  }
  const lambdas = boxes.map(
    ([top, left, bottom, right]) => 1 - ((bottom - top) * (right - left)) / (height * width),
  );
  const params: MixParams = { kind: 'cutmix', permutation, lambdas, boxes, size: [height, width] };
  return { ...replayMix(images, targets, params, numClasses === undefined ? {} : { numClasses }), params };
}

/** Options of {@link replayMix}. */
export interface ReplayMixOptions {
  /** Number of classes, needed when `targets` are int32 class indices. */
  readonly numClasses?: number;
}

/** Applies recorded {@link MixParams} to a batch of the same size (and, for cutmix, the same image size). */
export function replayMix(
  images: tf.Tensor4D,
  targets: tf.Tensor,
  params: MixParams,
  options: ReplayMixOptions = {},
): { readonly images: tf.Tensor4D; readonly targets: tf.Tensor2D } {
  const fn = 'replayMix';
  checkImages(fn, images);
  const [n, height, width] = images.shape;
  const ok =
    isPlainObject(params) &&
    (params.kind === 'mixup' || params.kind === 'cutmix') &&
    Array.isArray(params.permutation) &&
    params.permutation.length === n &&
    params.permutation.every((j) => Number.isSafeInteger(j) && j >= 0 && j < n) &&
    Array.isArray(params.lambdas) &&
    params.lambdas.length === n &&
    params.lambdas.every((l) => typeof l === 'number' && l >= 0 && l <= 1);
  if (!ok) throw new InvalidArgumentError(fn, 'params', `mix parameters for a batch of ${n}`, params);
  if (
    params.kind === 'cutmix' &&
    (!Array.isArray(params.boxes) ||
      params.boxes.length !== n ||
      !Array.isArray(params.size) ||
      params.size[0] !== height ||
      params.size[1] !== width)
  ) {
    throw new InvalidArgumentError(
      fn,
      'params',
      `cutmix boxes for ${n} images of ${height}x${width}`,
      params,
    );
  }
  checkOptions(fn, options, ['numClasses']);
  return tf.tidy(() => {
    const soft = softTargets(fn, targets, n, options.numClasses);
    const order = tf.tensor1d([...params.permutation], 'int32');
    const partners = tf.gather(images, order);
    const lambda = tf.tensor2d([...params.lambdas], [n, 1]);
    const mixedTargets = tf.add(
      tf.mul(soft, lambda),
      tf.mul(tf.gather(soft, order), tf.sub(1, lambda)),
    ) as tf.Tensor2D;
    let mixed: tf.Tensor4D;
    if (params.kind === 'mixup') {
      const l = perImage(params.lambdas, images.shape);
      mixed = tf.add(tf.mul(images, l), tf.mul(partners, tf.sub(1, l))) as tf.Tensor4D;
    } else {
      const mask = expandChannels(
        boxMask(
          params.boxes!.map(([top, left, bottom, right]) => [
            [top / height, left / width, bottom / height, right / width] as const,
          ]),
          height,
          width,
        ),
        images.shape[3],
      );
      mixed = tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(partners, mask)) as tf.Tensor4D;
    }
    return { images: mixed, targets: mixedTargets };
  });
}
