/**
 * Registers a custom backbone (`fmnist-vgg`, a small VGG-style network) with `@topk/backbones`, puts
 * the library's classifier head on it and trains it with `@topk/training`'s Learner on the shipped
 * Fashion-MNIST subset (3 000 train / 1 000 test). Run with `npm start` in this folder.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BackboneFactory,
  createBackbone,
  createClassifier,
  getBackboneInfo,
  listBackbones,
  registerBackbone,
  unregisterBackbone,
} from '@topk/backbones';
import {
  formatBackendSelection,
  InvalidArgumentError,
  type SelectBackendOptions,
  selectBackend,
} from '@topk/core';
import { adamW, arrayBatches, Learner, readIdx } from '@topk/training';

/** The shipped subset, gzipped IDX, as `topk demo` reads it. */
const DEFAULT_DATA = new URL('../../../packages/cli/assets/fashion-mnist/', import.meta.url);

/** Fashion-MNIST's pixel mean and standard deviation in [0, 1] units (the full 60 000 training images). */
const FASHION_MEAN = 0.286;
const FASHION_STD = 0.353;

/** Name the example registers its backbone under. */
export const BACKBONE_NAME = 'fmnist-vgg';

/**
 * The custom backbone: a stem convolution, then two VGG stages (two 3x3 conv-BN-ReLU and a 2x2 max
 * pool each), so a 28x28 image becomes a 7x7 map of `2 * width` features. Every initializer is seeded
 * from `options.seed`, so equal options give identical weights, as for the built-in backbones. Its own
 * option `width` (default 32) is passed through `createBackbone(name, { width })`.
 */
export const fmnistVgg: BackboneFactory = (options) => {
  const { inputSize = 28, inputChannels = 1, seed = 0, width = 32 } = options;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) {
    throw new InvalidArgumentError(BACKBONE_NAME, 'width', 'a positive integer', width);
  }
  const [height, widthPx] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
  let layerSeed = seed * 100;
  const groups: { name: string; layers: string[] }[] = [];
  const input = tfl.input({ shape: [height, widthPx, inputChannels], name: 'input' });
  const convBnRelu = (x: tfl.SymbolicTensor, name: string, filters: number, group: string[]) => {
    const conv = tfl.layers.conv2d({
      name: `${name}_conv`,
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tfl.initializers.heNormal({ seed: layerSeed++ }),
    });
    const bn = tfl.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 });
    const relu = tfl.layers.reLU({ name: `${name}_relu` });
    group.push(conv.name, bn.name, relu.name);
    return relu.apply(bn.apply(conv.apply(x))) as tfl.SymbolicTensor;
  };
  const stem = ['input'];
  let x = convBnRelu(input, 'stem', Math.ceil(width / 2), stem);
  groups.push({ name: 'stem', layers: stem });
  for (const [i, filters] of [width, 2 * width].entries()) {
    const stage: string[] = [];
    x = convBnRelu(x, `stage${i + 1}_a`, filters, stage);
    x = convBnRelu(x, `stage${i + 1}_b`, filters, stage);
    const pool = tfl.layers.maxPooling2d({ name: `stage${i + 1}_pool`, poolSize: 2 });
    stage.push(pool.name);
    x = pool.apply(x) as tfl.SymbolicTensor;
    groups.push({ name: `stage${i + 1}`, layers: stage });
  }
  return {
    model: tfl.model({ inputs: input, outputs: x, name: BACKBONE_NAME }),
    layerGroups: groups,
    dataConfig: {
      inputSize: [height, widthPx],
      channels: inputChannels,
      mean: Array.from({ length: inputChannels }, () => FASHION_MEAN),
      std: Array.from({ length: inputChannels }, () => FASHION_STD),
      interpolation: 'bilinear',
      cropFraction: 1,
    },
  };
};

/** Options of {@link main}. */
export interface MainOptions {
  /**
   * Folder with the four gzipped IDX files of Fashion-MNIST.
   * @defaultValue the subset shipped in `packages/cli/assets/fashion-mnist`
   */
  readonly dataDir?: string | URL;
  /**
   * Training epochs (one-cycle over all of them).
   * @defaultValue 5
   */
  readonly epochs?: number;
  /**
   * Use only the first N training / test images (for a quick run); all when omitted.
   * @defaultValue all
   */
  readonly trainLimit?: number;
  /** @defaultValue all */
  readonly testLimit?: number;
  /**
   * Backbone width (the custom option of `fmnist-vgg`).
   * @defaultValue 32
   */
  readonly width?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /**
   * Backend for `selectBackend`.
   * @defaultValue `TOPK_BACKEND`, else `'auto'`
   */
  readonly backend?: SelectBackendOptions['backend'];
  /** Where progress lines go. @defaultValue `console.log` */
  readonly log?: (line: string) => void;
}

