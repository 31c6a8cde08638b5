import type * as tfl from '@tensorflow/tfjs-layers';
import { type Architecture, IMAGENET_MEAN, IMAGENET_STD, KERAS_BATCH_NORM } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';
import type { BackboneOptions } from './types.js';
import { numberInRange } from './validate.js';

type Tensor = tfl.SymbolicTensor;

/** Options of the `efficientnet_b0` backbone. */
export interface EfficientNetOptions extends BackboneOptions {
  /**
   * Stochastic-depth rate of the last block, growing linearly from 0 over the blocks (the paper's and
   * Keras's `drop_connect_rate`).
   * @defaultValue 0.2
   */
  readonly dropPathRate?: number;
}

interface BlockArgs {
  readonly kernelSize: number;
  readonly repeats: number;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly expandRatio: number;
  readonly strides: number;
  readonly stage: string;
}

// EfficientNet-B0's seven MBConv stages (Tan & Le 2019, table 1), all with squeeze-excite ratio 0.25.
const BLOCKS_B0: readonly BlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, strides: 1, stage: 'stem' },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, strides: 2, stage: 'stage1' },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, strides: 2, stage: 'stage2' },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, strides: 2, stage: 'stage3' },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, strides: 1, stage: 'stage3' },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, strides: 2, stage: 'stage4' },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, strides: 1, stage: 'stage4' },
];
const SE_RATIO = 0.25;

function mbConv(
  b: GraphBuilder,
  inputs: Tensor,
  name: string,
  args: Omit<BlockArgs, 'repeats' | 'stage'>,
  dropRate: number,
): Tensor {
  const { kernelSize, filtersIn, filtersOut, expandRatio, strides } = args;
  const filters = filtersIn * expandRatio;
  let x = inputs;
  if (expandRatio !== 1) {
    x = b.conv(x, `${name}expand_conv`, { filters, kernelSize: 1 });
    x = b.bn(x, `${name}expand_bn`);
    x = b.activation(x, `${name}expand_activation`, 'swish');
  }
  // Keras pads strided depthwise convolutions with `correct_pad` + 'valid': the same as TF's 'same'.
  x = b.depthwise(x, `${name}dwconv`, { kernelSize, strides });
  x = b.bn(x, `${name}bn`);
  x = b.activation(x, `${name}activation`, 'swish');
  const filtersSe = Math.max(1, Math.trunc(filtersIn * SE_RATIO));
  let se = b.globalAvgPool(x, `${name}se_squeeze`);
  se = b.reshape(se, `${name}se_reshape`, [1, 1, filters]);
  se = b.conv(se, `${name}se_reduce`, {
    filters: filtersSe,
    kernelSize: 1,
    useBias: true,
    activation: 'swish',
  });
  se = b.conv(se, `${name}se_expand`, { filters, kernelSize: 1, useBias: true, activation: 'sigmoid' });
  x = b.multiply([x, se], `${name}se_excite`);
  x = b.conv(x, `${name}project_conv`, { filters: filtersOut, kernelSize: 1 });
  x = b.bn(x, `${name}project_bn`);
  if (strides === 1 && filtersIn === filtersOut) {
    if (dropRate > 0) x = b.dropPath(x, `${name}drop`, dropRate);
    x = b.add([x, inputs], `${name}add`);
  }
  return x;
}

/**
 * EfficientNet-B0 (Tan & Le 2019): MBConv blocks with squeeze-and-excitation and swish. Layer names
 * follow `keras.applications.EfficientNetB0` (without its built-in rescaling and normalisation layers:
 * normalise with the data config instead).
 */
export const efficientnet_b0: Architecture = {
  description: 'EfficientNet-B0, MBConv + squeeze-excite + swish (Keras layer names)',
  // timm's efficientnet_b0 evaluation config (Keras normalises with the same ImageNet statistics inside).
  dataConfig: {
    inputSize: [224, 224],
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    interpolation: 'bicubic',
    cropFraction: 0.875,
  },
  minInputSize: 1,
  optionKeys: ['dropPathRate'],
  batchNorm: KERAS_BATCH_NORM,
  build(b, input, options) {
    const dropPathRate = numberInRange(
      'createBackbone',
      'options.dropPathRate',
      options.dropPathRate,
      0,
      1,
      0.2,
    );
    let x = b.conv(input, 'stem_conv', { filters: 32, kernelSize: 3, strides: 2 });
    x = b.bn(x, 'stem_bn');
    x = b.activation(x, 'stem_activation', 'swish');
    const total = BLOCKS_B0.reduce((sum, args) => sum + args.repeats, 0);
    let index = 0;
    let stage = 'stem';
    BLOCKS_B0.forEach((args, i) => {
      if (args.stage !== stage) {
        stage = args.stage;
        b.group(stage);
      }
      for (let j = 0; j < args.repeats; j++) {
        const blockArgs = j === 0 ? args : { ...args, strides: 1, filtersIn: args.filtersOut };
        x = mbConv(
          b,
          x,
          `block${i + 1}${String.fromCharCode(97 + j)}_`,
          blockArgs,
          (dropPathRate * index) / total,
        );
        index++;
      }
    });
    x = b.conv(x, 'top_conv', { filters: 1280, kernelSize: 1 });
    x = b.bn(x, 'top_bn');
    return b.activation(x, 'top_activation', 'swish');
  },
};
