import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { writeFileAtomic } from './checkpoint-io.js';
import type { Batch, BatchSource, Model } from './types.js';
import { checkOneOf, checkOptions, checkString, isPlainObject } from './validate.js';

/** Features computed once by {@link precomputeFeatures}, with their labels. */
export interface FeatureSet {
  /** Row-major `[count, dim]`. */
  readonly features: Float32Array;
  readonly count: number;
  readonly dim: number;
  /** int32 class indices (one per row), float32 targets (`labelWidth` per row), or none. */
  readonly labels: Int32Array | Float32Array | undefined;
  /** Values per row of float `labels` (1 for class indices). */
  readonly labelWidth: number;
  /** Sample ids in row order, when the batches carried them. */
  readonly ids: readonly string[] | undefined;
}

/** A test-time-augmentation view: a function of a batch of images (e.g. a horizontal flip). */
export type FeatureView = (images: tf.Tensor4D) => tf.Tensor4D;

/** Options of {@link precomputeFeatures}. */
export interface PrecomputeFeaturesOptions {
  /** Extra views of each batch besides the original (`@topk/augmentations`' TTA views fit). */
  readonly tta?: readonly FeatureView[];
  /**
   * `mean`: one row per image, the mean of its views' features. `expand`: one row per view, labels
   * repeated (augmented copies to train the head on).
   * @defaultValue 'mean'
   */
  readonly ttaMode?: 'mean' | 'expand';
  /**
   * Cache file prefix: `<cache>.bin` (float32 features then labels) and `<cache>.json` (metadata). An
   * existing cache with the same `cacheKey` is read instead of running the model.
   */
  readonly cache?: string;
  /** Identifies what the features were made from (model, weights, data version); a different key recomputes. */
  readonly cacheKey?: string;
}

interface CacheMeta {
  readonly format: 'topk-features';
  readonly version: 1;
  readonly key: string | null;
  readonly count: number;
  readonly dim: number;
  readonly labels: 'int32' | 'float32' | null;
  readonly labelWidth: number;
  readonly ids: readonly string[] | null;
}

async function readCache(prefix: string, key: string | undefined): Promise<FeatureSet | undefined> {
  const { readFile } = await import('node:fs/promises');
  let meta: CacheMeta;
  let bytes: Uint8Array;
  try {
    meta = JSON.parse(await readFile(`${prefix}.json`, 'utf8')) as CacheMeta;
    bytes = await readFile(`${prefix}.bin`);
  } catch {
    return undefined;
  }
  if (meta.format !== 'topk-features' || meta.version !== 1 || meta.key !== (key ?? null)) return undefined;
  const featureBytes = meta.count * meta.dim * 4;
  const labelBytes = meta.labels === null ? 0 : meta.count * meta.labelWidth * 4;
  if (bytes.byteLength !== featureBytes + labelBytes) return undefined;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const features = new Float32Array(buffer, 0, meta.count * meta.dim);
  const labelCount = meta.count * meta.labelWidth;
  const labels =
    meta.labels === 'int32'
      ? new Int32Array(buffer, featureBytes, labelCount)
      : meta.labels === 'float32'
        ? new Float32Array(buffer, featureBytes, labelCount)
        : undefined;
  return {
    features,
    count: meta.count,
    dim: meta.dim,
    labels,
    labelWidth: meta.labelWidth,
    ids: meta.ids ?? undefined,
  };
}

async function writeCache(prefix: string, key: string | undefined, set: FeatureSet): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await mkdir(dirname(prefix), { recursive: true });
  const labelBytes = set.labels === undefined ? 0 : set.labels.byteLength;
  const bytes = new Uint8Array(set.features.byteLength + labelBytes);
  bytes.set(new Uint8Array(set.features.buffer, set.features.byteOffset, set.features.byteLength));
  if (set.labels !== undefined) {
    bytes.set(
      new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength),
      set.features.byteLength,
    );
  }
  await writeFileAtomic(`${prefix}.bin`, bytes);
  const meta: CacheMeta = {
    format: 'topk-features',
    version: 1,
    key: key ?? null,
    count: set.count,
    dim: set.dim,
    labels: set.labels === undefined ? null : set.labels instanceof Int32Array ? 'int32' : 'float32',
    labelWidth: set.labelWidth,
    ids: set.ids === undefined ? null : [...set.ids],
  };
  // The JSON goes last: a cache whose JSON exists is whole.
  await writeFileAtomic(`${prefix}.json`, `${JSON.stringify(meta)}\n`);
}

function features(model: Model, images: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let y = model.apply(images, { training: false }) as tf.Tensor;
    if (y.rank === 4) y = tf.mean(y, [1, 2]);
    if (y.rank !== 2) y = tf.reshape(y, [y.shape[0]!, -1]);
    return y as tf.Tensor2D;
  });
}

/**
 * Precompute (fastai's `precompute=True`; the iMaterialist team's best single model trained a head on
 * cached Xception features and so saw ten times more data, field notes 000 and 004): runs a frozen
 * feature extractor once over the data, in inference mode, global-average-pooling a rank-4 output,
 * optionally over TTA views, and caches the result on disk. Train a head on it with
 * {@link trainHeadOnFeatures}.
 *
 * @param featureModel - the backbone, without its classifier.
 * @param data - the batches (consumed and disposed).
 */
