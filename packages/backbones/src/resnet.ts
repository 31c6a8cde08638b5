import type * as tfl from '@tensorflow/tfjs-layers';
import { type Architecture, IMAGENET_MEAN, IMAGENET_STD, TORCH_BATCH_NORM } from './architecture.js';
import type { GraphBuilder } from './graph-builder.js';

type Tensor = tfl.SymbolicTensor;

/** Shape of a ResNet-family network (He et al. 2016; Xie et al. 2017; Zagoruyko & Komodakis 2016). */
interface ResNetSpec {
  readonly block: 'basic' | 'bottleneck';
  readonly layers: readonly [number, number, number, number];
  /** Groups of the 3x3 convolution (ResNeXt cardinality). */
  readonly groups: number;
  /** Bottleneck width per group at the first stage (64 for ResNet, 4 for ResNeXt 32x4d, 128 for WRN-50-2). */
  readonly widthPerGroup: number;
}

/** A 3x3 convolution padded by one pixel on every side, as PyTorch's `padding=1`. */
function conv3x3(
  b: GraphBuilder,
  x: Tensor,
  name: string,
  filters: number,
  stride: number,
  groups = 1,
): Tensor {
  // TF's 'same' pads only on the bottom/right for a stride-2 conv on an even input; PyTorch pads both
  // sides, so strided convolutions pad explicitly (as Keras's ResNetV2 does) to keep torchvision's function.
  if (stride === 1) return b.conv(x, name, { filters, kernelSize: 3, padding: 'same', groups });
  const padded = b.zeroPad(x, name.replace(/_conv$/, '_pad'), 1);
  return b.conv(padded, name, { filters, kernelSize: 3, strides: stride, padding: 'valid', groups });
}

function basicBlock(b: GraphBuilder, x: Tensor, name: string, planes: number, stride: number): Tensor {
  const inChannels = x.shape[3]!;
  let shortcut = x;
  if (stride !== 1 || inChannels !== planes) {
    shortcut = b.conv(x, `${name}_0_conv`, {
      filters: planes,
      kernelSize: 1,
      strides: stride,
      padding: 'valid',
    });
    shortcut = b.bn(shortcut, `${name}_0_bn`);
  }
  let h = conv3x3(b, x, `${name}_1_conv`, planes, stride);
  h = b.bn(h, `${name}_1_bn`);
  h = b.activation(h, `${name}_1_relu`, 'relu');
  h = conv3x3(b, h, `${name}_2_conv`, planes, 1);
  h = b.bn(h, `${name}_2_bn`);
  h = b.add([shortcut, h], `${name}_add`);
  return b.activation(h, `${name}_out`, 'relu');
}

function bottleneckBlock(
  b: GraphBuilder,
  x: Tensor,
  name: string,
  planes: number,
  stride: number,
  spec: ResNetSpec,
): Tensor {
  const inChannels = x.shape[3]!;
  const outChannels = planes * 4;
  const width = Math.floor((planes * spec.widthPerGroup) / 64) * spec.groups;
  let shortcut = x;
  if (stride !== 1 || inChannels !== outChannels) {
    shortcut = b.conv(x, `${name}_0_conv`, {
      filters: outChannels,
      kernelSize: 1,
      strides: stride,
      padding: 'valid',
    });
    shortcut = b.bn(shortcut, `${name}_0_bn`);
  }
  // torchvision's ResNet v1.5: the stride sits on the 3x3 convolution, not on the first 1x1.
  let h = b.conv(x, `${name}_1_conv`, { filters: width, kernelSize: 1 });
  h = b.bn(h, `${name}_1_bn`);
  h = b.activation(h, `${name}_1_relu`, 'relu');
  h = conv3x3(b, h, `${name}_2_conv`, width, stride, spec.groups);
  h = b.bn(h, `${name}_2_bn`);
  h = b.activation(h, `${name}_2_relu`, 'relu');
  h = b.conv(h, `${name}_3_conv`, { filters: outChannels, kernelSize: 1 });
  h = b.bn(h, `${name}_3_bn`);
  h = b.add([shortcut, h], `${name}_add`);
  return b.activation(h, `${name}_out`, 'relu');
}

function buildResNet(b: GraphBuilder, input: Tensor, spec: ResNetSpec): Tensor {
  // Stem and layer names follow keras.applications.ResNet50 (conv1_conv, conv2_block1_1_conv, ...).
  let x = b.zeroPad(input, 'conv1_pad', 3);
  x = b.conv(x, 'conv1_conv', { filters: 64, kernelSize: 7, strides: 2, padding: 'valid' });
  x = b.bn(x, 'conv1_bn');
  x = b.activation(x, 'conv1_relu', 'relu');
  // Zero padding before max pooling is exact here: the input is a ReLU output, so never below zero.
  x = b.zeroPad(x, 'pool1_pad', 1);
  x = b.maxPool(x, 'pool1_pool', 3, 2);
  spec.layers.forEach((blocks, stage) => {
    b.group(`stage${stage + 1}`);
    const planes = 64 * 2 ** stage;
    for (let i = 0; i < blocks; i++) {
      const name = `conv${stage + 2}_block${i + 1}`;
      const stride = i === 0 && stage > 0 ? 2 : 1;
      x =
        spec.block === 'basic'
          ? basicBlock(b, x, name, planes, stride)
          : bottleneckBlock(b, x, name, planes, stride, spec);
    }
  });
  return x;
}

function resnetArchitecture(description: string, spec: ResNetSpec): Architecture {
  return {
    description,
    // torchvision's ImageNet evaluation transform: resize 256, centre crop 224, bilinear.
    dataConfig: {
      inputSize: [224, 224],
      channels: 3,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      interpolation: 'bilinear',
      cropFraction: 0.875,
    },
    minInputSize: 1,
    optionKeys: [],
    batchNorm: TORCH_BATCH_NORM,
    build: (b, input) => buildResNet(b, input, spec),
  };
}

/** ResNet-18 (He et al. 2016), torchvision's layout. */
export const resnet18 = resnetArchitecture('ResNet-18, basic blocks [2, 2, 2, 2] (torchvision)', {
  block: 'basic',
  layers: [2, 2, 2, 2],
  groups: 1,
  widthPerGroup: 64,
});

/** ResNet-34 (He et al. 2016), torchvision's layout. */
export const resnet34 = resnetArchitecture('ResNet-34, basic blocks [3, 4, 6, 3] (torchvision)', {
  block: 'basic',
  layers: [3, 4, 6, 3],
  groups: 1,
  widthPerGroup: 64,
});

/** ResNet-50 v1.5 (stride on the 3x3 convolution), torchvision's layout. */
export const resnet50 = resnetArchitecture('ResNet-50 v1.5, bottleneck blocks [3, 4, 6, 3] (torchvision)', {
  block: 'bottleneck',
  layers: [3, 4, 6, 3],
  groups: 1,
  widthPerGroup: 64,
});

/** ResNeXt-50 32x4d (Xie et al. 2017): 32 groups of 4 channels in the first stage's 3x3 convolutions. */
export const resnext50_32x4d = resnetArchitecture(
  'ResNeXt-50 32x4d, grouped 3x3 convolutions with cardinality 32 (torchvision)',
  { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 },
);

/** Wide ResNet-50-2 (Zagoruyko & Komodakis 2016, ImageNet variant): bottlenecks twice as wide. */
export const wide_resnet50_2 = resnetArchitecture(
  'Wide ResNet-50-2 (ImageNet), bottleneck width doubled (torchvision, fastai wrn_50_2)',
  { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 1, widthPerGroup: 128 },
);
