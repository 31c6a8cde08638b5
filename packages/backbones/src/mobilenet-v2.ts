import type * as tfl from '@tensorflow/tfjs-layers';
import { type Architecture, INCEPTION_MEAN, INCEPTION_STD } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';
import type { BackboneOptions } from './types.js';
import { positiveNumber } from './validate.js';

type Tensor = tfl.SymbolicTensor;

/** Options of the `mobilenet_v2` backbone. */
export interface MobileNetV2Options extends BackboneOptions {
  /**
   * Width multiplier α: scales every layer's channels (rounded to multiples of 8); the last 1x1
   * convolution keeps 1280 channels unless α > 1.
   * @defaultValue 1
   */
  readonly widthMultiplier?: number;
}

/** Rounds channels to a multiple of `divisor` without going more than 10% down (TF-slim's `_make_divisible`). */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

function invertedResidual(
  b: GraphBuilder,
  x: Tensor,
  blockId: number,
  filters: number,
  stride: number,
  expansion: number,
  alpha: number,
): Tensor {
  const inChannels = x.shape[3]!;
  const outChannels = makeDivisible(Math.trunc(filters * alpha));
  const prefix = blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
  let h = x;
  if (blockId !== 0) {
    h = b.conv(h, `${prefix}expand`, { filters: expansion * inChannels, kernelSize: 1 });
    h = b.bn(h, `${prefix}expand_BN`);
    h = b.relu6(h, `${prefix}expand_relu`);
  }
  // Keras pads strided depthwise convolutions with `correct_pad` and uses 'valid', which is exactly TF's
  // 'same' for odd kernels, so 'same' gives Keras's function.
  h = b.depthwise(h, `${prefix}depthwise`, { kernelSize: 3, strides: stride });
  h = b.bn(h, `${prefix}depthwise_BN`);
  h = b.relu6(h, `${prefix}depthwise_relu`);
  h = b.conv(h, `${prefix}project`, { filters: outChannels, kernelSize: 1 });
  h = b.bn(h, `${prefix}project_BN`);
  if (inChannels === outChannels && stride === 1) return b.add([x, h], `${prefix}add`);
  return h;
}

// [filters, stride, expansion] of blocks 0..16, and the stage each belongs to (by output stride).
const BLOCKS: readonly (readonly [number, number, number])[] = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];
const STAGE_STARTS = new Map([
  [1, 'stage1'],
  [3, 'stage2'],
  [6, 'stage3'],
  [13, 'stage4'],
]);

/**
 * MobileNetV2 (Sandler et al. 2018): inverted residual blocks with linear bottlenecks and ReLU6.
 * Layer names and batch-norm settings follow `keras.applications.MobileNetV2`.
 */
export const mobilenet_v2: Architecture = {
  description: 'MobileNetV2 with width multiplier (Keras layer names)',
  // Keras's MobileNetV2 weights take 'tf' preprocessing (x / 127.5 - 1).
  dataConfig: {
    inputSize: [224, 224],
    channels: 3,
    mean: INCEPTION_MEAN,
    std: INCEPTION_STD,
    interpolation: 'bilinear',
    cropFraction: 0.875,
  },
  minInputSize: 1,
  optionKeys: ['widthMultiplier'],
  batchNorm: { epsilon: 1e-3, momentum: 0.999 },
  build(b, input, options) {
    const alpha = positiveNumber('createBackbone', 'options.widthMultiplier', options.widthMultiplier, 1);
    let x = b.conv(input, 'Conv1', { filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2 });
    x = b.bn(x, 'bn_Conv1');
    x = b.relu6(x, 'Conv1_relu');
    BLOCKS.forEach(([filters, stride, expansion], blockId) => {
      const stage = STAGE_STARTS.get(blockId);
      if (stage !== undefined) b.group(stage);
      x = invertedResidual(b, x, blockId, filters, stride, expansion, alpha);
    });
    x = b.conv(x, 'Conv_1', { filters: alpha > 1 ? makeDivisible(1280 * alpha) : 1280, kernelSize: 1 });
    x = b.bn(x, 'Conv_1_bn');
    return b.relu6(x, 'out_relu');
  },
};
