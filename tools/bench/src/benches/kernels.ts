import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { startKernelTimer } from '../kernel-timer.js';
import { BATCH, CLASSES, IMAGE_SIZE } from '../train-and-predict.js';
import type { Bench, Measurement } from '../types.js';
import { buildCnn } from './train-cnn.js';
import { buildMnet } from './train-mnet.js';

/** Kernels listed per net, longest first. */
const TOP = 12;
const WARMUP = 3;

/**
 * Where a training step of each reference net goes: every kernel of the backend wrapped with a wall-clock
 * timer (nested kernels charged to themselves), over a few Adam steps after warm-up. Reports the step time,
 * the time outside kernels (tape, optimizer bookkeeping, JS) and the longest kernels, in ms per step.
 */
export const kernelsBench: Bench = {
  name: 'kernels',
  description: `per-kernel time of a train step of the reference CNN and MobileNetV2-style net (batch ${BATCH})`,
  trains: true,
  async run({ tf: tfc, backend, steps, log }) {
    const measurements: Measurement[] = [];
    const notes: string[] = [];
    const timedSteps = Math.max(1, Math.min(steps, 10));
    for (const [net, build] of [
      ['cnn', buildCnn],
      ['mnet', buildMnet],
    ] as const) {
      const model: tfl.LayersModel = build();
      const x = tfc.randomUniform([BATCH, IMAGE_SIZE, IMAGE_SIZE, 3], 0, 1, 'float32', 3);
      const y = tfc.tidy(() =>
        tfc.oneHot(tfc.randomUniform([BATCH], 0, CLASSES, 'int32', 4) as tf.Tensor1D, CLASSES),
      );
      const optimizer = tfc.train.adam(1e-3);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const step = async () => {
        const loss = optimizer.minimize(
          () =>
            tfc.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          true,
          vars,
        )!;
        await loss.data();
        loss.dispose();
      };
      try {
        for (let i = 0; i < WARMUP; i++) await step();
        const timer = startKernelTimer(tfc, tfc.getBackend());
        const started = performance.now();
        try {
          for (let i = 0; i < timedSteps; i++) await step();
        } finally {
          timer.stop();
        }
        const seconds = (performance.now() - started) / 1000;
        const times = timer.times();
        const perStep = (ms: number) => Number((ms / timedSteps).toFixed(2));
        const inKernels = times.reduce((sum, t) => sum + t.exclusiveMs, 0);
        const common = { unit: 'ms/step', iterations: timedSteps, seconds };
        measurements.push({ metric: `${net} step`, value: perStep(seconds * 1000), ...common });
        measurements.push({
          metric: `${net} outside kernels`,
          value: perStep(seconds * 1000 - inKernels),
          ...common,
        });
        for (const t of times.slice(0, TOP)) {
          measurements.push({ metric: `${net} ${t.kernel}`, value: perStep(t.exclusiveMs), ...common });
        }
        log(`${net}: ${perStep(seconds * 1000)} ms a step on ${backend}`);
        notes.push(
          `${net}: ${times.length} kernels, ${times.reduce((n, t) => n + t.calls, 0) / timedSteps} calls a step`,
        );
      } finally {
        optimizer.dispose();
        tfc.dispose([x, y]);
        model.dispose();
      }
    }
    return { measurements, notes };
  },
};
