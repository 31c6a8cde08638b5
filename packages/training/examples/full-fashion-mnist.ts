// Not part of CI: a stronger recipe on the full Fashion-MNIST (60 000 train / 10 000 test) from Debian's
// dataset-fashion-mnist package. The README of @topk/training records its accuracy and time.
//
//   node --conditions=source --import tsx packages/training/examples/full-fashion-mnist.ts
//     [--data /usr/share/datasets/fashion-mnist] [--epochs 6] [--width 16] [--out runs/fashion-mnist]
//
// Recipe: the test's simple CNN (width × 1, × 2 filters), per-sample random flips and ±2-pixel shifts drawn
// from the epoch's Rng, label smoothing 0.1, AdamW (weight decay 1e-2), one-cycle at 1e-2, an EMA of the
// weights evaluated every epoch, and checkpoints (resume with --resume after an interruption).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { formatBackendSelection, type Rng, selectBackend } from '@topk/core';
import {
  adamW,
  arrayBatches,
  type Batch,
  checkpoint,
  csvHistory,
  type EpochData,
  Learner,
  modelEma,
  progressBar,
  readIdx,
  softmaxCrossEntropy,
  terminateOnNaN,
} from '../src/index.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const dataDir = option('data', '/usr/share/datasets/fashion-mnist');
const epochs = Number(option('epochs', '6'));
const width = Number(option('width', '16'));
const out = option('out', 'runs/fashion-mnist');

const selection = await selectBackend();
console.log(formatBackendSelection(selection));
const load = async (name: string) => (await readIdx(await readFile(join(dataDir, name)))).data as Uint8Array;
const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
  [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ].map(load),
);

function simpleCnn(): tfl.LayersModel {
  let seed = 1;
  const he = () => tfl.initializers.heNormal({ seed: seed++ });
  const model = tfl.sequential();
  for (const [i, filters] of [width, width * 2].entries()) {
    model.add(
      tfl.layers.conv2d({
        ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: he(),
      }),
    );
    model.add(tfl.layers.batchNormalization({ momentum: 0.9 }));
    model.add(tfl.layers.reLU());
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: he() }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: he() }));
  return model;
}

/** Per-sample horizontal flip (p = 0.5) and shift by up to 2 pixels, exact crops of a zero-padded image. */
function augment(data: EpochData & { readonly batchesPerEpoch: number }): EpochData {
  return Object.assign(
    function* (epoch: number, rng: Rng): Generator<Batch> {
      for (const batch of data(epoch, rng) as Iterable<Batch>) {
        const n = batch.images.shape[0]!;
        const flips = Float32Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : 0));
        // cropAndResize boxes in normalised coordinates of the 32×32 padded image: y · 31 is the pixel row.
        const boxes = new Float32Array(n * 4);
        for (let i = 0; i < n; i++) {
          const dy = 2 + rng.int(-2, 3);
          const dx = 2 + rng.int(-2, 3);
          boxes.set([dy / 31, dx / 31, (dy + 27) / 31, (dx + 27) / 31], i * 4);
        }
        const images = tf.tidy(() => {
          const x = batch.images as tf.Tensor4D;
          const mask = tf.tensor4d(flips, [n, 1, 1, 1]);
          const flipped = tf.add(tf.mul(tf.reverse(x, 2), mask), tf.mul(x, tf.sub(1, mask))) as tf.Tensor4D;
          const padded = tf.pad(flipped, [
            [0, 0],
            [2, 2],
            [2, 2],
            [0, 0],
          ]);
          const indices = tf.tensor1d(
            Int32Array.from({ length: n }, (_, i) => i),
            'int32',
          );
          return tf.image.cropAndResize(padded, tf.tensor2d(boxes, [n, 4]), indices, [28, 28]);
        });
        batch.images.dispose();
        yield { ...batch, images };
      }
    },
    { batchesPerEpoch: data.batchesPerEpoch },
  );
}

const model = simpleCnn();
console.log(`simple CNN, width ${width}: ${model.countParams()} parameters; ${epochs} epochs`);
const learner = new Learner({
  model,
  train: augment(
    arrayBatches(trainImages!, trainLabels!, [28, 28, 1], { batchSize: 64, shuffle: true, seed: 1 }),
  ),
  valid: arrayBatches(testImages!, testLabels!, [28, 28, 1], { batchSize: 500 }),
  loss: softmaxCrossEntropy({ labelSmoothing: 0.1 }),
  optimizer: adamW({ weightDecay: 1e-2 }),
  seed: 1,
  callbacks: [
    terminateOnNaN(),
    modelEma({ decay: 0.999 }),
    checkpoint({ dir: out, monitor: 'valid_accuracy', everySteps: 200 }),
    csvHistory(join(out, 'history.csv')),
    progressBar(),
  ],
});
const started = performance.now();
const { history } = await learner.fitOneCycle(
  epochs,
  1e-2,
  args.includes('--resume') ? { resumeFrom: out } : {},
);
const minutes = (performance.now() - started) / 60_000;
const last = history.at(-1)!;
console.log(
  JSON.stringify({
    backend: selection.backend,
    threads: selection.threads,
    epochs,
    params: model.countParams(),
    testAccuracy: last.valid_accuracy,
    emaTestAccuracy: last.ema_valid_accuracy,
    minutes,
    imagesPerSecond: history.map((h) => Math.round(h.imagesPerSecond!)),
  }),
);
