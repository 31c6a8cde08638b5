import type * as tfc from '@tensorflow/tfjs-core';
import { createBackbone, createClassifier } from '@topk/backbones';
import { fuseForInference } from '@topk/core';
import { measureLoop } from '../measure.js';
import type { Bench, Measurement } from '../types.js';

const NETS = ['simple-cnn', 'resnet18', 'mobilenet_v2'] as const;
const SIZES = [64, 224] as const;
const CLASSES = 10;

/** Batch per input size: 224x224 batches are kept small enough for a 2-core machine. */
const batchFor = (size: number) => (size === 64 ? 32 : 8);

/**
 * Forward (predict, through topk's `fuseForInference` plan) and train-step (Adam, softmax cross-entropy)
 * images/s of three registry backbones with a 10-class head, at 64x64 and 224x224.
 */
export const backbonesBench: Bench = {
  name: 'backbones',
  description: `forward and train step of ${NETS.join(', ')} at ${SIZES.join(' and ')} px`,
  trains: true,
  async run({ tf, train, steps, maxSeconds, log }) {
    const measurements: Measurement[] = [];
    for (const name of NETS) {
      for (const size of SIZES) {
        const batch = batchFor(size);
        const classifier = createClassifier(createBackbone(name, { inputSize: size, seed: 1 }), {
          numClasses: CLASSES,
        });
        const model = classifier.model;
        const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from({ length: batch }, (_, i) => i % CLASSES),
              'int32',
            ),
            CLASSES,
          ),
        );
        const limits = { warmup: 1, maxIterations: Math.min(steps, 5), maxSeconds: maxSeconds / 3 };
        // topk's prediction path (Learner.predict, topk predict): batch-norm folded into convolutions.
        const plan = fuseForInference(model);
        const forward = await measureLoop(async () => {
          const p = plan.predict(x) as tfc.Tensor;
          await p.data();
          p.dispose();
        }, limits);
        plan.dispose();
        measurements.push({
          metric: `${name}@${size} predict`,
          value: Number(((batch * forward.iterations) / forward.seconds).toFixed(1)),
          unit: 'img/s',
          iterations: forward.iterations * batch,
          seconds: forward.seconds,
        });
        if (train) {
          const optimizer = tf.train.adam(1e-3);
          const stepped = await measureLoop(async () => {
            const loss = optimizer.minimize(
              () =>
                tf.losses.softmaxCrossEntropy(
                  y,
                  model.apply(x, { training: true }) as tfc.Tensor,
                ) as tfc.Scalar,
              true,
            );
            await loss?.data();
            loss?.dispose();
          }, limits);
          optimizer.dispose();
          measurements.push({
            metric: `${name}@${size} train`,
            value: Number(((batch * stepped.iterations) / stepped.seconds).toFixed(1)),
            unit: 'img/s',
            iterations: stepped.iterations * batch,
            seconds: stepped.seconds,
          });
        }
        log(`${name} at ${size}px done`);
        tf.dispose([x, y]);
        model.dispose();
      }
    }
    return { measurements, notes: [`batch 32 at 64 px, 8 at 224 px; 10-class heads`] };
  },
};
