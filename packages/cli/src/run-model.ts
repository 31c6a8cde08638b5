// What the training commands share: the run directory's config, building and loading the model, turning
// a dataset into the Learner's per-epoch batches (decode, augment, mixup, normalise) and predicting.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '@topk/backbones';
import { type BackendSelection, fuseForInference, type InferenceModel, Rng } from '@topk/core';
import type { Dataset } from '@topk/data-pipeline';
import type { Embeddings } from '@topk/ensembling';
import type { Batch, Callback, EpochData } from '@topk/training';
import { writeOutputFile } from './cli-files.js';
import type { CliIo } from './cli-io.js';
import { createProgressBar } from './progress-bar.js';
import { UsageError } from './usage-error.js';

/** The `config.json` of a run directory: everything `predict` and `embed` need to use the model. */
export interface RunConfig {
  readonly format: 'topk-run';
  readonly version: 1;
  /** Registry name of the backbone. */
  readonly backbone: string;
  /** Backbone options besides size, channels and seed (e.g. `simple-cnn`'s `channels`). */
  readonly backboneOptions: Readonly<Record<string, unknown>>;
  /** Head options of `createClassifier` besides the class count. */
  readonly head: Readonly<Record<string, unknown>>;
  /** Model input `[height, width]`. */
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
  /** Class names in output order (the vocabulary). */
  readonly classes: readonly string[];
  readonly multiLabel: boolean;
  /** Normalisation, per channel, in [0, 1] pixel units. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly seed: number;
  /** The loss trained with. */
  readonly loss: string;
  /**
   * An ArcFace run (`--loss arcface`): the model outputs embeddings and the class centres live in the run
   * directory; absent for every other run.
   */
  readonly arcFace?: ArcFaceRunConfig;
}

/** How an ArcFace run scores classes: `softmax(scale · cos θ)` between embeddings and class centres. */
export interface ArcFaceRunConfig {
  /** The logit scale s, used for training and prediction. */
  readonly scale: number;
  /** The additive angular margin m in radians (training only; prediction uses no margin). */
  readonly margin: number;
  /** Width of the model's embedding (`head_embedding`). */
  readonly embeddingSize: number;
  /**
   * File in the run directory holding the class centres: little-endian float32, shape
   * `[embeddingSize, classes]` row-major (column c is class c's centre).
   */
  readonly centres: string;
}

/** A run's model; an ArcFace run's carries its class centres. */
export interface RunClassifier extends Classifier {
  /** The class centres of an ArcFace run, `[embeddingSize, classes]` row-major. */
  readonly arcFaceCentres?: Float32Array;
}

