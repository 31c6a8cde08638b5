// The training loop of `topk train`, shared with the `train-member` job of `topk worker`: build the
// classifier, stream the data, fit with the Learner and save the run directory.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '@topk/data-pipeline';
import type { Callback } from '@topk/training';
import type { CliIo } from './cli-io.js';
import {
  type AugmentPreset,
  buildClassifier,
  datasetBatches,
  epochReporter,
  type RunConfig,
  writeArcFaceCentres,
  writeRunConfig,
} from './run-model.js';

/** The losses of `--loss`. */
export const LOSS_CHOICES = ['ce', 'bce', 'focal', 'arcface'] as const;

/** `--loss arcface`'s hyper-parameters. */
export interface ArcFaceTrainOptions {
  /** Logit scale s. */
  readonly scale: number;
  /** Additive angular margin m, radians. */
  readonly margin: number;
  /** Width of the `head_embedding` layer. */
  readonly embeddingSize: number;
}

/** A tfjs model's weights as its `IOHandler` loads them (`WeightArtifacts` of `@topk/backbones`). */
export interface PretrainedWeights {
  readonly weightSpecs: readonly tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer | readonly ArrayBuffer[];
}

/** Weights to start from (`--pretrained`), already read from their file or URL. */
export interface PretrainedSource {
  /** How the source is named in messages and the report. */
  readonly shown: string;
  /** The model's weights, as `loadPretrained` of `@topk/backbones` takes them. */
  readonly artifacts: PretrainedWeights;
}

/** What `--pretrained` loaded, by count, and the validation loss before the first step. */
export interface PretrainedSummary {
  readonly source: string;
  readonly loaded: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly shapeMismatched: number;
  readonly adapted: number;
  /** Target weights that received no value (left as initialised). */
  readonly missingNames: readonly string[];
  /** Loss on the validation data with the loaded weights, before training; absent without validation data. */
  readonly validLoss?: number;
}

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
  readonly loss: (typeof LOSS_CHOICES)[number];
  /** Required with `loss: 'arcface'`. */
  readonly arcFace?: ArcFaceTrainOptions;
  /** Weights loaded by layer name into the fresh model before training. */
  readonly pretrained?: PretrainedSource;
  /**
   * fastai's `fine_tune` instead of `schedule`: `freezeEpochs` epochs with only the head training (the
   * backbone frozen, batch-norm in inference mode), then `epochs` epochs with everything unfrozen and
   * discriminative learning rates.
   */
  readonly fineTune?: { readonly freezeEpochs: number };
  /** Extra Learner callbacks (after the CLI's own). */
  readonly callbacks?: readonly Callback[];
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
  /** What `pretrained` loaded. */
  readonly pretrained?: PretrainedSummary;
}

/** The file of an ArcFace run's class centres in the run directory. */
const ARCFACE_CENTRES = 'arcface-centres.bin';

