import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { displayPath } from '../cli-files.js';
import { defineCommand } from '../command.js';
import {
  backendFlag,
  choiceValue,
  existingPath,
  type FlagSchema,
  integerValue,
  numberValue,
  stringValue,
  switchFlag,
  valueFlag,
  workersFlag,
} from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { AUGMENT_PRESETS, activateBackend, backendLine } from '../run-model.js';
import {
  FINE_TUNE_LR_MULT,
  LOSS_CHOICES,
  type PretrainedWeights,
  SCHEDULE_CHOICES,
  trainRun,
} from '../train-run.js';
import { UsageError } from '../usage-error.js';

/** `--lr`: a positive number, or `auto` for the LR finder's suggestion. */
export function learningRateValue(): FlagSchema<number | 'auto', string> {
  const expected = 'a number in (0, 10] or auto';
  return () =>
    z
      .string()
      .refine(
        (s) =>
          s === 'auto' ||
          (/^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(s) && Number(s) > 0 && Number(s) <= 10),
        expected,
      )
      .transform((s) => (s === 'auto' ? ('auto' as const) : Number(s)));
}

/** A run directory to create or continue: any path that is not an existing file. */
export function runDirValue(): FlagSchema<string, string> {
  const expected = 'a directory path (not an existing file)';
  return (env) =>
    z
      .string()
      .min(1, expected)
      .transform((path) => (isAbsolute(path) ? path : resolve(env.cwd, path)))
      .refine(async (path) => !(await stat(path).catch(() => undefined))?.isFile(), expected);
}

/**
 * `--pretrained`: an http(s) URL (kept as written), or an existing path resolved against the working
 * directory.
 */
export function pretrainedValue(): FlagSchema<string, string> {
  const expected = 'a model.json, a model folder, a topk run directory or an http(s) URL';
  return (env) =>
    z
      .string()
      .min(1, expected)
      .transform((value) =>
        /^https?:\/\//i.test(value) ? value : isAbsolute(value) ? value : resolve(env.cwd, value),
      )
      .refine(
        async (value) =>
          /^https?:\/\//i.test(value)
            ? URL.canParse(value)
            : (await stat(value).catch(() => undefined)) !== undefined,
        expected,
      );
}

/** The model.json that `--pretrained` names: the file itself, `<dir>/model/model.json` of a run, or `<dir>/model.json`. */
async function pretrainedModelJson(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    return /\.json$/i.test(new URL(source).pathname) ? source : `${source.replace(/\/+$/, '')}/model.json`;
  }
  if (!(await stat(source)).isDirectory()) return source;
  for (const candidate of [join(source, 'model', 'model.json'), join(source, 'model.json')]) {
    if (await stat(candidate).catch(() => undefined)) return candidate;
  }
  return join(source, 'model.json');
}

/**
 * Reads the weights `--pretrained` names (before any backend is active: bytes only), with the
 * backbones loaders, which refuse manifests whose shard paths leave the model's folder. Any failure is a
 * one-line {@link UsageError} naming the flag.
 */
export async function readPretrained(source: string, shown: string): Promise<PretrainedWeights> {
  const { fileSystemHandler, urlHandler } = await import('@topk/backbones');
  try {
    const location = await pretrainedModelJson(source);
    const handler = /^https?:\/\//i.test(location) ? urlHandler(location) : fileSystemHandler(location);
    const artifacts = await handler.load!();
    if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
      throw new Error(`${location} has no weights`);
    }
    return {
      weightSpecs: artifacts.weightSpecs,
      weightData: artifacts.weightData as ArrayBuffer | ArrayBuffer[],
    };
  } catch (error) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`--pretrained ${shown}: ${message}`, { hint: false, cause: error });
  }
}

/** Backends `--backend` accepts. */

