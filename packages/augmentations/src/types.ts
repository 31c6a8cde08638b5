import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@topk/core';

/** `[N, height, width, channels]` of an NHWC image batch. */
export type BatchShape = readonly [number, number, number, number];

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** One value of a transform's per-image parameters. */
export type ParamValue = number | boolean | string | readonly number[];

/** The parameters a transform drew for one image: plain JSON, readable and replayable. */
export type ImageParams = { readonly [key: string]: ParamValue };

/** Names of the leaf transforms, as they appear in configs and parameter records. */
export type TransformName =
  | 'horizontalFlip'
  | 'verticalFlip'
  | 'rotate'
  | 'affine'
  | 'perspective'
  | 'elastic'
  | 'gridDistortion'
  | 'randomResizedCrop'
  | 'cropAndPad'
  | 'zoom'
  | 'warp'
  | 'brightnessContrast'
  | 'brightness'
  | 'contrast'
  | 'hueSaturationValue'
  | 'rgbShift'
  | 'gamma'
  | 'grayscale'
  | 'channelShuffle'
  | 'sharpen'
  | 'posterize'
  | 'solarize'
  | 'jpegQuality'
  | 'gaussianNoise'
  | 'gaussianBlur'
  | 'motionBlur'
  | 'medianBlur'
  | 'rain'
  | 'fog'
  | 'randomErasing'
  | 'coarseDropout';

/** Names of the compositions. */
export type CompositionName = 'compose' | 'oneOf' | 'someOf' | 'randomOrder';

/**
 * What a leaf transform drew for a batch: one entry per image, `null` where it did not apply (its `p`
 * said no, it was not selected by a composition, or it is train-only and the call was not training).
 */
export interface LeafParams<P extends ImageParams = ImageParams> {
  readonly transform: TransformName;
  readonly images: readonly (P | null)[];
}

/** One child run of a composition, in execution order. */
export interface CompositionStep {
  /** Index into the composition's children. */
  readonly child: number;
  /** What the child drew; images the step does not touch are `null` (or `false`) inside. */
  readonly params: TransformParams;
}

/** What a composition drew for a batch: which images it ran on and the child runs, in order. */
export interface CompositionParams {
  readonly transform: CompositionName;
  /** Per image: whether the composition ran on it (its own `p`, the caller's selection). */
  readonly images: readonly boolean[];
  readonly steps: readonly CompositionStep[];
}

/** A parameter record of any transform: plain JSON, so it can be logged, stored and replayed. */
export type TransformParams = LeafParams | CompositionParams;

/** When a transform runs: only while training, or also at validation and test time. */
export type Stage = 'train' | 'always';

/** How pixels are resampled and what fills the area outside the source image. */
export interface FillOptions {
  /**
   * `bilinear` or `nearest` interpolation.
   * @defaultValue 'bilinear'
   */
  readonly interpolation?: 'bilinear' | 'nearest';
  /**
   * Outside the image: `constant` uses {@link FillOptions.fillValue}; `reflect` mirrors about the edge
   * pixels (`dcb|abcd|cba`, OpenCV's BORDER_REFLECT_101, fastai's `reflection`); `edge` repeats them.
   */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /**
   * Constant fill as a fraction of `maxValue` (0 is black, 1 is white).
   * @defaultValue 0
   */
  readonly fillValue?: number;
}

/** Options every leaf transform and composition takes. */
export interface CommonOptions {
  /** Probability, per image, that the transform applies. */
  readonly p?: number;
  /**
   * `train`: skipped when a call passes `training: false`; `always`: also runs then.
   * @defaultValue 'train'
   */
  readonly stage?: Stage;
}

/** Options of {@link Transform.sample}. */
export interface SampleOptions {
  /**
   * Whether this is a training call: `train`-stage transforms draw nothing (`null`) when false.
   * @defaultValue true
   */
  readonly training?: boolean;
  /** Per image, whether the transform is considered at all (compositions pass their selection). */
  readonly active?: readonly boolean[];
  /**
   * Apply to every active image, ignoring `p` (albumentations' `force_apply`, used by `oneOf` and
   * `someOf` for the children they pick).
   * @defaultValue false
   */
  readonly force?: boolean;
}

/** Options of {@link Transform.replay}. */
export interface ReplayOptions {
  /**
   * The value of white: images hold values in `[0, maxValue]` (1 for `[0, 1]` images, 255 for 8-bit
   * ranges). Outputs stay in that range.
   * @defaultValue 1
   */
  readonly maxValue?: number;
}

/** Options of {@link Transform.apply}. */
export interface ApplyOptions extends ReplayOptions {
  /** @defaultValue true */
  readonly training?: boolean;
}

/** Output of {@link Transform.apply}: the augmented batch (the caller disposes it) and what was drawn. */
export interface AugmentResult<P extends TransformParams = TransformParams> {
  readonly images: tf.Tensor4D;
  readonly params: P;
}

/** Plain-JSON description of a transform; {@link transformFromConfig} rebuilds it. */
export interface TransformConfig {
  readonly name: TransformName | CompositionName;
  /** Every option, defaults filled in. */
  readonly options: { readonly [key: string]: JsonValue };
  /** The children of a composition. */
  readonly children?: readonly TransformConfig[];
}

/**
 * A batched, seeded, replayable augmentation. It works in two steps, as albumentations does:
 * {@link Transform.sample} draws per-image parameters from an explicit {@link Rng} (plain JSON, no tensors),
 * and {@link Transform.replay} applies given parameters deterministically with tfjs ops, on whatever
 * backend is active. {@link Transform.apply} does both.
 *
 * Images are NHWC float32 `[N, height, width, channels]` with values in `[0, maxValue]`.
 */
export interface Transform<P extends TransformParams = TransformParams> {
  readonly name: TransformName | CompositionName;
  /** Probability per image. */
  readonly p: number;
  readonly stage: Stage;
  /** Shape of the output for an input of `shape`. */
  outputShape(shape: BatchShape): BatchShape;
  /** Draws parameters for a batch of `shape`; consumes `rng`, touches no tensors. */
  sample(rng: Rng, shape: BatchShape, options?: SampleOptions): P;
  /** Applies `params` to `images` (whose batch size must match); returns a new tensor. */
  replay(images: tf.Tensor4D, params: P, options?: ReplayOptions): tf.Tensor4D;
  /** {@link Transform.sample} then {@link Transform.replay}. */
  apply(images: tf.Tensor4D, rng: Rng, options?: ApplyOptions): AugmentResult<P>;
  /** Plain-JSON config, every option included. */
  toConfig(): TransformConfig;
}
