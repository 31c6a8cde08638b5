import { InvalidArgumentError } from '@topk/core';
import { type Architecture, INCEPTION_MEAN, INCEPTION_STD, TORCH_BATCH_NORM } from './architecture.js';
import type { BackboneOptions } from './types.js';

/** Options of the `simple-cnn` backbone. */
export interface SimpleCnnOptions extends BackboneOptions {
  /**
   * Channels of each conv-BN-ReLU-maxpool block; the first block is the stem, each later one a stage.
   * @defaultValue [32, 64, 128, 256]
   */
  readonly channels?: readonly number[];
}

/**
 * A small, fast baseline: blocks of 3x3 conv (no bias) → batch-norm → ReLU → 2x2 max-pool, doubling the
 * channels. With the defaults it has 388 896 parameters and halves the resolution four times.
 */
export const simpleCnn: Architecture = {
  description: 'Small fast baseline: conv-BN-ReLU-maxpool blocks, channels 32-64-128-256',
  dataConfig: {
    inputSize: [64, 64],
    channels: 3,
    mean: INCEPTION_MEAN,
    std: INCEPTION_STD,
    interpolation: 'bilinear',
    cropFraction: 1,
  },
  minInputSize: 1,
  optionKeys: ['channels'],
  batchNorm: TORCH_BATCH_NORM,
  build(b, input, options) {
    const channels = options.channels ?? [32, 64, 128, 256];
    if (
      !Array.isArray(channels) ||
      channels.length === 0 ||
      !channels.every((c) => typeof c === 'number' && Number.isSafeInteger(c) && c > 0)
    ) {
      throw new InvalidArgumentError(
        'createBackbone',
        'options.channels',
        'a non-empty array of positive integers',
        channels,
      );
    }
    let x = input;
    (channels as number[]).forEach((filters, i) => {
      if (i > 0) b.group(`stage${i}`);
      const name = `block${i + 1}`;
      x = b.conv(x, `${name}_conv`, { filters, kernelSize: 3 });
      x = b.bn(x, `${name}_bn`);
      x = b.activation(x, `${name}_relu`, 'relu');
      x = b.maxPool(x, `${name}_pool`, 2, 2, 'same');
    });
    return x;
  },
};
