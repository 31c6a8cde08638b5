import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { patchLayerCall, singleInput, unpatchLayerCall } from './layer-patch.js';

/** The parts of tfjs-layers' ReLU layer that its call reads. */
interface ReluLayer {
  readonly maxValue?: number | null;
}

/**
 * `ReLU({ maxValue: 6 })` as one `Relu6` op, where tfjs-layers runs `relu` then `clipByValue`: one pass
 * over memory forward and one backward (topk's `Relu6` gradient) instead of two each. The values are the
 * same, and so is the gradient: dy where 0 < x ≤ 6.
 */
function relu6Call(layer: ReluLayer, inputs: Tensor | Tensor[]): Tensor | undefined {
  if (layer.maxValue !== 6) return undefined;
  const input = singleInput(inputs);
  if (input === undefined || input.dtype !== 'float32') return undefined;
  return tf.relu6(input);
}

/** Makes tfjs-layers' `ReLU` layers with `maxValue: 6` (MobileNet's ReLU6) run as one op. Idempotent. */
export function registerFastRelu6(): boolean {
  return patchLayerCall<ReluLayer>('ReLU', (layer, inputs) => relu6Call(layer, inputs));
}

/** Puts tfjs-layers' own `ReLU.call` back (for tests comparing the two). */
export function unregisterFastRelu6(): void {
  unpatchLayerCall('ReLU');
}
