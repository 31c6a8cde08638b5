import type * as tfl from '@tensorflow/tfjs-layers';
import type { BatchNormSpec, GraphBuilder } from './graph-builder.js';
import type { DataConfig } from './types.js';

/**
 * A built-in architecture: how the registry builds it and what it knows about it without building.
 * Internal; `createBackbone` turns one into a {@link Backbone}.
 */
export interface Architecture {
  /** One line for `getBackboneInfo`. */
  readonly description: string;
  /** Reference data config for 3-channel images at the reference size. */
  readonly dataConfig: DataConfig;
  /** Smallest input side for which every feature map along the way keeps at least one pixel. */
  readonly minInputSize: number;
  /** Architecture-specific option names, on top of `inputSize`, `inputChannels` and `seed`. */
  readonly optionKeys: readonly string[];
  /** Batch-norm epsilon and momentum of the reference implementation. */
  readonly batchNorm: BatchNormSpec;
  /**
   * Applies the layers after the input, starting inside the `stem` group, and returns the final
   * feature map.
   */
  build(
    b: GraphBuilder,
    input: tfl.SymbolicTensor,
    options: Readonly<Record<string, unknown>>,
  ): tfl.SymbolicTensor;
}

/** ImageNet mean and std in [0, 1] pixel units (torchvision and Keras's 'torch' preprocessing). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
/** @see IMAGENET_MEAN */
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** Keras's 'tf' preprocessing, `x / 127.5 - 1`, in [0, 1] pixel units. */
export const INCEPTION_MEAN = [0.5, 0.5, 0.5] as const;
/** @see INCEPTION_MEAN */
export const INCEPTION_STD = [0.5, 0.5, 0.5] as const;

/** PyTorch's batch-norm defaults (eps 1e-5, momentum 0.1 ⇔ Keras momentum 0.9). */
export const TORCH_BATCH_NORM: BatchNormSpec = { epsilon: 1e-5, momentum: 0.9 };
/** Keras's batch-norm defaults. */
export const KERAS_BATCH_NORM: BatchNormSpec = { epsilon: 1e-3, momentum: 0.99 };