/** `config.json` of a run directory, checked; a {@link UsageError} naming `--model` when it is not one. */
export async function readRunConfig(runDir: string, shown: string): Promise<RunConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--model ${shown}: not a topk run directory (config.json: ${(error as Error).message})`,
      {
        hint: false,
      },
    );
  }
  const c = parsed as Partial<RunConfig>;
  const ok =
    c?.format === 'topk-run' &&
    c.version === 1 &&
    typeof c.backbone === 'string' &&
    Array.isArray(c.size) &&
    Array.isArray(c.classes) &&
    c.classes.length > 0 &&
    (c.channels === 1 || c.channels === 3) &&
    Array.isArray(c.mean) &&
    Array.isArray(c.std);
  if (!ok) {
    throw new UsageError(`--model ${shown}: config.json is not a topk run config (format "topk-run")`, {
      hint: false,
    });
  }
  const a = c.arcFace as Partial<ArcFaceRunConfig> | undefined;
  if (
    a !== undefined &&
    !(
      typeof a.scale === 'number' &&
      a.scale > 0 &&
      typeof a.margin === 'number' &&
      Number.isSafeInteger(a.embeddingSize) &&
      (a.embeddingSize ?? 0) > 0 &&
      typeof a.centres === 'string' &&
      /^[\w.-]+$/.test(a.centres)
    )
  ) {
    throw new UsageError(`--model ${shown}: config.json has a malformed arcFace section`, { hint: false });
  }
  return c as RunConfig;
}

/** Writes an ArcFace run's class centres (`[embeddingSize, classes]`, row-major) as little-endian float32. */
export async function writeArcFaceCentres(path: string, centres: Float32Array): Promise<void> {
  const bytes = new Uint8Array(centres.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < centres.length; i++) view.setFloat32(i * 4, centres[i]!, true);
  await writeFile(path, bytes);
}

/** Reads the class centres {@link writeArcFaceCentres} wrote; `undefined` when the file does not exist. */
export async function readArcFaceCentres(path: string): Promise<Float32Array | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const centres = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < centres.length; i++) centres[i] = view.getFloat32(i * 4, true);
  return bytes.byteLength % 4 === 0 ? centres : undefined;
}

/**
 * ArcFace class scores `scale · cos θ` of embeddings `[N, E]` against class centres `[E, C]`, shape
 * `[N, C]`: both sides L2-normalised, no margin (`ArcFace.logits` of `@topk/losses`).
 */
export function arcFaceLogits(
  tfc: typeof tf,
  embeddings: tf.Tensor2D,
  centres: tf.Tensor2D,
  scale: number,
): tf.Tensor2D {
  return tfc.tidy(() => {
    // The 1e-24 floor on the squared norm is torch.nn.functional.normalize's eps of 1e-12, as in @topk/losses.
    const rows = tfc.mul(embeddings, tfc.rsqrt(tfc.maximum(tfc.sum(tfc.square(embeddings), 1, true), 1e-24)));
    const columns = tfc.mul(centres, tfc.rsqrt(tfc.maximum(tfc.sum(tfc.square(centres), 0, true), 1e-24)));
    return tfc.mul(tfc.matMul(rows, columns), scale) as tf.Tensor2D;
  });
}

/** Writes `config.json` into the run directory. */
export function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  return writeOutputFile(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Activates the backend (`auto` picks the fastest that trains here) and registers topk's kernels. */
export async function activateBackend(
  backend: string,
  purpose: 'train' | 'predict',
): Promise<BackendSelection> {
  const { selectBackend } = await import('@topk/core');
  return selectBackend({ backend: backend as never, purpose });
}

/** The first line of the backend report: `backend: wasm (for train, node, 2 threads)`. */
export async function backendLine(selection: BackendSelection): Promise<string> {
  const { formatBackendSelection } = await import('@topk/core');
  return formatBackendSelection(selection).split('\n')[0]!;
}

/** A fresh classifier for a run config: logits out, or the embedding of an ArcFace run. */
export async function buildClassifier(config: RunConfig): Promise<Classifier> {
  const { createBackbone, createClassifier } = await import('@topk/backbones');
  const backbone = createBackbone(config.backbone, {
    ...config.backboneOptions,
    inputSize: [config.size[0], config.size[1]],
    inputChannels: config.channels,
    seed: config.seed,
  } as never);
  if (config.arcFace) {
    return createClassifier(backbone, {
      ...config.head,
      embeddingSize: config.arcFace.embeddingSize,
      seed: config.seed,
    } as never);
  }
  return createClassifier(backbone, {
    ...config.head,
    numClasses: config.classes.length,
    logits: true,
    seed: config.seed,
  } as never);
}

/** The model saved in a run directory, with an ArcFace run's class centres. */
export async function loadRunModel(runDir: string, shown: string): Promise<RunClassifier> {
  const { loadModel } = await import('@topk/backbones');
  let loaded: Awaited<ReturnType<typeof loadModel>>;
  try {
    loaded = await loadModel(join(runDir, 'model'));
  } catch (error) {
    throw new UsageError(`--model ${shown}: cannot load model/ (${(error as Error).message})`, {
      hint: false,
    });
  }
  if (loaded.kind !== 'classifier') {
    loaded.model.dispose();
    throw new UsageError(`--model ${shown}: model/ holds a ${loaded.kind}, not a classifier`, {
      hint: false,
    });
  }
  const { arcFace, classes } = await readRunConfig(runDir, shown);
  if (arcFace === undefined) return loaded;
  const centres = await readArcFaceCentres(join(runDir, arcFace.centres));
  if (centres?.length !== arcFace.embeddingSize * classes.length || loaded.head.embeddingSize === null) {
    loaded.model.dispose();
    throw new UsageError(
      `--model ${shown}: ${arcFace.centres} must hold ${arcFace.embeddingSize} x ${classes.length} float32 class centres for an embedding model`,
      { hint: false },
    );
  }
  return { ...loaded, arcFaceCentres: centres };
}

/** Training augmentation presets of `--augment`. */
export const AUGMENT_PRESETS = ['none', 'light', 'standard', 'heavy'] as const;
/** A value of `--augment`. */
export type AugmentPreset = (typeof AUGMENT_PRESETS)[number];

/** Options of {@link datasetBatches}. */
export interface DatasetBatchesOptions {
  readonly config: RunConfig;
  readonly batchSize: number;
  /** Shuffle each epoch (seeded by the epoch's rng) and apply the augmentation. */
  readonly training: boolean;
  readonly augment?: AugmentPreset;
  /** Mixup alpha; 0 for none. */
  readonly mixup?: number;
  /** Cutmix alpha; 0 for none. */
  readonly cutmix?: number;
  readonly workers?: number;
  /** Called with the number of batches done, per epoch. */
  readonly onBatch?: (done: number, total: number) => void;
}

/**
 * The Learner's per-epoch data from a dataset: the data pipeline decodes and resizes (shuffled from the
 * epoch's rng when training), then the augmentation preset, mixup or cutmix run on [0, 1] pixels, then
 * the run's normalisation. Every batch's order and random draws derive from the epoch's `Rng`, so a
 * resumed run replays them exactly.
 */
export async function datasetBatches(dataset: Dataset, options: DatasetBatchesOptions): Promise<EpochData> {
  const { config, batchSize, training, augment = 'none', mixup = 0, cutmix = 0, workers, onBatch } = options;
  const tf = await import('@tensorflow/tfjs-core');
  const pipeline = await import('@topk/data-pipeline');
  const augmentations = await import('@topk/augmentations');
  const transform =
    training && augment !== 'none'
      ? { light: augmentations.light, standard: augmentations.standard, heavy: augmentations.heavy }[
          augment
        ]()
      : undefined;
  const numClasses = config.classes.length;
  const batchesPerEpoch = Math.ceil(dataset.items.length / batchSize);
  const data = (epoch: number, rng: Rng) => {
    const sampler = training
      ? pipeline.shuffledSampler(dataset.items.length, { rng: rng.split('sampler') })
      : pipeline.sequentialSampler(dataset.items.length);
    const stream = pipeline.createBatchStream(dataset, {
      batchSize,
      resize: { size: [config.size[0], config.size[1]] },
      channels: config.channels,
      sampler,
      ...(workers !== undefined ? { workers } : {}),
    });
    const mean = tf.tensor1d([...config.mean]);
    const std = tf.tensor1d([...config.std]);
    const augmentRng = rng.split('augment');
    async function* batches(): AsyncGenerator<Batch> {
      let done = 0;
      try {
        for await (const batch of stream.epoch(epoch)) {
          let images = batch.images as tf.Tensor4D;
          let labels = batch.labels;
          if (transform) {
            const out = transform.apply(images, augmentRng).images as tf.Tensor4D;
            if (out !== images) images.dispose();
            images = out;
          }
          if (training && labels && (mixup > 0 || cutmix > 0)) {
            if (labels.dtype === 'int32') {
              const indices = labels;
              labels = tf.tidy(() => tf.oneHot(indices as tf.Tensor1D, numClasses, 1, 0, 'float32'));
              indices.dispose();
            }
            const useCutmix = cutmix > 0 && (mixup === 0 || augmentRng.next() < 0.5);
            const mix = useCutmix
              ? augmentations.cutmix(images, labels, augmentRng, { alpha: cutmix })
              : augmentations.mixup(images, labels, augmentRng, { alpha: mixup });
            tf.dispose([images, labels]);
            images = mix.images as tf.Tensor4D;
            labels = mix.targets;
          }
          const normalised = tf.tidy(() => tf.div(tf.sub(images, mean), std));
          images.dispose();
          done++;
          onBatch?.(done, batchesPerEpoch);
          yield {
            images: normalised,
            ...(labels ? { labels } : {}),
            ids: [...batch.ids],
          };
        }
      } finally {
        tf.dispose([mean, std]);
        await stream.close();
      }
    }
    return batches();
  };
  return Object.assign(data, { batchesPerEpoch });
}

/** Options of {@link predictDataset}. */
export interface PredictDatasetOptions {
  readonly batchSize: number;
  /** Average the image and its left-right mirror. */
  readonly tta?: boolean;
  readonly workers?: number;
  readonly onBatch?: (done: number, total: number) => void;
}

const plans = new WeakMap<Classifier['model'], InferenceModel>();

/**
 * One inference plan per loaded model (`fuseForInference` of `@topk/core`: batch-norm folded into the
 * convolutions), kept as long as the model: a loaded run's weights do not change.
 */
function inferencePlan(model: Classifier['model']): InferenceModel {
  let plan = plans.get(model);
  if (plan === undefined) {
    plan = fuseForInference(model);
    plans.set(model, plan);
  }
  return plan;
}

/** Disposes of a loaded run's model together with the inference plan {@link runProbabilities} made of it. */
export function disposeRunModel(model: Classifier['model']): void {
  plans.get(model)?.dispose();
  plans.delete(model);
  model.dispose();
}

/**
 * The run's prediction function on normalised images `[N, H, W, C]`: probabilities (softmax, or sigmoid
 * for multi-label; for an ArcFace run softmax of `scale · cos θ` to the class centres, no margin),
 * row-major, averaged with the left-right mirror when `tta` (`tta` of `@topk/augmentations`, `flips`).
 * `topk predict` and the cluster workers both predict with it.
 */
export async function runProbabilities(
  classifier: RunClassifier,
  config: RunConfig,
  options: { readonly tta?: boolean } = {},
): Promise<(images: tf.Tensor4D) => Promise<Float32Array>> {
  const tf = await import('@tensorflow/tfjs-core');
  const { tta } = await import('@topk/augmentations');
  const { arcFace } = config;
  const centres = classifier.arcFaceCentres;
  if (arcFace !== undefined && centres === undefined) {
    throw new TypeError(
      'runProbabilities: an ArcFace run needs the classifier of loadRunModel (with its centres)',
    );
  }
  const plan = inferencePlan(classifier.model);
  const probabilities = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const outputs = plan.predict(x) as tf.Tensor;
      if (arcFace !== undefined && centres !== undefined) {
        const c = tf.tensor2d(centres, [arcFace.embeddingSize, config.classes.length]);
        return tf.softmax(arcFaceLogits(tf, outputs as tf.Tensor2D, c, arcFace.scale));
      }
      return config.multiLabel ? tf.sigmoid(outputs) : tf.softmax(outputs);
    });
  return async (images) => {
    const probs = options.tta
      ? (await tta(images, probabilities, { kind: 'flips' })).probabilities
      : probabilities(images);
    try {
      return (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
  };
}

/**
 * Decoded images (bytes, already resized to the run's size) as the normalised batch
 * {@link datasetBatches} makes of them: `pixel / 255`, then `(x - mean) / std` per channel.
 */
export async function normalisedImages(
  images: readonly { readonly data: Uint8Array }[],
  config: RunConfig,
): Promise<tf.Tensor4D> {
  const tf = await import('@tensorflow/tfjs-core');
  const [height, width] = config.size;
  const per = height * width * config.channels;
  const data = new Float32Array(images.length * per);
  images.forEach((image, i) => {
    if (image.data.length !== per) {
      throw new TypeError(
        `an image of ${image.data.length} bytes, expected ${height}x${width}x${config.channels}`,
      );
    }
    for (let k = 0; k < per; k++) data[i * per + k] = image.data[k]! * (1 / 255);
  });
  return tf.tidy(() => {
    const x = tf.tensor4d(data, [images.length, height, width, config.channels], 'float32');
    return tf.div(tf.sub(x, tf.tensor1d([...config.mean])), tf.tensor1d([...config.std])) as tf.Tensor4D;
  });
}

/** Probabilities ({@link runProbabilities}) of every image, row-major, with the ids in order. */
export async function predictDataset(
  classifier: RunClassifier,
  config: RunConfig,
  dataset: Dataset,
  options: PredictDatasetOptions,
): Promise<{ readonly ids: string[]; readonly values: Float32Array }> {
  const tf = await import('@tensorflow/tfjs-core');
  const data = await datasetBatches(dataset, {
    config,
    batchSize: options.batchSize,
    training: false,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  const predict = await runProbabilities(classifier, config, { tta: options.tta ?? false });
  const ids: string[] = [];
  const chunks: Float32Array[] = [];
  for await (const batch of data(0, new Rng(config.seed))) {
    try {
      chunks.push(await predict(batch.images as tf.Tensor4D));
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
    ids.push(...(batch.ids ?? []));
  }
  const values = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    values.set(chunk, offset);
    offset += chunk.length;
  }
  return { ids, values };
}

/** Options of {@link embedDataset}. */
export interface EmbedDatasetOptions {
  readonly batchSize: number;
  /** `pooled`: the head's pooled backbone features; `embedding`: its `head_embedding` layer. */
  readonly layer: 'pooled' | 'embedding';
  /** Divide each vector by its L2 norm (an ArcFace run's embeddings: the space its cosines live in). */
  readonly normalise?: boolean;
  readonly workers?: number;
  readonly onBatch?: (done: number, total: number) => void;
}

/**
 * The pooled features (`forwardFeatures` of `@topk/backbones`) of every image, in dataset order, with
 * the images resized and normalised exactly as {@link predictDataset} does.
 */
export async function embedDataset(
  classifier: Classifier,
  config: RunConfig,
  dataset: Dataset,
  options: EmbedDatasetOptions,
): Promise<Embeddings> {
  const tf = await import('@tensorflow/tfjs-core');
  const { forwardFeatures } = await import('@topk/backbones');
  const { createEmbeddings } = await import('@topk/ensembling');
  const data = await datasetBatches(dataset, {
    config,
    batchSize: options.batchSize,
    training: false,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  const ids: string[] = [];
  const chunks: Float32Array[] = [];
  let dim = classifier.numFeatures;
  for await (const batch of data(0, new Rng(config.seed))) {
    const raw = forwardFeatures(classifier, batch.images as tf.Tensor4D, {
      batchSize: options.batchSize,
      output: options.layer,
    });
    const features = options.normalise
      ? tf.tidy(() => tf.mul(raw, tf.rsqrt(tf.maximum(tf.sum(tf.square(raw), 1, true), 1e-24))))
      : raw;
    if (features !== raw) raw.dispose();
    dim = features.shape[1]!;
    chunks.push((await features.data()) as Float32Array);
    tf.dispose([features, batch.images, batch.labels]);
    ids.push(...(batch.ids ?? []));
  }
  const vectors = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    vectors.set(chunk, offset);
    offset += chunk.length;
  }
  return createEmbeddings(ids, dim, vectors);
}

/**
 * A callback drawing one progress bar per epoch on stderr (a terminal only) and, unless `quiet`, printing
 * one line per epoch on stdout: loss, validation loss and metric, images per second.
 */
export function epochReporter(
  io: CliIo,
  options: { readonly quiet: boolean; readonly validName: string },
): Callback {
  let bar = createProgressBar(io.stderr, { label: 'epoch', total: 1, now: io.now });
  return {
    name: 'cli-epoch-reporter',
    order: 45,
    onEpochBegin({ epoch, epochs, batchesPerEpoch }) {
      bar = createProgressBar(io.stderr, {
        label: `epoch ${epoch + 1}/${epochs}`,
        total: batchesPerEpoch ?? 0,
        now: io.now,
      });
    },
    onBatchEnd({ batch }) {
      bar.update(batch);
    },
    onEpochEnd({ logs, epochs }) {
      bar.finish();
      if (options.quiet) return;
      const parts = [`epoch ${Number(logs.epoch) + 1}/${epochs}`, `loss ${Number(logs.loss).toFixed(4)}`];
      const v = options.validName;
      if (logs.valid_loss !== undefined) parts.push(`${v} loss ${Number(logs.valid_loss).toFixed(4)}`);
      if (logs.valid_accuracy !== undefined)
        parts.push(`${v} accuracy ${Number(logs.valid_accuracy).toFixed(4)}`);
      if (logs.valid_f1 !== undefined) parts.push(`${v} micro-F1 ${Number(logs.valid_f1).toFixed(4)}`);
      if (logs.imagesPerSecond !== undefined) parts.push(`${Math.round(Number(logs.imagesPerSecond))} img/s`);
      if (logs.frozen === 1) parts.push('(head only, backbone frozen)');
      io.stdout.write(`${parts.join('  ')}\n`);
    },
  };
}