/** What {@link main} measured. */
export interface MainResult {
  readonly backend: string;
  readonly parameters: number;
  readonly layerGroups: readonly string[];
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly trainImages: number;
  readonly testImages: number;
}

/** Reads `file` of `dir` as IDX bytes. */
async function loadIdx(dir: string | URL, file: string): Promise<Uint8Array> {
  const base = typeof dir === 'string' ? pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`) : dir;
  return (await readIdx(await readFile(new URL(file, base)))).data as Uint8Array;
}

/** Normalises uint8 pixels with the backbone's data config (one channel). */
function normalise(pixels: Uint8Array, mean: number, std: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i]! / 255 - mean) / std;
  return out;
}

/** Registers `fmnist-vgg`, trains it with a classifier head and returns the test accuracy. */
export async function main(options: MainOptions = {}): Promise<MainResult> {
  const {
    dataDir = DEFAULT_DATA,
    epochs = 5,
    trainLimit,
    testLimit,
    width = 32,
    seed = 1,
    backend,
    log = console.log,
  } = options;
  const start = performance.now();
  const selection = await selectBackend(backend === undefined ? {} : { backend });
  log(formatBackendSelection(selection).split('\n')[0]!);

  const [x, y, xTest, yTest] = await Promise.all(
    [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ].map((file) => loadIdx(dataDir, file)),
  );
  const nTrain = Math.min(trainLimit ?? Number.POSITIVE_INFINITY, y!.length);
  const nTest = Math.min(testLimit ?? Number.POSITIVE_INFINITY, yTest!.length);

  if (!listBackbones().includes(BACKBONE_NAME)) {
    registerBackbone(BACKBONE_NAME, fmnistVgg, {
      description: 'VGG-style 2-stage CNN for 28x28 grayscale images (examples/custom-backbone)',
    });
  }
  try {
    log(`registered ${BACKBONE_NAME}: ${getBackboneInfo(BACKBONE_NAME).description}`);
    const backbone = createBackbone(BACKBONE_NAME, { inputSize: 28, inputChannels: 1, seed, width } as never);
    const classifier = createClassifier(backbone, { numClasses: 10, pool: 'avg', logits: true, seed });
    const { mean, std } = backbone.dataConfig;
    const parameters = classifier.model.countParams();
    const layerGroups = classifier.layerGroups.map((g) => g.name);
    log(
      `${BACKBONE_NAME}: ${backbone.numFeatures} features, ${parameters} parameters, groups ${layerGroups.join(' > ')}`,
    );

    const learner = new Learner({
      model: classifier.model,
      train: arrayBatches(
        normalise(x!.subarray(0, nTrain * 784), mean[0]!, std[0]!),
        y!.subarray(0, nTrain),
        [28, 28, 1],
        {
          batchSize: 64,
          shuffle: true,
          seed,
        },
      ),
      valid: arrayBatches(
        normalise(xTest!.subarray(0, nTest * 784), mean[0]!, std[0]!),
        yTest!.subarray(0, nTest),
        [28, 28, 1],
        {
          batchSize: 250,
        },
      ),
      optimizer: adamW({ weightDecay: 1e-2 }),
      task: 'single-label',
      seed,
      callbacks: [
        {
          name: 'log',
          onEpochEnd: ({ epoch, logs }) => {
            log(
              `epoch ${epoch + 1}/${epochs}: loss ${Number(logs.loss).toFixed(3)}, test accuracy ${(Number(logs.valid_accuracy) * 100).toFixed(1)} %, ${Number(logs.seconds).toFixed(1)} s`,
            );
          },
        },
      ],
    });
    try {
      const { history } = await learner.fitOneCycle(epochs, 1e-2);
      const testAccuracy = Number(history.at(-1)?.valid_accuracy);
      const seconds = (performance.now() - start) / 1000;
      log(`test accuracy ${(testAccuracy * 100).toFixed(1)} % (${nTest} images) in ${seconds.toFixed(1)} s`);
      return {
        backend: selection.backend,
        parameters,
        layerGroups,
        testAccuracy,
        seconds,
        trainImages: nTrain,
        testImages: nTest,
      };
    } finally {
      learner.optimizer.dispose();
      classifier.model.dispose();
    }
  } finally {
    unregisterBackbone(BACKBONE_NAME);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
