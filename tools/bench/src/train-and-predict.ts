import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fuseForInference } from '@topk/core';
import { measureLoop } from './measure.js';
import type { BenchContext, BenchOutcome, Measurement } from './types.js';

/** The reference setting of `torch_train_step.py`: batch 64 at 64×64×3, 10 classes, Adam 1e-3. */
export const BATCH = 64;
export const IMAGE_SIZE = 64;
export const CLASSES = 10;
const LEARNING_RATE = 1e-3;
/** PyTorch's Adam ε (tfjs defaults to 1e-7). */
const ADAM_EPSILON = 1e-8;
/** As the PyTorch script: three untimed steps before the timed ones. */
const WARMUP = 3;

/**
 * Seeded Glorot-uniform initialisers, one seed per layer, so that the nets are the same on every run
 * (tfjs-layers' defaults draw unseeded). Initial values do not change the speed; they keep losses comparable.
 */
export function seededInitializers(
  firstSeed: number,
): () => ReturnType<typeof tfl.initializers.glorotUniform> {
  let seed = firstSeed;
  return () => tfl.initializers.glorotUniform({ seed: seed++ });
}

/** Trainable parameters, as PyTorch's `sum(p.numel() for p in m.parameters())` (batch-norm moving statistics are buffers there). */
export function countTrainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce(
    (sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    0,
  );
}

/**
 * Times train steps (forward, softmax cross-entropy, backward, Adam update, loss read back, as PyTorch's
 * `step()` does with `l.item()`) and then inference (`predict`, batch-norm in inference mode), each after
 * three warm-up iterations, in images per second. Inference is timed twice: through topk's
 * {@link fuseForInference} plan (`predict`) and through tfjs-layers' `model.predict` (`predict-layers`). With `context.train` false only inference is timed.
 */
export async function trainAndPredict(
  context: BenchContext,
  build: () => tfl.LayersModel,
): Promise<BenchOutcome> {
  const { tf, train, steps, maxSeconds, log } = context;
  const model = build();
  const trainableParams = countTrainableParams(model);
  const x = tf.randomUniform([BATCH, IMAGE_SIZE, IMAGE_SIZE, 3], 0, 1, 'float32', 3);
  const y = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32', 4) as tf.Tensor1D, CLASSES),
  );
  const measurements: Measurement[] = [];
  const notes: string[] = [];
  const optimizer = train ? tf.train.adam(LEARNING_RATE, 0.9, 0.999, ADAM_EPSILON) : undefined;
  try {
    if (optimizer !== undefined) {
      const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const losses: number[] = [];
      const trainStep = async () => {
        const cost = optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          true,
          varList,
        )!;
        losses.push((await cost.data())[0]!);
        cost.dispose();
      };
      log('train...');
      const timing = await measureLoop(trainStep, { warmup: WARMUP, maxIterations: steps, maxSeconds });
      measurements.push({
        metric: 'train',
        value: (BATCH * timing.iterations) / timing.seconds,
        unit: 'img/s',
        ...timing,
      });
      const first = losses[0]!;
      const last = losses.at(-1)!;
      notes.push(`loss ${first.toFixed(3)} → ${last.toFixed(3)} over ${losses.length} steps`);
      if (!losses.every(Number.isFinite)) notes.push('WARNING: a training loss was not finite');
    }
    // `predict`: the path topk's Learner.predict / evaluate take (batch-norm folded into convolutions);
    // `predict-layers`: tfjs-layers' own model.predict on the same batch, for comparison.
    const plan = fuseForInference(model);
    try {
      for (const [metric, run] of [
        ['predict', () => plan.predict(x) as tf.Tensor],
        ['predict-layers', () => model.predict(x, { batchSize: BATCH }) as tf.Tensor],
      ] as const) {
        log(`${metric}...`);
        const timing = await measureLoop(
          async () => {
            const out = run();
            await out.data();
            out.dispose();
          },
          { warmup: WARMUP, maxIterations: steps, maxSeconds },
        );
        measurements.push({
          metric,
          value: (BATCH * timing.iterations) / timing.seconds,
          unit: 'img/s',
          ...timing,
        });
      }
    } finally {
      plan.dispose();
    }
  } finally {
    optimizer?.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
  return { measurements, trainableParams, notes };
}
