import * as tfl from '@tensorflow/tfjs-layers';
import { CLASSES, IMAGE_SIZE, seededInitializers, trainAndPredict } from '../train-and-predict.js';
import type { Bench } from '../types.js';

/**
 * The reference 2-conv CNN of `torch_train_step.py`:
 * `Conv2d(3, 32, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(32, 64, 3, padding=1) → ReLU → MaxPool2d(2) →
 * Flatten → Linear(16·16·64, 10)`, as a plain `tf.sequential` (NHWC; 183 242 trainable parameters).
 */
export function buildCnn(): tfl.Sequential {
  const init = seededInitializers(100);
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 3],
        filters: 32,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({
        filters: 64,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: CLASSES, kernelInitializer: init() }),
    ],
  });
}

/** Train-step and predict img/s of the reference CNN, batch 64 at 64×64×3, Adam 1e-3, softmax cross-entropy. */
export const trainCnnBench: Bench = {
  name: 'train-cnn',
  description:
    'reference 2-conv CNN (conv3x3 32 → pool → conv3x3 64 → pool → dense 10), batch 64 at 64x64x3, Adam',
  trains: true,
  run: (context) => trainAndPredict(context, buildCnn),
};
