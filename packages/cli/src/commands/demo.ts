import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displayPath, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import { choiceValue, integerValue, outputPath, switchFlag, valueFlag } from '../flags.js';
import {
  activateBackend,
  backendLine,
  buildClassifier,
  epochReporter,
  type RunConfig,
  writeRunConfig,
} from '../run-model.js';

/**
 * The committed Fashion-MNIST subset (3 000 training and 1 000 test images): `assets/` of this package,
 * two folders up from `src/commands/demo.ts`, one up from the bundled `dist/*.js`.
 */
function assetsFolder(): URL {
  const candidates = ['../../assets/fashion-mnist/', '../assets/fashion-mnist/'].map(
    (p) => new URL(p, import.meta.url),
  );
  return candidates.find((url) => existsSync(new URL('train-images-idx3-ubyte.gz', url))) ?? candidates[0]!;
}

/**
 * The demo's model: `simple-cnn` with blocks of 16, 32 and 64 channels (28 → 14 → 7 → 4), concat pooling
 * and a 64-unit hidden layer, 32 538 parameters. Four one-cycle epochs at 1e-2 with AdamW (λ = 1e-2),
 * batch 64, as the training package's Fashion-MNIST test: about 85 % test accuracy on the subset.
 */
function demoConfig(seed: number, classes: readonly string[]): RunConfig {
  return {
    format: 'topk-run',
    version: 1,
    backbone: 'simple-cnn',
    backboneOptions: { channels: [16, 32, 64] },
    head: { pool: 'concat', hiddenUnits: [64] },
    size: [28, 28],
    channels: 1,
    classes,
    multiLabel: false,
    // arrayBatches scales pixels to [0, 1] and the net trains on them as they are.
    mean: [0],
    std: [1],
    seed,
    loss: 'ce',
  };
}

/** `topk demo`: train a small CNN on the shipped Fashion-MNIST subset and print its test accuracy. */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'train a small CNN on the shipped Fashion-MNIST subset and print the test accuracy',
  description:
    'No data to download: the package ships 3 000 training and 1 000 test images of Fashion-MNIST (gzipped IDX). A 32 538-parameter simple-cnn trains for 4 one-cycle epochs (AdamW, max lr 1e-2) on the fastest backend that trains here, in well under a minute on two cores, and reaches about 85 % test accuracy.',
  flags: {
    epochs: valueFlag(integerValue({ min: 1, max: 100 }), {
      valueName: 'N',
      default: '4',
      description: 'training epochs',
    }),
    seed: valueFlag(integerValue({ min: 0 }), { valueName: 'N', default: '1', description: 'random seed' }),
    backend: valueFlag(
      choiceValue(['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu'] as const),
      {
        valueName: 'B',
        default: 'auto',
        description: 'TensorFlow.js backend (auto: the fastest that trains here)',
      },
    ),
    out: valueFlag(outputPath(), {
      valueName: 'RUN_DIR',
      description: 'save the run there (model/, config.json, history.jsonl), ready for topk predict',
    }),
    json: switchFlag('print { accuracy, seconds, backend, history } as JSON on stdout'),
  },
  examples: ['topk demo', 'topk demo --out runs/demo'],
  async run(flags, { io }) {
    const start = io.now();
    const selection = await activateBackend(flags.backend, 'train');
    const line = await backendLine(selection);
    if (!flags.json) io.stdout.write(`${line}\n`);
    const { adamW, arrayBatches, jsonlHistory, Learner, readIdx, terminateOnNaN } = await import(
      '@topk/training'
    );
    const assets = assetsFolder();
    const load = async (name: string) =>
      (await readIdx(await readFile(new URL(name, assets)))).data as Uint8Array;
    const [images, labels, testImages, testLabels] = await Promise.all(
      [
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
      ].map(load),
    );
    const { FASHION_MNIST_CLASSES } = await import('@topk/data-pipeline');
    const config = demoConfig(flags.seed, FASHION_MNIST_CLASSES);
    const classifier = await buildClassifier(config);
    const batchSize = 64;
    const train = arrayBatches(images!, labels!, [28, 28, 1], { batchSize, shuffle: true, seed: flags.seed });
    const callbacks = [
      terminateOnNaN(),
      epochReporter(io, { quiet: flags.json, validName: 'test' }),
      ...(flags.out !== undefined ? [jsonlHistory(join(flags.out, 'history.jsonl'))] : []),
    ];
    const learner = new Learner({
      model: classifier.model,
      train,
      valid: arrayBatches(testImages!, testLabels!, [28, 28, 1], { batchSize: 250 }),
      optimizer: adamW({ weightDecay: 1e-2 }),
      task: 'single-label',
      seed: flags.seed,
      callbacks,
    });
    try {
      const { history } = await learner.fitOneCycle(flags.epochs, 1e-2);
      const accuracy = Number(history.at(-1)?.valid_accuracy);
      const seconds = (io.now() - start) / 1000;
      if (flags.out !== undefined) {
        const { saveModel } = await import('@topk/backbones');
        await saveModel(classifier, join(flags.out, 'model'));
        await writeRunConfig(flags.out, config);
        await writeOutputFile(
          join(flags.out, 'log.txt'),
          `${line}\ntopk demo: test accuracy ${accuracy.toFixed(4)} in ${seconds.toFixed(1)} s\n`,
        );
      }
      if (flags.json) {
        const json = { accuracy, seconds, backend: selection.backend, epochs: flags.epochs, history };
        io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        io.stdout.write(
          `Fashion-MNIST subset (3000 train / 1000 test): test accuracy ${(accuracy * 100).toFixed(1)} % in ${seconds.toFixed(1)} s\n`,
        );
        if (flags.out !== undefined) io.stdout.write(`run saved in ${displayPath(io.cwd, flags.out)}\n`);
      }
      return 0;
    } finally {
      learner.optimizer.dispose();
      classifier.model.dispose();
    }
  },
});
