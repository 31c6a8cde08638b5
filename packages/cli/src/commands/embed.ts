import { displayPath } from '../cli-files.js';
import { defineCommand } from '../command.js';
import {
  backendFlag,
  choiceValue,
  existingPath,
  integerValue,
  outputPath,
  valueFlag,
  workersFlag,
} from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { createProgressBar } from '../progress-bar.js';
import { activateBackend, embedDataset, loadRunModel, readRunConfig } from '../run-model.js';
import { UsageError } from '../usage-error.js';

/** `topk embed`: the pooled features (or head embeddings) of a run's model for every image, as an embeddings file. */
export const embedCommand = defineCommand({
  name: 'embed',
  summary: "write the pooled features of a run's model for every image (an embeddings file)",
  description:
    "Loads RUN_DIR/model and config.json, resizes and normalises the images as topk predict does, and writes, per image, the output of the classifier's pooling layer (head_pool: the features the head classifies, forwardFeatures of @topk/backbones) or, with --layer embedding, of its head_embedding layer. For a run trained with --loss arcface the default is its embedding, L2-normalised (the vectors whose cosines to the class centres it was trained on). The file (binary, documented in the README) is what topk retrieve reads: --index and --query.",
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
    layer: valueFlag(choiceValue(['pooled', 'embedding'] as const), {
      valueName: 'L',
      description:
        "pooled (the head's pooled backbone features) or embedding (the head's embedding layer; L2-normalised for an ArcFace run) (default: embedding for an ArcFace run, else pooled)",
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
      description: 'the embeddings file to write',
    }),
  },
  examples: [
    'topk embed --model runs/r18 --data data/train --out train.bin',
    'topk embed --model runs/r18 --data test.csv --root images --out test.bin',
  ],
  async run(flags, { io }) {
    const shownModel = displayPath(io.cwd, flags.model);
    const config = await readRunConfig(flags.model, shownModel);
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    await activateBackend(flags.backend, 'predict');
    const classifier = await loadRunModel(flags.model, shownModel);
    const layer = flags.layer ?? (config.arcFace ? 'embedding' : 'pooled');
    try {
      if (layer === 'embedding' && classifier.head.embeddingSize === null) {
        throw new UsageError(`--layer embedding: the head of ${shownModel} has no embedding layer`, {
          hint: false,
        });
      }
      const total = Math.ceil(loaded.dataset.items.length / flags.batchSize);
      const bar = createProgressBar(io.stderr, { label: 'embedding', total, now: io.now });
      const embeddings = await embedDataset(classifier, config, loaded.dataset, {
        batchSize: flags.batchSize,
        layer,
        normalise: layer === 'embedding' && config.arcFace !== undefined,
        onBatch: (done) => bar.update(done),
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      });
      bar.finish();
      // Loaded on use: @topk/cluster brings in bullmq, which other commands do not need.
      const { writeEmbeddingsFile } = await import('@topk/cluster');
      await writeEmbeddingsFile(flags.out, embeddings);
      io.stdout.write(
        `${embeddings.ids.length} rows × ${embeddings.dim} (${layer === 'pooled' ? 'pooled features' : config.arcFace ? 'ArcFace embedding, L2-normalised' : 'head embedding'})\nwritten ${displayPath(io.cwd, flags.out)}\n`,
      );
      return 0;
    } finally {
      classifier.model.dispose();
    }
  },
});