/** The model and training flags of `topk train`, shared with `topk cluster train-ensemble`. */
export const trainingFlags = {
  backbone: valueFlag(stringValue(), {
    valueName: 'NAME',
    required: true,
    description: 'registry backbone, e.g. simple-cnn, resnet18',
  }),
  size: valueFlag(integerValue({ min: 1, max: 2048 }), {
    valueName: 'PX',
    required: true,
    description: 'input side in pixels',
  }),
  epochs: valueFlag(integerValue({ min: 1, max: 10_000 }), {
    valueName: 'N',
    required: true,
    description: 'training epochs',
  }),
  batchSize: valueFlag(integerValue({ min: 1, max: 4096 }), {
    valueName: 'N',
    default: '32',
    description: 'images per batch',
  }),
  lr: valueFlag(learningRateValue(), {
    valueName: 'X',
    default: '3e-3',
    description: 'maximum learning rate, or auto to run the LR finder first',
  }),
  schedule: valueFlag(choiceValue(SCHEDULE_CHOICES), {
    valueName: 'S',
    default: 'one-cycle',
    description:
      'learning-rate schedule (sgdr: one cosine cycle per epoch; step: x0.1 every third of the run)',
  }),
  optimizer: valueFlag(choiceValue(['adamw', 'sgd'] as const), {
    valueName: 'O',
    default: 'adamw',
    description: 'adamw (weight decay 1e-2) or sgd (momentum 0.9, weight decay 1e-4)',
  }),
  augment: valueFlag(choiceValue(AUGMENT_PRESETS), {
    valueName: 'A',
    default: 'none',
    description: 'augmentation preset',
  }),
  mixup: valueFlag(numberValue({ min: 0, max: 10 }), {
    valueName: 'ALPHA',
    default: '0',
    description: 'mixup alpha (0: off)',
  }),
  cutmix: valueFlag(numberValue({ min: 0, max: 10 }), {
    valueName: 'ALPHA',
    default: '0',
    description: 'cutmix alpha (0: off); with mixup, each batch picks one',
  }),
  loss: valueFlag(choiceValue(['ce', 'bce', 'focal'] as const), {
    valueName: 'L',
    description: 'ce (cross-entropy), bce (binary, multi-label) or focal (default: ce, bce for multi-label)',
  }),
  seed: valueFlag(integerValue({ min: 0 }), {
    valueName: 'N',
    default: '0',
    description: 'random seed (weights, split, order, augmentation)',
  }),
  backend: backendFlag(),
  workers: workersFlag('decoding threads, 0 for this thread (default: cores - 1, at most 4)'),
} as const;

