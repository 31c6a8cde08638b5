/**
 * Multi-label classification on Fashion-MNIST mosaics: each 56x56 image is a 2x2 grid of subset images
 * (a tile may be left blank) and its labels are the set of classes it shows. Small CNNs train with
 * sigmoid binary cross-entropy; per-class thresholds are searched on a validation split; a PSO-weighted
 * ensemble of the members is compared with each member. Run with `npm start` in this folder.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createBackbone, createClassifier } from '@topk/backbones';
import {
  createPredictionTable,
  formatBackendSelection,
  type PredictionTable,
  Rng,
  type SelectBackendOptions,
  selectBackend,
} from '@topk/core';
import { FASHION_MNIST_CLASSES } from '@topk/data-pipeline';
import { combinePredictions, particleSwarmWeights } from '@topk/ensembling';
import { binaryCrossEntropy } from '@topk/losses';
import {
  applyThresholds,
  type ClassThresholds,
  countMultiLabelOutcomes,
  f1Score,
  searchClassThresholds,
} from '@topk/thresholding';
import { adamW, arrayBatches, Learner, readIdx } from '@topk/training';

const DEFAULT_DATA = new URL('../../../packages/cli/assets/fashion-mnist/', import.meta.url);
const CLASSES = FASHION_MNIST_CLASSES;
const TILE = 28;
const SIZE = 2 * TILE;

/** One ensemble member: a registry backbone and head settings. */
export interface MemberSpec {
  readonly name: string;
  readonly channels: readonly number[];
  readonly pool: 'avg' | 'max' | 'concat';
  readonly seed: number;
}

/** The default members: two widths of `simple-cnn`, different pooling and seeds. */
export const DEFAULT_MEMBERS: readonly MemberSpec[] = [
  { name: 'cnn16-avg', channels: [16, 32, 64], pool: 'avg', seed: 1 },
  { name: 'cnn16-concat', channels: [16, 32, 64], pool: 'concat', seed: 2 },
  { name: 'cnn24-max', channels: [24, 48, 96], pool: 'max', seed: 3 },
];

/** Options of {@link main}. */
export interface MainOptions {
  /** Folder with the four gzipped IDX files. @defaultValue the shipped subset */
  readonly dataDir?: string | URL;
  /** Training mosaics (from 80 % of the training images). @defaultValue 2400 */
  readonly trainMosaics?: number;
  /** Validation mosaics (from the other 20 %), for thresholds and ensemble weights. @defaultValue 600 */
  readonly validMosaics?: number;
  /** Test mosaics (from the test images). @defaultValue 1000 */
  readonly testMosaics?: number;
  /** Probability that a tile is left blank (each mosaic keeps at least one image). @defaultValue 0.25 */
  readonly blankTile?: number;
  /** Epochs of one-cycle per member. @defaultValue 4 */
  readonly epochs?: number;
  /** @defaultValue {@link DEFAULT_MEMBERS} */
  readonly members?: readonly MemberSpec[];
  /** PSO iterations. @defaultValue 30 */
  readonly psoIterations?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /** @defaultValue `TOPK_BACKEND`, else `'auto'` */
  readonly backend?: SelectBackendOptions['backend'];
  /** @defaultValue `console.log` */
  readonly log?: (line: string) => void;
}

/** Micro-F1 of one model or ensemble on the test mosaics. */
export interface Scores {
  readonly name: string;
  /** At 0.5 for every class. */
  readonly atHalf: number;
  /** With per-class thresholds searched on the validation mosaics. */
  readonly tuned: number;
}

/** What {@link main} measured. */
export interface MainResult {
  readonly backend: string;
  readonly members: readonly Scores[];
  readonly meanEnsemble: Scores;
  readonly psoEnsemble: Scores;
  readonly psoWeights: readonly number[];
  readonly seconds: number;
}

interface Mosaics {
  readonly ids: string[];
  readonly images: Float32Array;
  /** Row-major `[N, 10]` multi-hot targets. */
  readonly targets: Float32Array;
}

