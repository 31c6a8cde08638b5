// The training loop of `topk train`, shared with the `train-member` job of `topk worker`: build the
// classifier, stream the data, fit with the Learner and save the run directory.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '@topk/data-pipeline';
import type { CliIo } from './cli-io.js';
import {
  type AugmentPreset,
  buildClassifier,
  datasetBatches,
  epochReporter,
  type RunConfig,
  writeRunConfig,
} from './run-model.js';

/** The learning-rate schedules of `--schedule`. */
export const SCHEDULE_CHOICES = ['one-cycle', 'sgdr', 'warmup-cosine', 'step', 'constant'] as const;

/** What {@link trainRun} trains: the data, the model and the hyper-parameters of `topk train`. */
export interface TrainRunOptions {
  /** The training images (labelled with `classes`' indices). */
  readonly train: Dataset;
  /** Validation images; none to train without. */
  readonly valid?: Dataset;
  readonly classes: readonly string[];
  readonly multiLabel: boolean;
  readonly channels: 1 | 3;
  readonly backbone: string;
  readonly size: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Maximum learning rate, or `auto` for the LR finder's suggestion. */
  readonly lr: number | 'auto';
  readonly schedule: (typeof SCHEDULE_CHOICES)[number];
  readonly optimizer: 'adamw' | 'sgd';
  readonly augment: AugmentPreset;
  readonly mixup: number;
  readonly cutmix: number;
  readonly loss: 'ce' | 'bce' | 'focal';
  readonly seed: number;
  /** Decoding threads; the pipeline's default when absent. */
  readonly workers?: number;
  /** Continue from the run directory's last checkpoint. */
  readonly resume: boolean;
  /** The run directory. */
  readonly out: string;
  /** The backend line written at the top of `log.txt`. */
  readonly backendLine: string;
  /** Where epoch lines go. */
  readonly io: CliIo;
  /** No epoch lines on stdout (progress bars still go to a terminal's stderr). */
  readonly quiet: boolean;
}

/** What {@link trainRun} returns. */
export interface TrainRunResult {
  readonly config: RunConfig;
  /** The learning rate used (the LR finder's when `lr` was `auto`). */
  readonly lr: number;
  readonly history: readonly Record<string, number>[];
}

/**
 * Trains a classifier as `topk train` does and saves `model/`, `config.json`, `history.jsonl`,
 * `checkpoints/` and `log.txt` into `options.out`. The backend must be active already.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { saveModel } = await import('@topk/backbones');
  const { train, valid, out, io } = options;
  const provisional: RunConfig = {
    format: 'topk-run',
    version: 1,
    backbone: options.backbone,
    backboneOptions: {},
    head: {},
    size: [options.size, options.size],
    channels: options.channels,
    classes: [...options.classes],
    multiLabel: options.multiLabel,
    mean: [],
    std: [],
    seed: options.seed,
    loss: options.loss,
  };
  const classifier = await buildClassifier(provisional);
  const config: RunConfig = {
    ...provisional,
    mean: classifier.dataConfig.mean,
    std: classifier.dataConfig.std,
  };
  const training = await import('@topk/training');
  const losses = await import('@topk/losses');
  const lossFunction = {
    ce: losses.crossEntropy(),
    bce: losses.binaryCrossEntropy(),
    focal: losses.focalLoss(),
  }[options.loss];
  const workers = options.workers !== undefined ? { workers: options.workers } : {};
  const trainData = await datasetBatches(train, {
    config,
    batchSize: options.batchSize,
    training: true,
    augment: options.augment,
    mixup: options.mixup,
    cutmix: options.cutmix,
    ...workers,
  });
  const validData = valid
    ? await datasetBatches(valid, { config, batchSize: options.batchSize, training: false, ...workers })
    : undefined;
  await mkdir(out, { recursive: true });
  const checkpoints = join(out, 'checkpoints');
  const log = async (text: string) =>
    appendFile(join(out, 'log.txt'), `${new Date().toISOString()} ${text}\n`);
  await log(
    `${options.backendLine}; topk train ${options.resume ? '(resumed) ' : ''}${options.backbone} ${options.size}px, ${train.items.length} training and ${valid?.items.length ?? 0} validation images, ${options.classes.length} classes`,
  );
  const optimizer =
    options.optimizer === 'adamw'
      ? training.adamW({ weightDecay: 1e-2 })
      : training.sgd({ momentum: 0.9, weightDecay: 1e-4 });
  const learner = new training.Learner({
    model: classifier.model,
    train: trainData,
    ...(validData ? { valid: validData } : {}),
    loss: lossFunction,
    task: options.multiLabel ? 'multi-label' : 'single-label',
    optimizer,
    seed: options.seed,
    callbacks: [
      training.terminateOnNaN(),
      epochReporter(io, { quiet: options.quiet, validName: 'valid' }),
      training.jsonlHistory(join(out, 'history.jsonl')),
      training.checkpoint({
        dir: checkpoints,
        monitor: validData ? 'valid_loss' : 'loss',
        everySteps: Math.max(1, trainData.batchesPerEpoch ?? 1),
      }),
    ],
  });
  try {
    let lr: number;
    if (options.lr === 'auto') {
      const found = await learner.findLr({
        numIterations: Math.min(100, Math.max(10, (trainData.batchesPerEpoch ?? 10) * 2)),
      });
      lr = found.suggestion ?? found.minimumDiv10 ?? 3e-3;
      await log(`LR finder: suggestion ${lr.toExponential(2)}`);
      if (!options.quiet) io.stdout.write(`LR finder suggestion: ${lr.toExponential(2)}\n`);
    } else lr = options.lr;
    const resumeFrom = options.resume ? { resumeFrom: checkpoints } : {};
    const epochs = options.epochs;
    const steps = epochs * (trainData.batchesPerEpoch ?? 1);
    const schedulers = await import('@topk/schedulers');
    const result =
      options.schedule === 'one-cycle'
        ? await learner.fitOneCycle(epochs, lr, resumeFrom)
        : options.schedule === 'sgdr'
          ? await learner.fitSgdr(epochs, { maxLr: lr, ...resumeFrom })
          : await learner.fit(epochs, {
              schedule:
                options.schedule === 'warmup-cosine'
                  ? schedulers.warmupCosine({
                      lr,
                      totalSteps: steps,
                      warmupSteps: Math.max(1, Math.round(steps * 0.05)),
                    })
                  : options.schedule === 'step'
                    ? schedulers.stepDecay({ lr, stepSize: Math.max(1, Math.ceil(steps / 3)), gamma: 0.1 })
                    : schedulers.constant({ lr }),
              ...resumeFrom,
            });
    await saveModel(classifier, join(out, 'model'));
    await writeRunConfig(out, config);
    const last = result.history.at(-1) ?? {};
    await log(`done: ${result.epochs} epochs, ${JSON.stringify(last)}`);
    return { config, lr, history: result.history as Record<string, number>[] };
  } finally {
    learner.optimizer.dispose();
    classifier.model.dispose();
  }
}