export async function precomputeFeatures(
  featureModel: Model,
  data: BatchSource,
  options: PrecomputeFeaturesOptions = {},
): Promise<FeatureSet> {
  const fn = 'precomputeFeatures';
  if (typeof featureModel?.apply !== 'function') {
    throw new InvalidArgumentError(fn, 'featureModel', 'a tf.LayersModel', featureModel);
  }
  checkOptions(fn, options);
  const tta = options.tta ?? [];
  if (!Array.isArray(tta) || !tta.every((v) => typeof v === 'function')) {
    throw new InvalidArgumentError(fn, 'tta', 'an array of functions of a batch of images', tta);
  }
  const ttaMode = checkOneOf(fn, 'ttaMode', options.ttaMode ?? 'mean', ['mean', 'expand'] as const);
  const cache = options.cache === undefined ? undefined : checkString(fn, 'cache', options.cache);
  if (options.cacheKey !== undefined) checkString(fn, 'cacheKey', options.cacheKey);
  if (cache !== undefined) {
    const cached = await readCache(cache, options.cacheKey);
    if (cached !== undefined) return cached;
  }
  const rows: Float32Array[] = [];
  const labelRows: (Int32Array | Float32Array)[] = [];
  const ids: string[] = [];
  let allIds = true;
  let count = 0;
  let dim = -1;
  let labelKind: 'int32' | 'float32' | undefined;
  let labelWidth = 1;
  const views: FeatureView[] = [(x) => x, ...tta];
  for await (const batch of data as AsyncIterable<Batch>) {
    try {
      if (!isPlainObject(batch) && (typeof batch !== 'object' || batch === null)) {
        throw new InvalidArgumentError(fn, 'batch', 'an object { images, labels }', batch);
      }
      const { images, labels } = batch;
      if (!(images instanceof tf.Tensor) || images.rank !== 4) {
        throw new InvalidArgumentError(fn, 'batch.images', 'a rank-4 tensor [N, H, W, C]', images);
      }
      const n = images.shape[0]!;
      const perView = views.map((view) =>
        tf.tidy(() => {
          const viewed = view(images as tf.Tensor4D);
          return features(featureModel, viewed);
        }),
      );
      const combined =
        ttaMode === 'mean'
          ? [
              tf.tidy(() =>
                perView.length === 1 ? tf.clone(perView[0]!) : tf.div(tf.addN(perView), perView.length),
              ),
            ]
          : perView.map((t) => tf.clone(t));
      tf.dispose(perView);
      for (const t of combined) {
        const [rowsInView, d] = t.shape as [number, number];
        if (dim !== -1 && d !== dim)
          throw new InvalidArgumentError(fn, 'featureModel output', `${dim} features`, d);
        dim = d;
        rows.push((await t.data()) as Float32Array);
        count += rowsInView;
      }
      tf.dispose(combined);
      const copies = combined.length;
      if (labels !== undefined) {
        const kind = labels.dtype === 'int32' ? 'int32' : 'float32';
        if (labelKind !== undefined && kind !== labelKind) {
          throw new InvalidArgumentError(fn, 'batch.labels', `${labelKind} labels in every batch`, labels);
        }
        labelKind = kind;
        labelWidth = labels.rank === 2 ? labels.shape[1]! : 1;
        const values = (await labels.data()) as Int32Array | Float32Array;
        for (let c = 0; c < copies; c++)
          labelRows.push(kind === 'int32' ? Int32Array.from(values) : Float32Array.from(values));
      }
      if (batch.ids !== undefined && batch.ids.length === n) {
        for (let c = 0; c < copies; c++) ids.push(...batch.ids);
      } else {
        allIds = false;
      }
    } finally {
      (batch as Batch | undefined)?.images?.dispose?.();
      (batch as Batch | undefined)?.labels?.dispose?.();
    }
  }
  if (count === 0) throw new InvalidArgumentError(fn, 'data', 'at least one batch', 'no batches');
  const all = new Float32Array(count * dim);
  let offset = 0;
  for (const r of rows) {
    all.set(r, offset);
    offset += r.length;
  }
  let labels: Int32Array | Float32Array | undefined;
  if (labelKind !== undefined) {
    const total = labelRows.reduce((s, r) => s + r.length, 0);
    if (total !== count * labelWidth) {
      throw new InvalidArgumentError(
        fn,
        'batch.labels',
        'labels in every batch',
        'some batches without labels',
      );
    }
    labels = labelKind === 'int32' ? new Int32Array(total) : new Float32Array(total);
    let at = 0;
    for (const r of labelRows) {
      labels.set(r, at);
      at += r.length;
    }
  }
  const set: FeatureSet = { features: all, count, dim, labels, labelWidth, ids: allIds ? ids : undefined };
  if (cache !== undefined) await writeCache(cache, options.cacheKey, set);
  return set;
}
