import * as tf from '@tensorflow/tfjs-core';
import { GroupedConv2D } from './grouped-conv2d.js';
import { SeededDropout } from './seeded-dropout.js';

let registered = false;

/**
 * Registers topk's custom layers ({@link GroupedConv2D}, {@link SeededDropout}) with tfjs serialization,
 * so `tf.loadLayersModel` can rebuild models that contain them. Idempotent. {@link loadModel} and the
 * builders call it for you; call it yourself before loading a saved topk model with plain tfjs.
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(GroupedConv2D);
  tf.serialization.registerClass(SeededDropout);
  registered = true;
}
