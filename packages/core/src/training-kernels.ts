import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulKernel, nativeFusedMatMulKernel } from './kernels/batch-mat-mul-kernel.js';
import {
  batchNormChannelsKernel,
  reduceLeadingAxesKernel,
  tileLeadingAxesKernel,
} from './kernels/broadcast-kernels.js';
import { concatKernel, splitKernel } from './kernels/concat-split-kernels.js';
import { conv2dBackpropFilterKernel } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './kernels/conv2d-backprop-input.js';
import { depthwiseBackpropFilterKernel } from './kernels/depthwise-backprop-filter.js';
import { depthwiseBackpropInputKernel } from './kernels/depthwise-backprop-input.js';
import {
  batchNormGradSumsKernel,
  batchNormInputGradKernel,
  batchNormMomentsKernel,
  clipByValueGradKernel,
  reluGradKernel,
  squareGradKernel,
} from './kernels/fused-gradient-kernels.js';
import { gatherBlocksKernel } from './kernels/gather-kernel.js';
import { sharedIdentityKernel } from './kernels/identity-kernel.js';
import {
  nativeConv2dKernel,
  nativeDepthwiseConv2dKernel,
  nativeFusedConv2dKernel,
  nativeFusedDepthwiseConv2dKernel,
  nativeInvertedResidualKernel,
} from './kernels/native/native-conv-kernels.js';
import { oneHotKernel } from './kernels/one-hot-kernel.js';
import { avgPoolGradKernel, maxPoolGradKernel } from './kernels/pool-grad.js';
import { resizeBilinearGradKernel, resizeNearestNeighborGradKernel } from './kernels/resize-grad.js';
import { prepareSimdKernels } from './kernels/simd/simd-kernels.js';
import { unsortedSegmentSumKernel } from './kernels/unsorted-segment-sum.js';

/**
 * Gradient kernels that training the registry's backbones, the augmentations and the losses needs on top
 * of the forward kernels. A backend missing any of them cannot train.
 */
export const TRAINING_KERNEL_NAMES: readonly string[] = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPoolGrad',
  'AvgPoolGrad',
  'ResizeBilinearGrad',
  'ResizeNearestNeighborGrad',
  'UnsortedSegmentSum',
  'FusedBatchNorm',
  'Relu6',
  'Step',
];

/** What {@link registerTrainingKernels} did for one backend. */
export interface TrainingKernelReport {
  readonly backend: string;
  /** Kernels topk registered, replacing the backend's own where it had one. */
  readonly registered: readonly string[];
  /** Training kernels that the backend still lacks after registration (empty: it can train). */
  readonly missing: readonly string[];
}

const supplied: Record<string, readonly ((name: 'cpu' | 'wasm') => tf.KernelConfig)[]> = {
  // wasm lacks the first four; its MaxPoolGrad and resize gradients disagree with cpu; its own
  // Conv2DBackpropInput is several times slower than the same work done as a forward XNNPACK convolution.
  wasm: [
    conv2dBackpropFilterKernel,
    conv2dBackpropInputKernel,
    depthwiseBackpropFilterKernel,
    depthwiseBackpropInputKernel,
    unsortedSegmentSumKernel,
    maxPoolGradKernel,
    avgPoolGradKernel,
    resizeBilinearGradKernel,
    resizeNearestNeighborGradKernel,
    () => reduceLeadingAxesKernel('Sum'),
    () => reduceLeadingAxesKernel('Mean'),
    tileLeadingAxesKernel,
    batchNormChannelsKernel,
    reluGradKernel,
    clipByValueGradKernel,
    batchNormGradSumsKernel,
    batchNormMomentsKernel,
    batchNormInputGradKernel,
    squareGradKernel,
    sharedIdentityKernel,
    gatherBlocksKernel,
    batchMatMulKernel,
    nativeFusedMatMulKernel,
    nativeConv2dKernel,
    nativeFusedConv2dKernel,
    nativeDepthwiseConv2dKernel,
    nativeFusedDepthwiseConv2dKernel,
    nativeInvertedResidualKernel,
    concatKernel,
    splitKernel,
    oneHotKernel,
  ],
  // tfjs 4.22's cpu ResizeBilinearGrad swaps height and width and ignores halfPixelCenters; its
  // ResizeNearestNeighborGrad gives NaN or wrong sums when downsizing or with halfPixelCenters.
  // Both backends' AvgPoolGrad divide border windows by the full window size.
  cpu: [
    resizeBilinearGradKernel,
    resizeNearestNeighborGradKernel,
    avgPoolGradKernel,
    reluGradKernel,
    clipByValueGradKernel,
    batchNormGradSumsKernel,
    batchNormMomentsKernel,
    batchNormInputGradKernel,
    squareGradKernel,
  ],
};

const done = new Set<string>();

/**
 * Registers topk's training kernels for a backend (idempotent) and reports what the backend still lacks.
 * {@link selectBackend} calls it; call it yourself only when you set a backend with `tf.setBackend`.
 *
 * @param backendName - a tfjs backend name: `wasm` and `cpu` get kernels, others are only checked.
 */
export function registerTrainingKernels(backendName: string): TrainingKernelReport {
  const factories = backendName === 'wasm' || backendName === 'cpu' ? (supplied[backendName] ?? []) : [];
  const registered: string[] = [];
  for (const factory of factories) {
    const config = factory(backendName as 'cpu' | 'wasm');
    const key = `${backendName}/${config.kernelName}`;
    if (!done.has(key)) {
      if (tf.getKernel(config.kernelName, backendName) !== undefined)
        tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
      done.add(key);
    }
    registered.push(config.kernelName);
  }
  return { backend: backendName, registered, missing: missingTrainingKernels(backendName) };
}

/** Training kernels that a backend has no implementation of right now. */
export function missingTrainingKernels(backendName: string): string[] {
  return TRAINING_KERNEL_NAMES.filter((name) => tf.getKernel(name, backendName) === undefined);
}

/**
 * Compiles topk's SIMD kernels against the active wasm backend's memory, so that the kernels registered by
 * {@link registerTrainingKernels} take their SIMD paths (they fall back to JS loops until then). Resolves
 * to whether the SIMD kernels are in use.
 */
export async function prepareWasmSimdKernels(): Promise<boolean> {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as unknown as { wasm: unknown };
  return (await prepareSimdKernels(backend.wasm)) !== undefined;
}
