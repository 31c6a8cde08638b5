import type { LayersModel } from '@tensorflow/tfjs-layers';

/** How images are resized to the model's input. */
export type Interpolation = 'bilinear' | 'bicubic' | 'nearest';

/**
 * How a backbone expects its images, as timm's `pretrained_cfg`: the data pipeline reads it to resize,
 * crop and normalise. Pixels are taken in [0, 1]; the model expects `(pixel - mean) / std` per channel.
 */
export interface DataConfig {
  /** `[height, width]` the model was built for (for the registry's defaults: the reference size). */
  readonly inputSize: readonly [number, number];
  /** Image channels. */
  readonly channels: number;
  /** Per-channel mean, one per channel, in [0, 1] pixel units. */
  readonly mean: readonly number[];
  /** Per-channel standard deviation, one per channel, in [0, 1] pixel units. */
  readonly std: readonly number[];
  /** Resize interpolation the reference weights were evaluated with. */
  readonly interpolation: Interpolation;
  /** Evaluation centre-crop fraction: resize to `inputSize / cropFraction`, then crop `inputSize`. */
  readonly cropFraction: number;
}

/** A named, ordered slice of a model's layers, the unit of freezing and discriminative learning rates. */
export interface LayerGroup {
  /** `stem`, `stage1` … `stageN`, `head`, or a custom backbone's own names. */
  readonly name: string;
  /** Names of the layers in this group (every layer of the model is in exactly one group). */
  readonly layers: readonly string[];
}

/** A tfjs-layers model together with its layer groups, earliest group first. */
export interface GroupedModel {
  readonly model: LayersModel;
  readonly layerGroups: readonly LayerGroup[];
}

/** A JSON value, for configs that are saved and shared. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Plain-JSON recipe of a backbone: `createBackbone(config.name, config.options)` rebuilds it. */
export interface BackboneConfig {
  readonly name: string;
  readonly options: { readonly [key: string]: JsonValue };
}

/**
 * A headless image model from the registry: `model` maps `[N, H, W, C]` images (normalised as
 * {@link DataConfig} says) to an unpooled `[N, h, w, numFeatures]` feature map.
 */
export interface Backbone extends GroupedModel {
  readonly kind: 'backbone';
  /** Registry name. */
  readonly name: string;
  /** Channels of the output feature map. */
  readonly numFeatures: number;
  readonly dataConfig: DataConfig;
  readonly config: BackboneConfig;
}

/** Options every backbone accepts. */
export interface BackboneOptions {
  /**
   * Input `[height, width]`, or one number for a square input; at least the architecture's
   * `minInputSize`.
   * @defaultValue the registry's reference size (224 for ImageNet models)
   */
  readonly inputSize?: number | readonly [number, number];
  /**
   * Image channels (1 for grayscale).
   * @defaultValue 3
   */
  readonly inputChannels?: number;
  /**
   * Seed of every initializer and dropout mask: equal seeds give bit-identical weights.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/**
 * What a backbone factory returns. `model` must map rank-4 images to a rank-4 feature map and
 * `layerGroups` must name every layer of `model` exactly once.
 */
export interface BackboneDefinition {
  readonly model: LayersModel;
  readonly layerGroups: readonly LayerGroup[];
  readonly dataConfig: DataConfig;
}

/** Builds a backbone from its options; what {@link registerBackbone} takes. */
export type BackboneFactory = (
  options: BackboneOptions & { readonly [key: string]: unknown },
) => BackboneDefinition;
