/**
 * Metric learning and retrieval on the shipped Fashion-MNIST subset: two small CNNs with embedding heads
 * are trained with ArcFace (additive angular margin), their embeddings are concatenated into
 * meta-embeddings, and every test image retrieves its 20 nearest training images by cosine similarity,
 * scored with MAP@20. Run with `npm start` in this folder.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createBackbone, createClassifier } from '@topk/backbones';
import { formatBackendSelection, type SelectBackendOptions, selectBackend } from '@topk/core';
import {
  CosineKnnIndex,
  createEmbeddings,
  type Embeddings,
  evaluateRetrieval,
  metaEmbeddings,
  type RetrievalMetrics,
} from '@topk/ensembling';
import { ArcFace } from '@topk/losses';
import { adamW, arrayBatches, Learner, readIdx } from '@topk/training';

const DEFAULT_DATA = new URL('../../../packages/cli/assets/fashion-mnist/', import.meta.url);

/** One embedding model: a `simple-cnn` and an embedding head. */
export interface ModelSpec {
  readonly name: string;
  readonly channels: readonly number[];
  readonly pool: 'avg' | 'max' | 'concat';
  readonly seed: number;
}

/** The two models of the default run. */
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { name: 'cnn16-avg', channels: [16, 32, 64], pool: 'avg', seed: 1 },
  { name: 'cnn24-concat', channels: [24, 48, 96], pool: 'concat', seed: 2 },
];

/** Options of {@link main}. */
export interface MainOptions {
  /** Folder with the four gzipped IDX files. @defaultValue the shipped subset */
  readonly dataDir?: string | URL;
  /** Use only the first N training images (the references). @defaultValue all (3 000) */
  readonly trainLimit?: number;
  /** Use only the first N test images (the queries). @defaultValue all (1 000) */
  readonly testLimit?: number;
  /** One-cycle epochs per model. @defaultValue 5 */
  readonly epochs?: number;
  /** Embedding size of each model. @defaultValue 64 */
  readonly embeddingSize?: number;
  /** Neighbours retrieved per query. @defaultValue 20 */
  readonly k?: number;
  /** @defaultValue {@link DEFAULT_MODELS} */
  readonly models?: readonly ModelSpec[];
  /** @defaultValue `TOPK_BACKEND`, else `'auto'` */
  readonly backend?: SelectBackendOptions['backend'];
  /** @defaultValue `console.log` */
  readonly log?: (line: string) => void;
}

/** Retrieval scores of one embedding. */
export interface RetrievalScores {
  readonly name: string;
  readonly metrics: RetrievalMetrics;
}

/** What {@link main} measured. */
export interface MainResult {
  readonly backend: string;
  readonly models: readonly RetrievalScores[];
  readonly meta: RetrievalScores;
  readonly seconds: number;
}

async function loadIdx(dir: string | URL, file: string): Promise<Uint8Array> {
  const base = typeof dir === 'string' ? pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`) : dir;
  return (await readIdx(await readFile(new URL(file, base)))).data as Uint8Array;
}

/** Pixels normalised with Fashion-MNIST's mean and standard deviation (0.286, 0.353). */
function normalise(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i]! / 255 - 0.286) / 0.353;
  return out;
}

const describe = (m: RetrievalMetrics) =>
  `MAP@${m.k} ${(m.mapAtK * 100).toFixed(1)} %, precision@1 ${(m.precisionAt1 * 100).toFixed(1)} %` +
  (m.mapAtR === null ? '' : `, MAP@R ${(m.mapAtR * 100).toFixed(1)} %`);

/** Trains the embedding models with ArcFace and scores top-k retrieval of each and of their meta-embedding. */
export async function main(options: MainOptions = {}): Promise<MainResult> {
  const {
    dataDir = DEFAULT_DATA,
    trainLimit,
    testLimit,
    epochs = 5,
    embeddingSize = 64,
    k = 20,
    models = DEFAULT_MODELS,
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
  const trainImages = normalise(x!.subarray(0, nTrain * 784));
  const testImages = normalise(xTest!.subarray(0, nTest * 784));
  const trainLabels = Array.from(y!.subarray(0, nTrain));
  const testLabels = Array.from(yTest!.subarray(0, nTest));
  const trainIds = trainLabels.map((_, i) => `train-${i}`);
  const testIds = testLabels.map((_, i) => `test-${i}`);

  const references: Embeddings[] = [];
  const queries: Embeddings[] = [];
  const scores: RetrievalScores[] = [];
  for (const spec of models) {
    const backbone = createBackbone('simple-cnn', {
      inputSize: 28,
      inputChannels: 1,
      channels: spec.channels,
      seed: spec.seed,
    } as never);
    const embedder = createClassifier(backbone, { embeddingSize, pool: spec.pool, seed: spec.seed });
    const arcFace = new ArcFace({ embeddingSize, numClasses: 10, scale: 30, margin: 0.5, seed: spec.seed });
    const learner = new Learner({
      model: embedder.model,
      train: arrayBatches(trainImages, trainLabels, [28, 28, 1], {
        batchSize: 64,
        shuffle: true,
        seed: spec.seed,
      }),
      loss: arcFace,
      optimizer: adamW({ weightDecay: 1e-3 }),
      seed: spec.seed,
    });
    try {
      const t0 = performance.now();
      const { history } = await learner.fitOneCycle(epochs, 3e-3);
      const embed = async (images: Float32Array, ids: string[]) => {
        const p = await learner.predict(arrayBatches(images, undefined, [28, 28, 1], { batchSize: 250 }));
        return createEmbeddings(ids, p.columns, p.values);
      };
      const reference = await embed(trainImages, trainIds);
      const query = await embed(testImages, testIds);
      references.push(reference);
      queries.push(query);
      const metrics = evaluateRetrieval(new CosineKnnIndex(reference), query, testLabels, trainLabels, { k });
      scores.push({ name: spec.name, metrics });
      log(
        `${spec.name} (${embedder.model.countParams()} params, ArcFace loss ${Number(history.at(-1)?.loss).toFixed(3)}): ${describe(metrics)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } finally {
      learner.optimizer.dispose();
      arcFace.dispose();
      embedder.model.dispose();
    }
  }

  // Each model's vectors L2-normalised and concatenated: the cosine of two meta-embeddings is the mean cosine.
  const metaIndex = new CosineKnnIndex(metaEmbeddings(references));
  const meta: RetrievalScores = {
    name: 'meta-embedding',
    metrics: evaluateRetrieval(metaIndex, metaEmbeddings(queries), testLabels, trainLabels, { k }),
  };
  log(
    `meta-embedding of ${models.length} models (${metaIndex.references.dim} dims): ${describe(meta.metrics)}`,
  );
  const seconds = (performance.now() - start) / 1000;
  log(`${nTest} queries against ${nTrain} references, top ${k}, done in ${seconds.toFixed(1)} s`);
  return { backend: selection.backend, models: scores, meta, seconds };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
