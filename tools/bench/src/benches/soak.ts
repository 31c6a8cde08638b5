import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CLASSES, seededInitializers } from '../train-and-predict.js';
import type { Bench, Measurement } from '../types.js';

const STEPS = 1000;
const SIZE = 32;
const BATCH = 32;

/** RSS in MiB. */
const rss = () => process.memoryUsage().rss / 2 ** 20;

/**
 * 1 000 Adam steps of the reference CNN (at 32x32, batch 32, to keep it to about a minute) on one fixed
 * batch: the tensor count must not move after the first step (Adam's moments are created there) and the
 * resident set must level off; reports the peak RSS and its growth over the last 900 steps.
 */
export const soakBench: Bench = {
  name: 'soak',
  description: `${STEPS} training steps of the reference CNN at ${SIZE}x${SIZE}, batch ${BATCH}: tensors and RSS`,
  trains: true,
  async run({ tf, log }) {
    const init = seededInitializers(7);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [SIZE, SIZE, 3],
          filters: 32,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({
          filters: 64,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: CLASSES, kernelInitializer: init() }),
      ],
    });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1);
    const y = tf.tidy(() =>
      tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32', 2) as tf.Tensor1D, CLASSES),
    );
    const step = () => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      );
      const value = loss?.dataSync()[0] ?? Number.NaN;
      loss?.dispose();
      return value;
    };
    const notes: string[] = [];
    step();
    const tensorsAfterFirst = tf.memory().numTensors;
    let rssAt100 = 0;
    let peak = rss();
    const started = performance.now();
    let last = Number.NaN;
    for (let i = 2; i <= STEPS; i++) {
      last = step();
      peak = Math.max(peak, rss());
      if (i === 100) rssAt100 = rss();
      if (i % 200 === 0)
        log(
          `step ${i}: loss ${last.toFixed(4)}, tensors ${tf.memory().numTensors}, rss ${rss().toFixed(0)} MiB`,
        );
    }
    const seconds = (performance.now() - started) / 1000;
    const tensorGrowth = tf.memory().numTensors - tensorsAfterFirst;
    const growth = rss() - rssAt100;
    if (tensorGrowth !== 0) notes.push(`WARNING: tensor count moved by ${tensorGrowth} over ${STEPS} steps`);
    notes.push(`final loss ${last.toFixed(4)}; tensors flat at ${tensorsAfterFirst} after step 1`);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    const figure = (metric: string, value: number, unit: string): Measurement => ({
      metric,
      value: Number(value.toFixed(1)),
      unit,
      iterations: STEPS,
      seconds,
    });
    return {
      measurements: [
        figure('train', (BATCH * (STEPS - 1)) / seconds, 'img/s'),
        figure('rss-peak', peak, 'MiB'),
        figure('rss-growth-100-1000', growth, 'MiB'),
        figure('tensor-growth', tensorGrowth, 'tensors'),
      ],
      notes,
    };
  },
};