/** `topk train`: train a backbone with a head on a dataset into a run directory. */
export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a classifier on a dataset into a run directory',
  description:
    "Builds a registry backbone with a classification head for the classes of --data, streams the images through the data pipeline (decoded and resized in worker threads, shuffled, augmented, mixed, normalised with the backbone's mean and std) and trains with the topk Learner. RUN_DIR receives model/ (tfjs layers format with the topk description), config.json (backbone, size, channels, classes, normalisation, multi-label, seed), history.jsonl (one line per epoch, read by topk evaluate --run), checkpoints/ (for --resume) and log.txt; a --loss arcface run also arcface-centres.bin, the class centres topk predict scores against. --pretrained starts from another model's weights (matched by layer name; the load report is printed), --fine-tune trains the head alone first and then everything with discriminative learning rates.",
  flags: {
    data: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description: 'training images: a folder of class folders, a CSV (id,label or id,labels) or an IDX file',
    }),
    root: valueFlag(existingPath('directory'), {
      valueName: 'DIR',
      description: "CSV only: the folder image paths are relative to (default: the CSV's folder)",
    }),
    val: valueFlag(existingPath('any'), {
      valueName: 'V',
      description: 'validation images (same forms as --data)',
    }),
    valSplit: valueFlag(numberValue({ min: 0, max: 0.9 }), {
      valueName: 'F',
      description:
        'hold out this fraction of --data for validation when --val is absent (default 0.2; 0 for none)',
    }),
    ...trainingFlags,
    loss: valueFlag(choiceValue(LOSS_CHOICES), {
      valueName: 'L',
      description:
        'ce (cross-entropy), bce (binary, multi-label), focal, or arcface (single-label: an embedding head trained with an additive angular margin; predict gives softmax(scale x cosine to the class centres)) (default: ce, bce for multi-label)',
    }),
    arcfaceMargin: valueFlag(numberValue({ min: 0, max: 3 }), {
      valueName: 'M',
      description: '--loss arcface: additive angular margin in radians (default 0.5)',
    }),
    arcfaceScale: valueFlag(numberValue({ min: 0, max: 1000, exclusiveMin: true }), {
      valueName: 'S',
      description: '--loss arcface: logit scale, the radius of the hypersphere (default 30)',
    }),
    embeddingSize: valueFlag(integerValue({ min: 2, max: 8192 }), {
      valueName: 'N',
      description: '--loss arcface: width of the embedding layer (default 128)',
    }),
    pretrained: valueFlag(pretrainedValue(), {
      valueName: 'PATH|URL',
      description:
        'load weights by layer name before training: a model.json, a model folder, a run directory of topk train, or an http(s) URL of a model.json or its folder (layers of another shape, e.g. a head for other classes, keep their fresh weights)',
    }),
    fineTune: switchFlag(
      `fastai's fine_tune: train the head alone (backbone frozen, batch-norm in inference mode) for --freeze-epochs, then everything for --epochs with discriminative rates from --lr/2/${FINE_TUNE_LR_MULT} (first layer group) to --lr/2 (head)`,
    ),
    freezeEpochs: valueFlag(integerValue({ min: 0, max: 10_000 }), {
      valueName: 'N',
      description: '--fine-tune: epochs with the backbone frozen before unfreezing (default 1)',
    }),
    multiLabel: switchFlag(
      'train with sigmoid outputs and binary cross-entropy (implied by an id,labels CSV)',
    ),
    resume: switchFlag('continue the run in --out from its last checkpoint'),
    out: valueFlag(runDirValue(), { valueName: 'RUN_DIR', required: true, description: 'the run directory' }),
    json: switchFlag('print { out, config, history, lr, pretrained? } as JSON on stdout'),
  },
  examples: [
    'topk train --data data/train --backbone resnet18 --size 128 --epochs 5 --out runs/r18',
    'topk train --data train.csv --root images --multi-label --backbone simple-cnn --size 64 --epochs 10 --lr auto --augment light --out runs/cnn',
    'topk train --data data/train --backbone resnet18 --size 128 --epochs 4 --pretrained runs/r18 --fine-tune --out runs/r18-ft',
    'topk train --data whales/train --backbone resnet34 --size 224 --epochs 20 --loss arcface --embedding-size 512 --out runs/arcface',
  ],
  check(flags) {
    if (flags.val !== undefined && flags.valSplit !== undefined)
      return '--val and --val-split exclude each other';
    if (flags.pretrained !== undefined && flags.resume)
      return "--pretrained and --resume exclude each other (a resumed run continues from its checkpoint's weights)";
    if (flags.freezeEpochs !== undefined && !flags.fineTune) return '--freeze-epochs needs --fine-tune';
    if (flags.fineTune && flags.schedule !== 'one-cycle')
      return `--fine-tune runs fastai's fine_tune schedule (one-cycle per phase), not --schedule ${flags.schedule}`;
    if (flags.loss !== 'arcface') {
      const stray = (
        [
          ['--arcface-margin', flags.arcfaceMargin],
          ['--arcface-scale', flags.arcfaceScale],
          ['--embedding-size', flags.embeddingSize],
        ] as const
      ).find(([, value]) => value !== undefined);
      if (stray) return `${stray[0]} needs --loss arcface`;
    }
    return undefined;
  },
  async run(flags, { io }) {
    const { getBackboneInfo } = await import('@topk/backbones');
    const { Rng } = await import('@topk/core');
    const pipeline = await import('@topk/data-pipeline');
    try {
      getBackboneInfo(flags.backbone);
    } catch (error) {
      throw new UsageError(`--backbone ${flags.backbone}: ${(error as Error).message}`);
    }
    const checkpoints = join(flags.out, 'checkpoints');
    if (flags.resume && !(await stat(join(checkpoints, 'last.json')).catch(() => undefined))) {
      throw new UsageError(`--resume: no checkpoint in ${displayPath(io.cwd, checkpoints)} to continue from`);
    }
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const vocabulary = loaded.dataset.vocabulary;
    if (!vocabulary || vocabulary.size < 2) {
      throw new UsageError(
        `--data ${displayPath(io.cwd, flags.data)}: training needs labelled images of at least 2 classes`,
        { hint: false },
      );
    }
    const multiLabel = loaded.dataset.multiLabel || flags.multiLabel;
    if (flags.multiLabel && !loaded.dataset.multiLabel) {
      throw new UsageError(
        `--multi-label needs multi-label data (a CSV with an id,labels header), and --data has one label per image`,
      );
    }
    const loss = flags.loss ?? (multiLabel ? 'bce' : 'ce');
    if (multiLabel && loss !== 'bce')
      throw new UsageError(`--loss ${loss} is single-label; multi-label data trains with bce`);
    if (!multiLabel && loss === 'bce')
      throw new UsageError('--loss bce needs multi-label data (an id,labels CSV)');
    const rng = new Rng(flags.seed);
    let train = loaded.dataset;
    let valid: typeof train | undefined;
    if (flags.val !== undefined) {
      valid = (await loadDataset(flags.val, { flag: '--val', cwd: io.cwd, vocabulary })).dataset;
    } else if ((flags.valSplit ?? 0.2) > 0) {
      const split = (multiLabel ? pipeline.randomSplit : pipeline.stratifiedSplit)(train, {
        validFraction: flags.valSplit ?? 0.2,
        rng: rng.split('split'),
      });
      if (split.valid.items.length > 0 && split.train.items.length > 0) {
        train = split.train;
        valid = split.valid;
      }
    }

    let pretrained: { readonly shown: string; readonly artifacts: PretrainedWeights } | undefined;
    if (flags.pretrained !== undefined) {
      const shown = /^https?:\/\//i.test(flags.pretrained)
        ? flags.pretrained
        : displayPath(io.cwd, flags.pretrained);
      pretrained = { shown, artifacts: await readPretrained(flags.pretrained, shown) };
    }
    const selection = await activateBackend(flags.backend, 'train');
    const line = await backendLine(selection);
    if (!flags.json) io.stdout.write(`${line}\n`);
    const result = await trainRun({
      train,
      ...(valid ? { valid } : {}),
      classes: vocabulary.names,
      multiLabel,
      channels: loaded.format === 'idx' ? 1 : 3,
      backbone: flags.backbone,
      size: flags.size,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      lr: flags.lr,
      schedule: flags.schedule,
      optimizer: flags.optimizer,
      augment: flags.augment,
      mixup: flags.mixup,
      cutmix: flags.cutmix,
      loss,
      ...(loss === 'arcface'
        ? {
            arcFace: {
              margin: flags.arcfaceMargin ?? 0.5,
              scale: flags.arcfaceScale ?? 30,
              embeddingSize: flags.embeddingSize ?? 128,
            },
          }
        : {}),
      ...(pretrained ? { pretrained } : {}),
      ...(flags.fineTune ? { fineTune: { freezeEpochs: flags.freezeEpochs ?? 1 } } : {}),
      seed: flags.seed,
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      resume: flags.resume,
      out: flags.out,
      backendLine: line,
      io,
      quiet: flags.json,
    });
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify(
          {
            out: flags.out,
            config: result.config,
            lr: result.lr,
            history: result.history,
            ...(result.pretrained ? { pretrained: result.pretrained } : {}),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout.write(`run saved in ${displayPath(io.cwd, flags.out)}\n`);
    }
    return 0;
  },
});