/**
 * Trains a classifier as `topk train` does and saves `model/`, `config.json`, `history.jsonl`,
 * `checkpoints/` and `log.txt` into `options.out`. The backend must be active already.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { freeze, loadPretrained, saveModel } = await import('@topk/backbones');
  const { train, valid, out, io } = options;
  if (options.loss === 'arcface' && (options.arcFace === undefined || options.multiLabel)) {
    throw new TypeError('trainRun: loss arcface needs single-label data and the arcFace options');
  }
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
    ...(options.loss === 'arcface' && options.arcFace
      ? {
          arcFace: {
            scale: options.arcFace.scale,
            margin: options.arcFace.margin,
            embeddingSize: options.arcFace.embeddingSize,
            centres: ARCFACE_CENTRES,
          },
        }
      : {}),
  };
  const classifier = await buildClassifier(provisional);
  let report: Awaited<ReturnType<typeof loadPretrained>> | undefined;
  if (options.pretrained) {
    try {
      report = await loadPretrained(classifier, options.pretrained.artifacts);
    } catch (error) {
      classifier.model.dispose();
      throw error;
    }
  }
  const config: RunConfig = {
    ...provisional,
    mean: classifier.dataConfig.mean,
    std: classifier.dataConfig.std,
  };
  const training = await import('@topk/training');
  const losses = await import('@topk/losses');
  const arcFace =
    options.loss === 'arcface' && options.arcFace
      ? new losses.ArcFace({
          embeddingSize: options.arcFace.embeddingSize,
          numClasses: options.classes.length,
          scale: options.arcFace.scale,
          margin: options.arcFace.margin,
          seed: options.seed,
        })
      : undefined;
  const lossFunction =
    arcFace ??
    { ce: losses.crossEntropy(), bce: losses.binaryCrossEntropy(), focal: losses.focalLoss() }[
      options.loss as 'ce' | 'bce' | 'focal'
    ];
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
    `${options.backendLine}; topk train ${options.resume ? '(resumed) ' : ''}${options.backbone} ${options.size}px, ${train.items.length} training and ${valid?.items.length ?? 0} validation images, ${options.classes.length} classes, loss ${options.loss}${options.fineTune ? `, fine-tune (${options.fineTune.freezeEpochs} frozen epochs)` : ''}`,
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
    task: arcFace ? 'metric' : options.multiLabel ? 'multi-label' : 'single-label',
    optimizer,
    seed: options.seed,
    callbacks: [
      training.terminateOnNaN(),
      ...(options.fineTune ? [phaseLogger(options.fineTune.freezeEpochs)] : []),
      epochReporter(io, { quiet: options.quiet, validName: 'valid' }),
      training.jsonlHistory(join(out, 'history.jsonl')),
      training.checkpoint({
        dir: checkpoints,
        monitor: validData ? 'valid_loss' : 'loss',
        everySteps: Math.max(1, trainData.batchesPerEpoch ?? 1),
      }),
      ...(options.callbacks ?? []),
    ],
  });
  try {
    let pretrained: PretrainedSummary | undefined;
    if (report && options.pretrained) {
      const validLoss = validData ? (await learner.evaluate()).loss : undefined;
      pretrained = {
        source: options.pretrained.shown,
        loaded: report.loaded.length,
        missing: report.missing.length,
        unexpected: report.unexpected.length,
        shapeMismatched: report.shapeMismatched.length,
        adapted: report.adapted.length,
        missingNames: [...report.missing],
        ...(validLoss !== undefined ? { validLoss } : {}),
      };
      const line = formatPretrained(pretrained);
      await log(line);
      if (!options.quiet) io.stdout.write(`${line}\n`);
    }
    let lr: number;
    if (options.lr === 'auto') {
      // fastai runs lr_find on the frozen learner before fine_tune: the rate found is the head's.
      if (options.fineTune) freeze(classifier, { trainBatchNorm: false });
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
    const layerGroups = classifier.layerGroups
      .map((group) => group.layers.map((name) => classifier.model.getLayer(name)))
      .filter((group) => group.length > 0);
    const result = options.fineTune
      ? await learner.fineTune(epochs, {
          freezeEpochs: options.fineTune.freezeEpochs,
          baseLr: lr,
          lrMult: FINE_TUNE_LR_MULT,
          layerGroups,
          trainBatchNorm: false,
          ...resumeFrom,
        })
      : options.schedule === 'one-cycle'
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
    if (arcFace)
      await writeArcFaceCentres(join(out, ARCFACE_CENTRES), (await arcFace.weights.data()) as Float32Array);
    await writeRunConfig(out, config);
    const last = result.history.at(-1) ?? {};
    await log(`done: ${result.epochs} epochs, ${JSON.stringify(last)}`);
    return {
      config,
      lr,
      history: result.history as Record<string, number>[],
      ...(pretrained ? { pretrained } : {}),
    };
  } finally {
    learner.optimizer.dispose();
    arcFace?.dispose();
    classifier.model.dispose();
  }
}

/** `--fine-tune`: the first layer group's rate is the head's divided by this (fastai's `lr_mult`). */
export const FINE_TUNE_LR_MULT = 100;

/** Adds `frozen` (1 in the head-only phase of `--fine-tune`, 0 after) to each epoch's logs and history. */
function phaseLogger(freezeEpochs: number): Callback {
  return {
    name: 'cli-fine-tune-phase',
    // Before the checkpoint (20) and history (30) callbacks, so both record it.
    order: -40,
    onEpochEnd({ epoch, logs }) {
      logs.frozen = epoch < freezeEpochs ? 1 : 0;
    },
  };
}

/** `pretrained: 24 weights loaded, 0 missing, 0 unexpected, 0 of another shape (from X); valid loss 0.1234`. */
export function formatPretrained(summary: PretrainedSummary): string {
  const adapted = summary.adapted > 0 ? `, ${summary.adapted} adapted to the input channels` : '';
  const missing =
    summary.missing > 0 && summary.missing <= 4 ? ` (missing: ${summary.missingNames.join(', ')})` : '';
  const valid =
    summary.validLoss !== undefined ? `; valid loss before training ${summary.validLoss.toFixed(4)}` : '';
  return `pretrained ${summary.source}: ${summary.loaded} weights loaded, ${summary.missing} missing, ${summary.unexpected} unexpected, ${summary.shapeMismatched} of another shape${adapted}${missing}${valid}`;
}
