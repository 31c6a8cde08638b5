import type * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { type Architecture, TORCH_BATCH_NORM } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';
import type { BackboneOptions } from './types.js';
import { numberInRange, positiveInt } from './validate.js';

type Tensor = tfl.SymbolicTensor;

/** Options of the `wide_resnet` backbone (WRN-depth-widen). */
export interface WideResNetOptions extends BackboneOptions {
  /**
   * Total depth `6n + 4` (n pre-activation basic blocks per stage): 16, 22, 28, 40, ...
   * @defaultValue 28
   */
  readonly depth?: number;
  /**
   * Widening factor k: stages have 16k, 32k and 64k channels.
   * @defaultValue 10
   */
  readonly widen?: number;
  /**
   * Dropout between the two convolutions of each block (the paper's WRN-28-10 with dropout uses 0.3).
   * @defaultValue 0
   */
  readonly dropRate?: number;
}

function wideBlock(
  b: GraphBuilder,
  x: Tensor,
  name: string,
  filters: number,
  stride: number,
  dropRate: number,
) {
  const inChannels = x.shape[3]!;
  const equalInOut = inChannels === filters && stride === 1;
  const preact = b.activation(b.bn(x, `${name}_bn1`), `${name}_relu1`, 'relu');
  // As in the reference implementation: an identity shortcut takes the raw input, a projection
  // shortcut the pre-activated one.
  const shortcut = equalInOut
    ? x
    : b.conv(preact, `${name}_shortcut`, { filters, kernelSize: 1, strides: stride, padding: 'valid' });
  let h =
    stride === 1
      ? b.conv(preact, `${name}_conv1`, { filters, kernelSize: 3 })
      : b.conv(b.zeroPad(preact, `${name}_pad1`, 1), `${name}_conv1`, {
          filters,
          kernelSize: 3,
          strides: stride,
          padding: 'valid',
        });
  h = b.activation(b.bn(h, `${name}_bn2`), `${name}_relu2`, 'relu');
  if (dropRate > 0) h = b.dropout(h, `${name}_dropout`, dropRate);
  h = b.conv(h, `${name}_conv2`, { filters, kernelSize: 3 });
  return b.add([shortcut, h], `${name}_add`);
}

/**
 * The CIFAR Wide Residual Network of Zagoruyko & Komodakis (2016), "Wide Residual Networks", BMVC:
 * a 3x3 stem with 16 channels, three stages of pre-activation basic blocks (BN-ReLU-conv-BN-ReLU-conv)
 * with 16k, 32k and 64k channels and strides 1, 2, 2, and a final BN-ReLU.
 */
export const wide_resnet: Architecture = {
  description: 'Wide ResNet WRN-depth-widen for small images (CIFAR layout), default WRN-28-10',
  // CIFAR-10 channel statistics, as in the reference training scripts.
  dataConfig: {
    inputSize: [32, 32],
    channels: 3,
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
    interpolation: 'bilinear',
    cropFraction: 1,
  },
  minInputSize: 1,
  optionKeys: ['depth', 'widen', 'dropRate'],
  batchNorm: TORCH_BATCH_NORM,
  build(b, input, options) {
    const depth = positiveInt('createBackbone', 'options.depth', options.depth, 28);
    if (depth < 10 || (depth - 4) % 6 !== 0) {
      throw new InvalidArgumentError(
        'createBackbone',
        'options.depth',
        '6n + 4 with n >= 1 (10, 16, 22, 28, ...)',
        depth,
      );
    }
    const widen = positiveInt('createBackbone', 'options.widen', options.widen, 10);
    const dropRate = numberInRange('createBackbone', 'options.dropRate', options.dropRate, 0, 1, 0);
    const n = (depth - 4) / 6;
    let x = b.conv(input, 'conv1', { filters: 16, kernelSize: 3 });
    [16 * widen, 32 * widen, 64 * widen].forEach((filters, stage) => {
      b.group(`stage${stage + 1}`);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        x = wideBlock(b, x, `stage${stage + 1}_block${i + 1}`, filters, stride, dropRate);
      }
    });
    x = b.bn(x, 'final_bn');
    return b.activation(x, 'final_relu', 'relu');
  },
};
