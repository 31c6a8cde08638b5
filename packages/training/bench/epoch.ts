// End-to-end training-epoch throughput of @topk/training: data (arrayBatches over the committed
// Fashion-MNIST subset) + augmentation (random horizontal flip and shift, drawn from the epoch's Rng) +
// the Learner's train step (forward, loss, gradients, AdamW, loss read back), in images per second, per
// backend. Prints one JSON object on stdout; progress goes to stderr.
//
//   node --conditions=source --import tsx packages/training/bench/epoch.ts [--backends wasm,cpu]
//     [--images 3000] [--batch 64]
//
// Without --backends it tries tensorflow-gpu, tensorflow, webgpu and wasm (those that do not activate are
// listed under "skipped"); the pure-JS cpu backend runs only when named (it is ~50× slower), for at most
// 256 images unless --images says otherwise.
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { BackendError, type BackendName, type Rng, selectBackend } from '@topk/core';
import { adamW, arrayBatches, type Batch, type EpochData, Learner, readIdx } from '../src/index.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const named = option('backends')?.split(',') as BackendName[] | undefined;
const backends = named ?? (['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm'] as BackendName[]);
const batchSize = Number(option('batch') ?? 64);
const log = (line: string) => process.stderr.write(`${line}\n`);

const assets = new URL('../../cli/assets/fashion-mnist/', import.meta.url);
const load = async (name: string) =>
  (await readIdx(await readFile(new URL(name, assets)))).data as Uint8Array;
const [allImages, allLabels] = await Promise.all([
  load('train-images-idx3-ubyte.gz'),
  load('train-labels-idx1-ubyte.gz'),
]);

function simpleCnn(): tfl.LayersModel {
  let seed = 1;
  const he = () => tfl.initializers.heNormal({ seed: seed++ });
  const model = tfl.sequential();
  for (const [i, filters] of [16, 32].entries()) {
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

/** Random horizontal flip and ±2-pixel shift per batch, parameters from the epoch's Rng. */
function augmented(data: EpochData & { readonly batchesPerEpoch: number }): EpochData {
  return Object.assign(
    function* (epoch: number, rng: Rng): Generator<Batch> {
      for (const batch of data(epoch, rng) as Iterable<Batch>) {
        const flip = rng.bernoulli(0.5);
        const dy = rng.int(-2, 3);
        const dx = rng.int(-2, 3);
        const images = tf.tidy(() => {
          let x = batch.images as tf.Tensor4D;
          if (flip) x = tf.reverse(x, 2);
          const padded = tf.pad(x, [
            [0, 0],
            [2, 2],
            [2, 2],
            [0, 0],
          ]);
          return tf.slice(padded, [0, 2 + dy, 2 + dx, 0], x.shape);
        });
        batch.images.dispose();
        yield { ...batch, images };
      }
    },
    { batchesPerEpoch: data.batchesPerEpoch },
  );
}

const results: unknown[] = [];
const skipped: { backend: string; reason: string }[] = [];
for (const backend of backends) {
  try {
    await selectBackend({ backend });
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    skipped.push({ backend, reason: error.message });
    log(`${backend}: skipped (${error.message})`);
    continue;
  }
  const images = Math.min(Number(option('images') ?? (backend === 'cpu' ? 256 : 3000)), allLabels.length);
  const train = augmented(
    arrayBatches(allImages.subarray(0, images * 784), allLabels.subarray(0, images), [28, 28, 1], {
      batchSize,
      shuffle: true,
      seed: 1,
    }),
  );
  const model = simpleCnn();
  const learner = new Learner({ model, train, optimizer: adamW({ learningRate: 1e-3, weightDecay: 1e-2 }) });
  // A few warm-up steps (kernel compilation, buffer allocation, the optimizer's state), then an epoch timed.
  log(`${backend}: warm-up...`);
  await learner.fit(1, {
    callbacks: [
      {
        name: 'warmUp',
        onBatchEnd: ({ batch }) => {
          if (batch >= 3) learner.stop('warmed up');
        },
      },
    ],
  });
  const before = tf.memory().numTensors;
  log(`${backend}: timed epoch of ${images} images...`);
  const { history } = await learner.fit(1);
  const logs = history[0]!;
  results.push({
    bench: 'epoch',
    backend,
    metric: 'train-epoch',
    value: logs.imagesPerSecond,
    unit: 'img/s',
    images,
    batchSize,
    seconds: logs.seconds,
    loss: logs.loss,
    leakedTensors: tf.memory().numTensors - before,
  });
  log(
    `${backend}: ${Math.round(logs.imagesPerSecond!)} img/s (${logs.seconds!.toFixed(1)} s, loss ${logs.loss!.toFixed(3)})`,
  );
  learner.optimizer.dispose();
  model.dispose();
}

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'training-epoch',
      description:
        'data + augment + train (forward, loss, backward, AdamW, loss read back), simple CNN 28×28×1, batch 64',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAvg1m: loadavg()[0],
      },
      results,
      skipped,
    },
    null,
    2,
  )}\n`,
);
