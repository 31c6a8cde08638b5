import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Rng } from '@topk/core';
import type { Matrix3 } from './geometry.js';
import { onCpu, warpProjective } from './resample.js';
import type {
  ApplyOptions,
  AugmentResult,
  BatchShape,
  ImageParams,
  JsonValue,
  LeafParams,
  ReplayOptions,
  SampleOptions,
  Stage,
  Transform,
  TransformConfig,
  TransformName,
} from './types.js';
import {
  checkChannels,
  checkImages,
  checkMaxValue,
  checkProbability,
  checkRng,
  checkShape,
  checkStage,
  checkTraining,
  type Fill,
  isPlainObject,
} from './validate.js';

/** What a kernel knows besides the images and their parameters. */
export interface KernelContext {
  readonly maxValue: number;
}

/** A transform that is one homography per image, so that `compose` can fuse runs of them. */
export interface ProjectiveSpec<P extends ImageParams> {
  /** Output-to-source matrix, in pixel coordinates, for an image of `height × width`. */
  readonly matrix: (params: P, height: number, width: number) => Matrix3;
  /** How it resamples; `null` when it never reads outside the image (flips). */
  readonly fill: Fill | null;
}

export interface LeafDefinition<P extends ImageParams> {
  readonly name: TransformName;
  /** Resolved options, without `p` and `stage`, for the config. */
  readonly options: { readonly [key: string]: JsonValue };
  readonly p: number;
  readonly stage: Stage;
  /** Channels the transform needs (3 for colour transforms). */
  readonly channels?: number;
  /** Parameters for one image of a batch of `shape`. */
  readonly sampleImage: (rng: Rng, shape: BatchShape) => P;
  /** Applies one parameter set per image to the whole of `images`. */
  readonly kernel: (images: tf.Tensor4D, params: readonly P[], context: KernelContext) => tf.Tensor4D;
  /** For shape-changing transforms: the output shape and the parameters used for skipped images. */
  readonly reshape?: {
    readonly outputShape: (shape: BatchShape) => BatchShape;
    readonly neutral: (shape: BatchShape) => P;
  };
  readonly projective?: ProjectiveSpec<P>;
}

/** Checks a parameter record against a transform's name and a batch size. */
export function checkRecord(
  fn: string,
  params: unknown,
  name: string,
  n: number,
  entry: (value: unknown) => boolean,
): void {
  if (!isPlainObject(params) || params.transform !== name) {
    throw new InvalidArgumentError(fn, 'params', `a parameter record of ${name}`, params);
  }
  const images = params.images;
  if (!Array.isArray(images) || images.length !== n || !images.every(entry)) {
    throw new InvalidArgumentError(
      fn,
      'params.images',
      `one entry per image of the batch (${n})`,
      Array.isArray(images) ? `array of length ${images.length}` : images,
    );
  }
}

function sameShape(a: BatchShape, b: readonly number[]): boolean {
  return a.every((d, i) => d === b[i]);
}

/** The generic half of every leaf transform: `p`, stage, per-image selection, replay and config. */
export class LeafTransform<P extends ImageParams> implements Transform<LeafParams<P>> {
  readonly name: TransformName;
  readonly p: number;
  readonly stage: Stage;
  readonly definition: LeafDefinition<P>;

  constructor(definition: LeafDefinition<P>) {
    this.definition = definition;
    this.name = definition.name;
    this.p = definition.p;
    this.stage = definition.stage;
  }

  outputShape(shape: BatchShape): BatchShape {
    return this.definition.reshape?.outputShape(shape) ?? shape;
  }

  sample(rng: Rng, shape: BatchShape, options: SampleOptions = {}): LeafParams<P> {
    const fn = `${this.name}.sample`;
    checkRng(fn, rng);
    checkShape(fn, shape);
    const { training = true, active, force = false } = options;
    checkTraining(fn, training);
    const n = shape[0];
    if (active !== undefined && (!Array.isArray(active) || active.length !== n)) {
      throw new InvalidArgumentError(fn, 'options.active', `an array of ${n} booleans`, active);
    }
    checkChannels(fn, shape[3], this.definition.channels);
    const runs = training || this.stage === 'always';
    const images: (P | null)[] = [];
    for (let i = 0; i < n; i++) {
      if (!runs || (active !== undefined && !active[i]) || (!force && !(rng.next() < this.p))) {
        images.push(null);
      } else {
        images.push(this.definition.sampleImage(rng, shape));
      }
    }
    return { transform: this.name, images };
  }

