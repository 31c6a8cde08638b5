import { displayPath, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import {
  backendFlag,
  existingPath,
  integerValue,
  outputPath,
  stringValue,
  switchFlag,
  valueFlag,
  workersFlag,
} from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { activateBackend, buildClassifier, datasetBatches, type RunConfig } from '../run-model.js';
import { UsageError } from '../usage-error.js';

/** `topk find-lr`: the learning-rate range test of a backbone on a dataset. */
export const findLrCommand = defineCommand({
  name: 'find-lr',
  summary: 'run the learning-rate range test; print the suggested rate and write the curve',
  description:
    "Builds the classifier topk train would build (same backbone, size, head, seed, loss and AdamW optimizer), then runs the LR range test of the topk Learner (Learner.findLr, fastai's lr_find): one batch per step at a learning rate growing exponentially from 1e-7 to 10, stopping when the smoothed loss diverges. Prints the steepest-descent suggestion (fastai's `steep`) and the minimum / 10; --out writes the whole curve as JSON. No weights are saved.",
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
    batchSize: valueFlag(integerValue({ min: 1, max: 4096 }), {
      valueName: 'N',
      default: '32',
      description: 'images per batch (one batch per step)',
    }),
    iterations: valueFlag(integerValue({ min: 3, max: 10_000 }), {
      valueName: 'N',
      default: '100',
      description: 'steps of the sweep, at most (fewer when the loss diverges)',
    }),
    seed: valueFlag(integerValue({ min: 0 }), {
      valueName: 'N',
      default: '0',
      description: 'random seed (weights and batch order)',
    }),
    backend: backendFlag(),
    workers: workersFlag('decoding threads, 0 for this thread (default: cores - 1, at most 4)'),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      description: 'write the curve as JSON: { lrs, losses, rawLosses, suggestion, minimumDiv10, diverged }',
    }),
    json: switchFlag('print the curve and the suggestion as JSON on stdout'),
  },
  examples: [
    'topk find-lr --data data/train --backbone resnet18 --size 128 --out lr-curve.json',
    'topk find-lr --data train.csv --root images --backbone simple-cnn --size 64 --batch-size 16 --json',
  ],
  async run(flags, { io }) {
    const { getBackboneInfo } = await import('@topk/backbones');
    try {
      getBackboneInfo(flags.backbone);
    } catch (error) {
      throw new UsageError(`--backbone ${flags.backbone}: ${(error as Error).message}`);
    }
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const vocabulary = loaded.dataset.vocabulary;
    if (!vocabulary || vocabulary.size < 2) {
      throw new UsageError(
        `--data ${displayPath(io.cwd, flags.data)}: the LR range test needs labelled images of at least 2 classes`,
        { hint: false },
      );
    }
    const multiLabel = loaded.dataset.multiLabel;
    await activateBackend(flags.backend, 'train');
    const provisional: RunConfig = {
      format: 'topk-run',
      version: 1,
      backbone: flags.backbone,
      backboneOptions: {},
      head: {},
      size: [flags.size, flags.size],
      channels: loaded.format === 'idx' ? 1 : 3,
      classes: vocabulary.names,
      multiLabel,
      mean: [],
      std: [],
      seed: flags.seed,
      loss: multiLabel ? 'bce' : 'ce',
    };
    const classifier = await buildClassifier(provisional);
    const config: RunConfig = {
      ...provisional,
      mean: classifier.dataConfig.mean,
      std: classifier.dataConfig.std,
    };
    const training = await import('@topk/training');
    const losses = await import('@topk/losses');
    const trainData = await datasetBatches(loaded.dataset, {
      config,
      batchSize: flags.batchSize,
      training: true,
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    });
    const learner = new training.Learner({
      model: classifier.model,
      train: trainData,
      loss: multiLabel ? losses.binaryCrossEntropy() : losses.crossEntropy(),
      task: multiLabel ? 'multi-label' : 'single-label',
      optimizer: training.adamW({ weightDecay: 1e-2 }),
      seed: flags.seed,
    });
    try {
      const found = await learner.findLr({ numIterations: flags.iterations });
      const curve = {
        backbone: flags.backbone,
        size: flags.size,
        batchSize: flags.batchSize,
        suggestion: found.suggestion ?? null,
        minimumDiv10: found.minimumDiv10 ?? null,
        diverged: found.diverged,
        lrs: found.lrs,
        losses: found.losses,
        rawLosses: found.rawLosses,
      };
      if (flags.out !== undefined) await writeOutputFile(flags.out, `${JSON.stringify(curve, null, 2)}\n`);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(curve, null, 2)}\n`);
        return 0;
      }
      const rate = (x: number | undefined) => (x === undefined ? 'none' : x.toExponential(2));
      const lines = [
        `${found.lrs.length} steps from ${rate(found.lrs[0])} to ${rate(found.lrs.at(-1))}${found.diverged ? ' (stopped: the loss diverged)' : ''}`,
        `suggestion (steepest descent): ${rate(found.suggestion)}`,
        `minimum / 10: ${rate(found.minimumDiv10)}`,
      ];
      if (flags.out !== undefined) lines.push(`written ${displayPath(io.cwd, flags.out)}`);
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      learner.optimizer.dispose();
      classifier.model.dispose();
    }
  },
});
