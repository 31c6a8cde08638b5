import * as tfl from '@tensorflow/tfjs-layers';
import { CLASSES, IMAGE_SIZE, seededInitializers, trainAndPredict } from '../train-and-predict.js';
import type { Bench } from '../types.js';

type Init = () => ReturnType<typeof tfl.initializers.glorotUniform>;
type Node = tfl.SymbolicTensor;

// PyTorch's BatchNorm2d: ε = 1e-5, running stats updated with momentum 0.1, i.e. tf's momentum 0.9.
const bn = (x: Node): Node =>
  tfl.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(x) as Node;
const relu6 = (x: Node): Node => tfl.layers.reLU({ maxValue: 6 }).apply(x) as Node;

/**
 * `cbr(i, o, k, s)`: `Conv2d(i, o, k, s, k // 2, bias=False) → BatchNorm2d → ReLU6`.
 *
 * Strided 3×3 convolutions use `same` padding where PyTorch pads one pixel on each side: on even sizes tf
 * pads 0 before and 1 after instead, so the windows sit one pixel apart but the shapes, parameters and
 * FLOPs are the same, without the extra copy that a ZeroPadding2D layer would add to every step.
 */
function cbr(x: Node, filters: number, kernelSize: number, strides: number, init: Init): Node {
  const conv = tfl.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: init(),
  });
  return relu6(bn(conv.apply(x) as Node));
}

/**
 * `IR(i, o, t, st)`: inverted residual. Expand with a 1×1 `cbr` (unless t = 1), 3×3 depthwise conv (stride
 * st) → BN → ReLU6, project with a 1×1 conv → BN (linear), and add the input when st = 1 and i = o.
 */
function invertedResidual(
  x: Node,
  inChannels: number,
  outChannels: number,
  expansion: number,
  stride: number,
  init: Init,
): Node {
  let h = expansion === 1 ? x : cbr(x, inChannels * expansion, 1, 1, init);
  const depthwise = tfl.layers.depthwiseConv2d({
    kernelSize: 3,
    strides: stride,
    padding: 'same',
    depthMultiplier: 1,
    useBias: false,
    depthwiseInitializer: init(),
  });
  h = relu6(bn(depthwise.apply(h) as Node));
  const project = tfl.layers.conv2d({
    filters: outChannels,
    kernelSize: 1,
    useBias: false,
    kernelInitializer: init(),
  });
  h = bn(project.apply(h) as Node);
  return stride === 1 && inChannels === outChannels ? (tfl.layers.add().apply([x, h]) as Node) : h;
}

/**
 * The MobileNetV2-style net of `torch_train_step.py`: `cbr(3, 32, 3, 2)`, inverted residuals
 * `IR(32,16,1,1) IR(16,24,6,2) IR(24,24,6,1) IR(24,32,6,2) IR(32,32,6,1) IR(32,64,6,2) IR(64,64,6,1)`, a 3×3
 * depthwise conv without bias, `Conv2d(64, 128, 1)` with bias → ReLU, global average pool, `Linear(128, 10)`
 * (NHWC; 126 154 trainable parameters).
 */
export function buildMnet(): tfl.LayersModel {
  const init = seededInitializers(200);
  const input = tfl.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 3] });
  let x = cbr(input, 32, 3, 2, init);
  const blocks: readonly (readonly [number, number, number, number])[] = [
    [32, 16, 1, 1],
    [16, 24, 6, 2],
    [24, 24, 6, 1],
    [24, 32, 6, 2],
    [32, 32, 6, 1],
    [32, 64, 6, 2],
    [64, 64, 6, 1],
  ];
  for (const [i, o, t, s] of blocks) x = invertedResidual(x, i, o, t, s, init);
  x = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: init() })
    .apply(x) as Node;
  x = tfl.layers
    .conv2d({ filters: 128, kernelSize: 1, activation: 'relu', kernelInitializer: init() })
    .apply(x) as Node;
  // AdaptiveAvgPool2d(1) + Flatten.
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as Node;
  const logits = tfl.layers.dense({ units: CLASSES, kernelInitializer: init() }).apply(x) as Node;
  return tfl.model({ inputs: input, outputs: logits });
}

/** Train-step and predict img/s of the MobileNetV2-style net, batch 64 at 64×64×3, Adam 1e-3. */
export const trainMnetBench: Bench = {
  name: 'train-mnet',
  description:
    'MobileNetV2-style net (conv/BN/ReLU6, 7 inverted residuals, GAP, dense 10), batch 64 at 64x64x3, Adam',
  trains: true,
  run: (context) => trainAndPredict(context, buildMnet),
};
