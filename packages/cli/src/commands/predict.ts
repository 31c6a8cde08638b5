import { displayPath, readFlagFile, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import {
  backendFlag,
  existingPath,
  integerValue,
  outputPath,
  switchFlag,
  valueFlag,
  workersFlag,
} from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { createProgressBar } from '../progress-bar.js';
import { activateBackend, loadRunModel, predictDataset, readRunConfig } from '../run-model.js';
import { UsageError } from '../usage-error.js';

/** `topk predict`: class probabilities of every image of a dataset, as a prediction CSV. */
export const predictCommand = defineCommand({
  name: 'predict',
  summary: 'predict a dataset with a trained run; write a prediction CSV',
  description:
    "Loads RUN_DIR/model and config.json, resizes and normalises the images as in training, and writes one row per image: the id (path relative to the data root, or the CSV's id) and one probability per class in vocabulary order (softmax, or sigmoid for a multi-label run; for a run trained with --loss arcface, softmax of scale x cosine between the image's embedding and each learned class centre, without the margin). --tta averages each image with its mirror. With --thresholds (from topk thresholds), a multi-label run's decisions are printed per row too.",
  flags: {
    model: valueFlag(existingPath('directory'), {
      valueName: 'RUN_DIR',
      required: true,
      description: 'a run directory written by topk train or topk demo --out',
    }),
    data: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description: 'the images: a folder of class folders, a CSV or an IDX file',
    }),
    root: valueFlag(existingPath('directory'), {
      valueName: 'DIR',
      description: "CSV only: the folder image paths are relative to (default: the CSV's folder)",
    }),
    tta: switchFlag('test-time augmentation: average the image and its left-right mirror'),
    thresholds: valueFlag(existingPath('file'), {
      valueName: 'FILE',
      description:
        'multi-label: per-class thresholds from topk thresholds; prints how many rows get each class',
    }),
    batchSize: valueFlag(integerValue({ min: 1, max: 4096 }), {
      valueName: 'N',
      default: '64',
      description: 'images per batch',
    }),
    backend: backendFlag(),
    workers: workersFlag(),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      required: true,
      description: 'the prediction CSV to write',
    }),
  },
  examples: [
    'topk predict --model runs/r18 --data data/test --out preds.csv',
    'topk predict --model runs/r18 --data test.csv --root images --tta --out preds.csv',
  ],
  async run(flags, { io }) {
    const shownModel = displayPath(io.cwd, flags.model);
    const config = await readRunConfig(flags.model, shownModel);
    let thresholds: readonly number[] | undefined;
    if (flags.thresholds !== undefined) {
      if (!config.multiLabel)
        throw new UsageError(`--thresholds applies to a multi-label run, and ${shownModel} is single-label`);
      thresholds = await readFlagFile('--thresholds', flags.thresholds, io.cwd, (text) => {
        const parsed = JSON.parse(text) as { classes?: unknown; thresholds?: unknown };
        const ok =
          Array.isArray(parsed.classes) &&
          Array.isArray(parsed.thresholds) &&
          parsed.classes.length === config.classes.length &&
          parsed.classes.every((c, i) => c === config.classes[i]);
        if (!ok)
          throw new UsageError(
            `--thresholds ${displayPath(io.cwd, flags.thresholds!)}: its classes are not the run's ${config.classes.length} classes`,
            { hint: false },
          );
        return parsed.thresholds as number[];
      });
    }
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    await activateBackend(flags.backend, 'predict');
    const classifier = await loadRunModel(flags.model, shownModel);
    try {
      const total = Math.ceil(loaded.dataset.items.length / flags.batchSize);
      const bar = createProgressBar(io.stderr, { label: 'predicting', total, now: io.now });
      const { ids, values } = await predictDataset(classifier, config, loaded.dataset, {
        batchSize: flags.batchSize,
        tta: flags.tta,
        onBatch: (done) => bar.update(done),
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      });
      bar.finish();
      const { createPredictionTable } = await import('@topk/core');
      const { formatPredictionCsv } = await import('@topk/thresholding');
      await writeOutputFile(
        flags.out,
        formatPredictionCsv(createPredictionTable(ids, config.classes, values)),
      );
      const lines = [
        `${ids.length} rows × ${config.classes.length} classes${flags.tta ? ' (TTA: flips)' : ''}`,
      ];
      if (thresholds) {
        const counts = config.classes.map(
          (_, c) => ids.filter((_, r) => values[r * config.classes.length + c]! >= thresholds[c]!).length,
        );
        lines.push(
          `rows per class at the thresholds: ${config.classes.map((name, c) => `${name} ${counts[c]}`).join(', ')}`,
        );
      }
      lines.push(`written ${displayPath(io.cwd, flags.out)}`);
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      classifier.model.dispose();
    }
  },
});
