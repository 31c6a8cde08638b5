import type * as tfl from '@tensorflow/tfjs-layers';
import { type Architecture, INCEPTION_MEAN, INCEPTION_STD, KERAS_BATCH_NORM } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';

type Tensor = tfl.SymbolicTensor;

/** An entry/exit-flow block: two separable convs, a strided max-pool, and a strided 1x1 projection. */
function downBlock(
  b: GraphBuilder,
  x: Tensor,
  block: number,
  filters: readonly [number, number],
  residualIndex: number,
  addName: string,
  leadingRelu: boolean,
): Tensor {
  const suffix = residualIndex === 0 ? '' : `_${residualIndex}`;
  let residual = b.conv(x, `conv2d${suffix}`, { filters: filters[1], kernelSize: 1, strides: 2 });
  residual = b.bn(residual, `batch_normalization${suffix}`);
  let h = leadingRelu ? b.activation(x, `block${block}_sepconv1_act`, 'relu') : x;
  h = b.separable(h, `block${block}_sepconv1`, filters[0]);
  h = b.bn(h, `block${block}_sepconv1_bn`);
  h = b.activation(h, `block${block}_sepconv2_act`, 'relu');
  h = b.separable(h, `block${block}_sepconv2`, filters[1]);
  h = b.bn(h, `block${block}_sepconv2_bn`);
  h = b.maxPool(h, `block${block}_pool`, 3, 2, 'same');
  return b.add([h, residual], addName);
}

/**
 * Xception (Chollet 2017): an entry flow, eight middle-flow blocks of three 728-channel separable
 * convolutions with identity shortcuts, and an exit flow. Layer names (including the auto-generated
 * `conv2d`, `batch_normalization` and `add` names of a fresh Keras session) follow
 * `keras.applications.Xception`.
 */
export const xception: Architecture = {
  description: 'Xception, depthwise-separable Inception (Keras layer names)',
  // Keras's 'tf' preprocessing; 299 px, timm's legacy xception crop fraction and interpolation.
  dataConfig: {
    inputSize: [299, 299],
    channels: 3,
    mean: INCEPTION_MEAN,
    std: INCEPTION_STD,
    interpolation: 'bicubic',
    cropFraction: 0.8975,
  },
  // Two unpadded 3x3 convolutions, the first with stride 2: floor((H - 3) / 2) + 1 >= 3.
  minInputSize: 7,
  optionKeys: [],
  batchNorm: KERAS_BATCH_NORM,
  build(b, input) {
    let x = b.conv(input, 'block1_conv1', { filters: 32, kernelSize: 3, strides: 2, padding: 'valid' });
    x = b.bn(x, 'block1_conv1_bn');
    x = b.activation(x, 'block1_conv1_act', 'relu');
    x = b.conv(x, 'block1_conv2', { filters: 64, kernelSize: 3, padding: 'valid' });
    x = b.bn(x, 'block1_conv2_bn');
    x = b.activation(x, 'block1_conv2_act', 'relu');
    b.group('stage1');
    x = downBlock(b, x, 2, [128, 128], 0, 'add', false);
    b.group('stage2');
    x = downBlock(b, x, 3, [256, 256], 1, 'add_1', true);
    b.group('stage3');
    x = downBlock(b, x, 4, [728, 728], 2, 'add_2', true);
    for (let i = 0; i < 8; i++) {
      const prefix = `block${i + 5}`;
      let h = x;
      for (let j = 1; j <= 3; j++) {
        h = b.activation(h, `${prefix}_sepconv${j}_act`, 'relu');
        h = b.separable(h, `${prefix}_sepconv${j}`, 728);
        h = b.bn(h, `${prefix}_sepconv${j}_bn`);
      }
      x = b.add([h, x], `add_${i + 3}`);
    }
    b.group('stage4');
    x = downBlock(b, x, 13, [728, 1024], 3, 'add_11', true);
    x = b.separable(x, 'block14_sepconv1', 1536);
    x = b.bn(x, 'block14_sepconv1_bn');
    x = b.activation(x, 'block14_sepconv1_act', 'relu');
    x = b.separable(x, 'block14_sepconv2', 2048);
    x = b.bn(x, 'block14_sepconv2_bn');
    return b.activation(x, 'block14_sepconv2_act', 'relu');
  },
};
