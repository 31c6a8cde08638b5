import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import type { Classifier, PoolType } from './classifier.js';
import type { Backbone } from './types.js';
import { positiveInt } from './validate.js';

/** Options of {@link forwardFeatures}. */
export interface ForwardFeaturesOptions {
  /**
   * Images per forward pass.
   * @defaultValue 32
   */
  readonly batchSize?: number;
  /**
   * Pooling of a backbone's feature map (a classifier uses its own head's pooling).
   * @defaultValue 'avg'
   */
  readonly pool?: PoolType;
  /**
   * `'pooled'`: the pooled backbone features; `'embedding'`: the output of a classifier's
   * `head_embedding` layer.
   * @defaultValue 'pooled'
   */
  readonly output?: 'pooled' | 'embedding';
}

const subModels = new WeakMap<tfl.LayersModel, Map<string, tfl.LayersModel>>();

/** A model sharing `model`'s layers that stops at `layerName`'s output; cached per model. */
function truncated(model: tfl.LayersModel, layerName: string): tfl.LayersModel {
  let cache = subModels.get(model);
  if (cache === undefined) {
    cache = new Map();
    subModels.set(model, cache);
  }
  let sub = cache.get(layerName);
  if (sub === undefined) {
    const output = model.getLayer(layerName).output as tfl.SymbolicTensor;
    sub = tfl.model({ inputs: model.inputs, outputs: output, name: `${model.name}_${layerName}` });
    cache.set(layerName, sub);
  }
  return sub;
}

function pool(features: tf.Tensor4D, type: PoolType): tf.Tensor2D {
  const avg = (): tf.Tensor2D => tf.mean(features, [1, 2]) as tf.Tensor2D;
  const max = (): tf.Tensor2D => tf.max(features, [1, 2]) as tf.Tensor2D;
  if (type === 'avg') return avg();
  if (type === 'max') return max();
  return tf.concat([max(), avg()], 1);
}

/**
 * Runs images through a backbone or classifier in inference mode and returns pooled features
 * `[N, numFeatures]` (or a classifier's embeddings): what fastai's precompute caches to train a head
 * alone, and what meta-embeddings concatenate across models (`tf.concat([fa, fb], 1)`). Works through
 * the images `batchSize` at a time; the caller owns the returned tensor.
 */
export function forwardFeatures(
  m: Backbone | Classifier,
  images: tf.Tensor4D,
  options: ForwardFeaturesOptions = {},
): tf.Tensor2D {
  const fn = 'forwardFeatures';
  if (typeof m !== 'object' || m === null || (m.kind !== 'backbone' && m.kind !== 'classifier')) {
    throw new InvalidArgumentError(fn, 'model', 'a backbone or classifier', m);
  }
  const [, height, width, channels] = m.model.inputs[0]!.shape;
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new InvalidArgumentError(fn, 'images', 'a rank-4 tensor [N, H, W, C]', images);
  }
  const expected = [height, width, channels];
  if (images.shape.slice(1).some((d, i) => expected[i] !== null && expected[i] !== d)) {
    throw new InvalidArgumentError(fn, 'images', `of shape [N, ${expected.join(', ')}]`, images);
  }
  const batchSize = positiveInt(fn, 'options.batchSize', options.batchSize, 32);
  const output = options.output ?? 'pooled';
  if (output !== 'pooled' && output !== 'embedding') {
    throw new InvalidArgumentError(fn, 'options.output', '"pooled" or "embedding"', output);
  }
  const poolType = options.pool ?? 'avg';
  if (!['avg', 'max', 'concat'].includes(poolType)) {
    throw new InvalidArgumentError(fn, 'options.pool', 'one of avg, max, concat', poolType);
  }
  let run: (batch: tf.Tensor4D) => tf.Tensor2D;
  if (m.kind === 'backbone') {
    if (output === 'embedding') {
      throw new InvalidArgumentError(
        fn,
        'options.output',
        '"pooled" for a backbone (it has no embedding)',
        output,
      );
    }
    run = (batch) => pool(m.model.predict(batch) as tf.Tensor4D, poolType);
  } else {
    if (output === 'embedding' && m.head.embeddingSize === null) {
      throw new InvalidArgumentError(
        fn,
        'options.output',
        '"pooled" for a classifier without embedding',
        output,
      );
    }
    const sub = truncated(m.model, output === 'embedding' ? 'head_embedding' : 'head_pool');
    run = (batch) => sub.predict(batch) as tf.Tensor2D;
  }
  const n = images.shape[0];
  if (n <= batchSize) return tf.tidy(() => run(images));
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(tf.tidy(() => run(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]))));
    }
    return tf.concat(parts, 0);
  } finally {
    for (const part of parts) part.dispose();
  }
}
