import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { patchLayerCall, singleInput, unpatchLayerCall } from './layer-patch.js';

/** The parts of tfjs-layers' Conv2D layer that its call reads. */
interface ConvLayer {
  readonly rank: number;
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly dilationRate: number[];
  readonly kernel: { read(): Tensor };
  readonly bias?: { read(): Tensor } | null;
  readonly activation?: { getClassName(): string } | null;
}

/**
 * The training branch: plain `conv2d` (+ bias), whose registered gradient computes the input gradient only
 * when something needs it. tfjs-core's `fused.conv2d` with a linear activation (every conv before a
 * batch-norm) records a custom gradient that computes the input and filter gradients together, so the
 * network's first layer computes the image's gradient on every step and throws it away.
 */
function lazyTrainingCall(layer: ConvLayer, inputs: Tensor | Tensor[]): Tensor | undefined {
  const state = tf.engine().state as { gradientDepth?: number };
  if ((state.gradientDepth ?? 0) === 0) return undefined;
  const input = singleInput(inputs);
  if (input === undefined || input.rank !== 4 || layer.rank !== 2) return undefined;
  if (layer.dataFormat !== 'channelsLast' || (layer.padding !== 'same' && layer.padding !== 'valid')) {
    return undefined;
  }
  if ((layer.activation?.getClassName() ?? 'linear').toLowerCase() !== 'linear') return undefined;
  const kernel = layer.kernel.read() as tf.Tensor4D;
  const bias = layer.bias?.read();
  return tf.tidy(() => {
    const y = tf.conv2d(
      input as tf.Tensor4D,
      kernel,
      layer.strides as [number, number],
      layer.padding as 'same' | 'valid',
      'NHWC',
      layer.dilationRate as [number, number],
    );
    return bias === undefined ? y : tf.add(y, bias);
  });
}

/**
 * Makes tfjs-layers' `Conv2D` layers with a linear activation (a conv before batch-norm, the usual case)
 * record tfjs's per-input convolution gradient while a gradient is being taken, so that no step computes
 * an input gradient nobody reads (the first layer's, of the images: 9 % of a MobileNetV2-style step at
 * 64x64). Forward values are the same convolution; inference and every other layer run tfjs-layers' own
 * code. Idempotent; returns false when tfjs-layers is not loaded.
 */
export function registerLazyConvGradients(): boolean {
  return patchLayerCall<ConvLayer>('Conv2D', (layer, inputs) => lazyTrainingCall(layer, inputs));
}

/** Puts tfjs-layers' own `Conv2D.call` back (for tests comparing the two). */
export function unregisterLazyConvGradients(): void {
  unpatchLayerCall('Conv2D');
}
