/**
 * Writes the example's two assets from the Fashion-MNIST subset committed in
 * `packages/cli/assets/fashion-mnist` (3 000 train / 1 000 test images, gzipped IDX):
 *
 * - `public/model/`: a `simple-cnn` backbone from `@topk/backbones` (channels 16-32-64, 28x28x1)
 *   pretrained in Node on classes 0–4 (T-shirt/top, Trouser, Pullover, Dress, Coat; 1 500 images),
 *   saved with `saveModel` (tfjs layers format plus topk's description) without its 5-class head;
 * - `public/fashion-mnist-small.bin`: the page's data, classes 5–9 only (Sandal, Shirt, Sneaker, Bag,
 *   Ankle boot), which the pretrained body has never seen: the first 50 training images of each class
 *   to fine-tune on and the first 40 test images of each class to measure.
 *
 * Run with `npm run assets` in this folder; the output is committed, so the page needs no Node step.
 * Seeds are fixed, and the wasm backend (the one `selectBackend` picks on a plain machine) gives the
 * same weights on every run.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBackbone, createClassifier, saveModel } from '@topk/backbones';
import { formatBackendSelection, selectBackend } from '@topk/core';
import { adamW, arrayBatches, Learner, readIdx } from '@topk/training';
import { encodeDataset, type LabelledImages, takePerClass } from './dataset.js';
import { normalise } from './normalise.js';

const SUBSET = new URL('../../../packages/cli/assets/fashion-mnist/', import.meta.url);
const PUBLIC = new URL('../public/', import.meta.url);

/** Classes the backbone is pretrained on; the page fine-tunes on the other five. */
export const PRETRAIN_CLASSES = [0, 1, 2, 3, 4] as const;
/** Classes the page fine-tunes on and predicts. */
export const FINE_TUNE_CLASSES = [5, 6, 7, 8, 9] as const;
/** Channels of the shipped `simple-cnn`. */
export const CHANNELS = [16, 32, 64] as const;

async function loadSplit(split: 'train' | 't10k'): Promise<LabelledImages> {
  const [images, labels] = await Promise.all(
    [`${split}-images-idx3-ubyte.gz`, `${split}-labels-idx1-ubyte.gz`].map(
      async (file) => (await readIdx(await readFile(new URL(file, SUBSET)))).data as Uint8Array,
    ),
  );
  return { images: images!, labels: labels! };
}

/** Pretrains the backbone, saves it and the data file; returns the pretraining test accuracy. */
export async function makeAssets(log: (line: string) => void = console.log): Promise<number> {
  const selection = await selectBackend();
  log(formatBackendSelection(selection).split('\n')[0]!);
  const [train, test] = await Promise.all([loadSplit('train'), loadSplit('t10k')]);

  const data = encodeDataset({
    train: takePerClass(train, FINE_TUNE_CLASSES, 50),
    test: takePerClass(test, FINE_TUNE_CLASSES, 40),
  });
  await mkdir(PUBLIC, { recursive: true });
  await writeFile(new URL('fashion-mnist-small.bin', PUBLIC), data);
  log(`wrote public/fashion-mnist-small.bin (${data.length} bytes)`);

  const backbone = createBackbone('simple-cnn', {
    inputSize: 28,
    inputChannels: 1,
    seed: 1,
    channels: CHANNELS,
  } as never);
  const classifier = createClassifier(backbone, {
    numClasses: PRETRAIN_CLASSES.length,
    logits: true,
    seed: 1,
  });
  const { mean, std } = backbone.dataConfig;
  const pretrain = takePerClass(train, PRETRAIN_CLASSES, 300);
  const valid = takePerClass(test, PRETRAIN_CLASSES, 100);
  const learner = new Learner({
    model: classifier.model,
    train: arrayBatches(normalise(pretrain.images, mean[0]!, std[0]!), pretrain.labels, [28, 28, 1], {
      batchSize: 64,
      shuffle: true,
      seed: 1,
    }),
    valid: arrayBatches(normalise(valid.images, mean[0]!, std[0]!), valid.labels, [28, 28, 1], {
      batchSize: 250,
    }),
    optimizer: adamW({ weightDecay: 1e-2 }),
    task: 'single-label',
    seed: 1,
    callbacks: [
      {
        name: 'log',
        onEpochEnd: ({ epoch, logs }) =>
          log(
            `pretrain epoch ${epoch + 1}: loss ${Number(logs.loss).toFixed(3)}, accuracy on classes 0-4 ${(Number(logs.valid_accuracy) * 100).toFixed(1)} %`,
          ),
      },
    ],
  });
  try {
    const { history } = await learner.fitOneCycle(4, 1e-2);
    const folder = new URL('model/', PUBLIC);
    await rm(folder, { recursive: true, force: true });
    await saveModel(backbone, fileURLToPath(folder));
    log(`wrote public/model/ (${backbone.model.countParams()} parameters)`);
    return Number(history.at(-1)?.valid_accuracy);
  } finally {
    learner.optimizer.dispose();
    classifier.model.dispose();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await makeAssets();
}
