import type * as tfl from '@tensorflow/tfjs-layers';
import { type Architecture, IMAGENET_MEAN, IMAGENET_STD } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';

type Tensor = tfl.SymbolicTensor;

const GROWTH = 32;

function convBlock(b: GraphBuilder, x: Tensor, name: string): Tensor {
  let h = b.bn(x, `${name}_0_bn`);
  h = b.activation(h, `${name}_0_relu`, 'relu');
  h = b.conv(h, `${name}_1_conv`, { filters: 4 * GROWTH, kernelSize: 1 });
  h = b.bn(h, `${name}_1_bn`);
  h = b.activation(h, `${name}_1_relu`, 'relu');
  h = b.conv(h, `${name}_2_conv`, { filters: GROWTH, kernelSize: 3 });
  return b.concat([x, h], `${name}_concat`);
}

function transitionBlock(b: GraphBuilder, x: Tensor, name: string): Tensor {
  let h = b.bn(x, `${name}_bn`);
  h = b.activation(h, `${name}_relu`, 'relu');
  h = b.conv(h, `${name}_conv`, { filters: Math.floor(x.shape[3]! * 0.5), kernelSize: 1 });
  return b.avgPool(h, `${name}_pool`, 2, 2);
}

/**
 * DenseNet-121 (Huang et al. 2017): dense blocks of [6, 12, 24, 16] BN-ReLU-1x1-BN-ReLU-3x3 layers
 * with growth rate 32, joined by transitions that halve channels and resolution. Layer names and
 * batch-norm settings follow `keras.applications.DenseNet121`, so converted Keras weights map by name.
 */
export const densenet121: Architecture = {
  description: 'DenseNet-121, growth 32, blocks [6, 12, 24, 16] (Keras layer names)',
  dataConfig: {
    inputSize: [224, 224],
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    interpolation: 'bilinear',
    cropFraction: 0.875,
  },
  // Three 2x2 'valid' average pools after a /4 stem need ceil(ceil(H / 2) / 2) >= 8.
  minInputSize: 29,
  optionKeys: [],
  batchNorm: { epsilon: 1.001e-5, momentum: 0.99 },
  build(b, input) {
    let x = b.zeroPad(input, 'zero_padding2d', 3);
    x = b.conv(x, 'conv1/conv', { filters: 64, kernelSize: 7, strides: 2, padding: 'valid' });
    x = b.bn(x, 'conv1/bn');
    x = b.activation(x, 'conv1/relu', 'relu');
    x = b.zeroPad(x, 'zero_padding2d_1', 1);
    x = b.maxPool(x, 'pool1', 3, 2);
    [6, 12, 24, 16].forEach((blocks, stage) => {
      b.group(`stage${stage + 1}`);
      for (let i = 0; i < blocks; i++) x = convBlock(b, x, `conv${stage + 2}_block${i + 1}`);
      if (stage < 3) x = transitionBlock(b, x, `pool${stage + 2}`);
    });
    x = b.bn(x, 'bn');
    return b.activation(x, 'relu', 'relu');
  },
};