async function loadIdx(dir: string | URL, file: string): Promise<Uint8Array> {
  const base = typeof dir === 'string' ? pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`) : dir;
  return (await readIdx(await readFile(new URL(file, base)))).data as Uint8Array;
}

/**
 * `count` mosaics of images drawn from `pool`, normalised with Fashion-MNIST's mean and std (0.286,
 * 0.353). Each tile is blank with probability `blank`, except that a mosaic keeps at least one image.
 */
function buildMosaics(
  prefix: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  pool: readonly number[],
  count: number,
  blank: number,
  rng: Rng,
): Mosaics {
  const images = new Float32Array(count * SIZE * SIZE).fill((0 - 0.286) / 0.353);
  const targets = new Float32Array(count * CLASSES.length);
  const ids: string[] = [];
  for (let m = 0; m < count; m++) {
    const keep = [0, 1, 2, 3].map(() => !rng.bernoulli(blank));
    if (!keep.some(Boolean)) keep[rng.int(0, 4)] = true;
    for (let tile = 0; tile < 4; tile++) {
      if (!keep[tile]) continue;
      const source = pool[rng.int(0, pool.length)]!;
      targets[m * CLASSES.length + labels[source]!] = 1;
      const top = Math.floor(tile / 2) * TILE;
      const left = (tile % 2) * TILE;
      for (let r = 0; r < TILE; r++) {
        for (let c = 0; c < TILE; c++) {
          const v = pixels[source * TILE * TILE + r * TILE + c]! / 255;
          images[m * SIZE * SIZE + (top + r) * SIZE + left + c] = (v - 0.286) / 0.353;
        }
      }
    }
    ids.push(`${prefix}-${m}`);
  }
  return { ids, images, targets };
}

/** Micro-F1 of `table` against multi-hot `targets` at `thresholds`. */
export function microF1(
  table: PredictionTable,
  targets: ArrayLike<number>,
  thresholds: number | ClassThresholds,
): number {
  const outcomes = countMultiLabelOutcomes(targets, applyThresholds(table, thresholds), table.classes.length);
  return f1Score(outcomes, 'micro');
}

function score(
  name: string,
  valid: PredictionTable,
  test: PredictionTable,
  validTargets: Float32Array,
  testTargets: Float32Array,
): Scores {
  const { thresholds } = searchClassThresholds(valid, validTargets, { average: 'micro' });
  return { name, atHalf: microF1(test, testTargets, 0.5), tuned: microF1(test, testTargets, thresholds) };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Builds the mosaics, trains the members, tunes thresholds, weights the ensemble, returns test micro-F1. */
export async function main(options: MainOptions = {}): Promise<MainResult> {
  const {
    dataDir = DEFAULT_DATA,
    trainMosaics = 2400,
    validMosaics = 600,
    testMosaics = 1000,
    blankTile = 0.25,
    epochs = 4,
    members = DEFAULT_MEMBERS,
    psoIterations = 30,
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
  const rng = new Rng(seed);
  // Validation mosaics never reuse a training mosaic's source image.
  const order = rng.split('split').permutation(y!.length);
  const cut = Math.round(order.length * 0.8);
  const train = buildMosaics(
    'train',
    x!,
    y!,
    order.slice(0, cut),
    trainMosaics,
    blankTile,
    rng.split('train'),
  );
  const valid = buildMosaics('valid', x!, y!, order.slice(cut), validMosaics, blankTile, rng.split('valid'));
  const testPool = Array.from({ length: yTest!.length }, (_, i) => i);
  const test = buildMosaics('test', xTest!, yTest!, testPool, testMosaics, blankTile, rng.split('test'));
  const labelsPerImage = test.targets.reduce((a, b) => a + b, 0) / testMosaics;
  log(
    `mosaics ${SIZE}x${SIZE}: ${trainMosaics} train / ${validMosaics} valid / ${testMosaics} test, ${labelsPerImage.toFixed(2)} labels per test image`,
  );

  const validTables: PredictionTable[] = [];
  const testTables: PredictionTable[] = [];
  const memberScores: Scores[] = [];
  for (const spec of members) {
    const backbone = createBackbone('simple-cnn', {
      inputSize: SIZE,
      inputChannels: 1,
      channels: spec.channels,
      seed: spec.seed,
    } as never);
    const classifier = createClassifier(backbone, {
      numClasses: CLASSES.length,
      pool: spec.pool,
      multiLabel: true,
      logits: true,
      seed: spec.seed,
    });
    const learner = new Learner({
      model: classifier.model,
      train: arrayBatches(train.images, train.targets, [SIZE, SIZE, 1], {
        batchSize: 64,
        shuffle: true,
        seed: spec.seed,
      }),
      loss: binaryCrossEntropy(),
      task: 'multi-label',
      optimizer: adamW({ weightDecay: 1e-2 }),
      seed: spec.seed,
    });
    try {
      const t0 = performance.now();
      const { history } = await learner.fitOneCycle(epochs, 1e-2);
      const predict = async (set: Mosaics) => {
        const p = await learner.predict(
          arrayBatches(set.images, undefined, [SIZE, SIZE, 1], { batchSize: 200 }),
        );
        return createPredictionTable(set.ids, CLASSES, p.values);
      };
      const validTable = await predict(valid);
      const testTable = await predict(test);
      validTables.push(validTable);
      testTables.push(testTable);
      const s = score(spec.name, validTable, testTable, valid.targets, test.targets);
      memberScores.push(s);
      log(
        `${spec.name} (${classifier.model.countParams()} params): train loss ${Number(history.at(-1)?.loss).toFixed(3)}, test micro-F1 ${pct(s.atHalf)} at 0.5, ${pct(s.tuned)} tuned, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } finally {
      learner.optimizer.dispose();
      classifier.model.dispose();
    }
  }

  const meanEnsemble = score(
    'mean ensemble',
    combinePredictions(validTables),
    combinePredictions(testTables),
    valid.targets,
    test.targets,
  );
  log(`mean ensemble: test micro-F1 ${pct(meanEnsemble.atHalf)} at 0.5, ${pct(meanEnsemble.tuned)} tuned`);

  // Weights that maximise validation micro-F1 at 0.5; thresholds are then tuned on the weighted ensemble.
  const { weights } = particleSwarmWeights(validTables, (t) => microF1(t, valid.targets, 0.5), {
    rng: rng.split('pso'),
    iterations: psoIterations,
  });
  const psoEnsemble = score(
    'PSO ensemble',
    combinePredictions(validTables, { weights }),
    combinePredictions(testTables, { weights }),
    valid.targets,
    test.targets,
  );
  log(
    `PSO ensemble (weights ${Array.from(weights, (w) => w.toFixed(2)).join(', ')}): test micro-F1 ${pct(psoEnsemble.atHalf)} at 0.5, ${pct(psoEnsemble.tuned)} tuned`,
  );
  const seconds = (performance.now() - start) / 1000;
  log(`done in ${seconds.toFixed(1)} s`);
  return {
    backend: selection.backend,
    members: memberScores,
    meanEnsemble,
    psoEnsemble,
    psoWeights: Array.from(weights),
    seconds,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