  replay(images: tf.Tensor4D, params: LeafParams<P>, options: ReplayOptions = {}): tf.Tensor4D {
    const fn = `${this.name}.replay`;
    checkImages(fn, images);
    const [n] = images.shape;
    checkRecord(fn, params, this.name, n, (e) => e === null || isPlainObject(e));
    const maxValue = checkMaxValue(fn, options.maxValue ?? 1);
    checkChannels(fn, images.shape[3], this.definition.channels);
    const context: KernelContext = { maxValue };
    const { kernel, reshape } = this.definition;
    return tf.tidy(() => {
      const shape = images.shape as unknown as BatchShape;
      if (reshape !== undefined && !sameShape(reshape.outputShape(shape), shape)) {
        // Skipped images still need the new size: they get the transform's neutral parameters.
        const all = params.images.map((entry) => entry ?? reshape.neutral(shape));
        return kernel(images, all, context);
      }
      const applied: number[] = [];
      params.images.forEach((entry, i) => {
        if (entry !== null) applied.push(i);
      });
      if (applied.length === 0) return tf.clone(images);
      const chosen = applied.map((i) => params.images[i]!);
      if (applied.length === n) return kernel(images, chosen, context);
      return applyToSubset(images, applied, (subset) => kernel(subset, chosen, context));
    });
  }

  apply(images: tf.Tensor4D, rng: Rng, options: ApplyOptions = {}): AugmentResult<LeafParams<P>> {
    const fn = `${this.name}.apply`;
    checkImages(fn, images);
    const { training = true, ...replayOptions } = options;
    const params = this.sample(rng, images.shape as unknown as BatchShape, { training });
    return { images: this.replay(images, params, replayOptions), params };
  }

  toConfig(): TransformConfig {
    return { name: this.name, options: { ...this.definition.options, p: this.p, stage: this.stage } };
  }
}

/**
 * Runs `fn` on the images at `indices` only and puts its results back in place: one gather in, one
 * gather out, so a transform with a small `p` costs little.
 */
export function applyToSubset(
  images: tf.Tensor4D,
  indices: readonly number[],
  fn: (subset: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const out = fn(
      takeImages(
        images,
        indices.map((i) => [images, i]),
      ),
    );
    // Output image i comes from `out` where it was transformed, from `images` otherwise.
    const position = new Map(indices.map((i, k) => [i, k]));
    const sources = Array.from({ length: n }, (_, i): [tf.Tensor4D, number] =>
      position.has(i) ? [out, position.get(i)!] : [images, i],
    );
    return takeImages(images, sources);
  });
}

/**
 * Stacks images picked from one or two batches of the same image shape: one gather where gathers are
 * cheap, runs of contiguous slices on cpu (whose gather bounds-checks and indexes every element).
 */
function takeImages(images: tf.Tensor4D, picks: readonly (readonly [tf.Tensor4D, number])[]): tf.Tensor4D {
  const [, height, width, channels] = images.shape;
  if (!onCpu()) {
    const batches = [...new Set(picks.map(([batch]) => batch))];
    const offsets = batches.map((_, k) => batches.slice(0, k).reduce((sum, b) => sum + b.shape[0], 0));
    const order = picks.map(([batch, i]) => offsets[batches.indexOf(batch)]! + i);
    const source = batches.length === 1 ? batches[0]! : tf.concat(batches);
    return tf.gather(source, tf.tensor1d(order, 'int32'));
  }
  const parts: tf.Tensor4D[] = [];
  for (let k = 0; k < picks.length; ) {
    const [batch, start] = picks[k]!;
    let count = 1;
    while (
      k + count < picks.length &&
      picks[k + count]![0] === batch &&
      picks[k + count]![1] === start + count
    )
      count++;
    parts.push(tf.slice(batch, [start, 0, 0, 0], [count, height, width, channels]));
    k += count;
  }
  return parts.length === 1 ? parts[0]! : (tf.concat(parts) as tf.Tensor4D);
}

/** Resolves `p` and `stage`, shared by every factory. */
export function common(
  fn: string,
  options: { p?: number; stage?: Stage },
  defaultP: number,
): { p: number; stage: Stage } {
  return {
    p: checkProbability(fn, options.p ?? defaultP),
    stage: checkStage(fn, options.stage ?? 'train'),
  };
}

/** Creates a leaf transform. */
export function defineLeaf<P extends ImageParams>(definition: LeafDefinition<P>): LeafTransform<P> {
  return new LeafTransform(definition);
}

/** A leaf transform that is one homography per image, resampled with {@link warpProjective}. */
export function defineProjective<P extends ImageParams>(
  definition: Omit<LeafDefinition<P>, 'kernel' | 'projective'> & {
    readonly projective: ProjectiveSpec<P> & { readonly fill: Fill };
  },
): LeafTransform<P> {
  const { matrix, fill } = definition.projective;
  return new LeafTransform({
    ...definition,
    kernel: (images, params, { maxValue }) => {
      const [, height, width] = images.shape;
      const matrices = params.map((p) => matrix(p, height, width));
      return warpProjective(images, matrices, height, width, fill, maxValue);
    },
  });
}
