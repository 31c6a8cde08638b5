import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { guardFrozenBatchNorm } from './freezing.js';
import { GraphBuilder } from './graph-builder.js';
import { createBackbone } from './registry.js';
import type { Backbone, BackboneConfig, DataConfig, GroupedModel } from './types.js';
import { bool, numberInRange, positiveInt } from './validate.js';

type Tensor = tfl.SymbolicTensor;

/** How the feature map is pooled: average, max, or both concatenated (fastai's `AdaptiveConcatPool2d`). */
export type PoolType = 'avg' | 'max' | 'concat';

/** Options of the layers after pooling, shared by {@link createClassifier} and {@link createHead}. */
export interface HeadOptions {
  /** Output classes; omit for an embedding-only head (then `embeddingSize` is required). */
  readonly numClasses?: number;
  /**
   * Width of a linear embedding layer (`head_embedding`) before the classifier, for ArcFace-style
   * metric learning and retrieval; with no `numClasses` the head outputs the embedding.
   */
  readonly embeddingSize?: number;
  /**
   * Widths of hidden ReLU layers between the pooled features and the output (fastai's `lin_ftrs`).
   * @defaultValue []
   */
  readonly hiddenUnits?: readonly number[];
  /**
   * Dropout before each linear layer (fastai's `ps`): one number gives the last layer `ps` and the
   * hidden ones `ps / 2`, as fastai does; an array gives one rate per linear layer.
   * @defaultValue 0
   */
  readonly dropout?: number | readonly number[];
  /**
   * Batch-norm before each dropout + linear layer, as in fastai's `create_head`.
   * @defaultValue false
   */
  readonly batchNorm?: boolean;
  /**
   * Independent sigmoid outputs (multi-label, for binary cross-entropy) instead of a softmax.
   * @defaultValue false
   */
  readonly multiLabel?: boolean;
  /**
   * Output raw logits (no softmax or sigmoid), for losses that take logits.
   * @defaultValue false
   */
  readonly logits?: boolean;
  /**
   * Seed of the head's initializers and dropout masks.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/** Options of {@link createClassifier}. */
export interface ClassifierOptions extends HeadOptions {
  /** @defaultValue 'avg' */
  readonly pool?: PoolType;
}

/** A head's options with every default filled in; plain JSON. */
export interface HeadConfig {
  /** Width of the head's input: the pooled features. */
  readonly numFeatures: number;
  readonly numClasses: number | null;
  readonly embeddingSize: number | null;
  readonly hiddenUnits: readonly number[];
  /** Dropout rate before each linear layer (hidden layers, then the embedding or classifier). */
  readonly dropout: readonly number[];
  readonly batchNorm: boolean;
  readonly multiLabel: boolean;
  readonly logits: boolean;
  readonly seed: number;
  /** Pooling of a classifier's feature map; `null` for a standalone head. */
  readonly pool: PoolType | null;
}

/** Plain-JSON recipe of a classifier: {@link classifierFromConfig} rebuilds it (with fresh weights). */
export interface ClassifierConfig {
  readonly backbone: BackboneConfig;
  readonly head: HeadConfig;
}

/**
 * A backbone with a pooling head: `model` maps images to class probabilities (softmax, or sigmoid when
 * `multiLabel`), logits, or an embedding. Its layer groups are the backbone's followed by `head`.
 */
export interface Classifier extends GroupedModel {
  readonly kind: 'classifier';
  readonly backbone: BackboneConfig;
  readonly dataConfig: DataConfig;
  readonly head: HeadConfig;
  /** Width of the pooled features ({@link forwardFeatures}'s output). */
  readonly numFeatures: number;
  /** What `model` outputs. */
  readonly output: 'probabilities' | 'logits' | 'embedding';
  readonly config: ClassifierConfig;
}

/**
 * A standalone head on pooled features (input `head_input`, `[N, numFeatures]`), for training on
 * precomputed features; its layer names match a classifier's head, so {@link loadPretrained} moves its
 * weights onto a classifier built with the same options.
 */
export interface HeadModel extends GroupedModel {
  readonly kind: 'head';
  readonly head: HeadConfig;
}

const POOLS: readonly PoolType[] = ['avg', 'max', 'concat'];

/** Resolves and checks head options (`fn` names the public caller in errors). */
export function resolveHead(
  fn: string,
  numFeatures: number,
  options: HeadOptions,
  pool: PoolType | null,
): HeadConfig {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  const numClasses =
    options.numClasses === undefined ? null : positiveInt(fn, 'options.numClasses', options.numClasses);
  const embeddingSize =
    options.embeddingSize === undefined
      ? null
      : positiveInt(fn, 'options.embeddingSize', options.embeddingSize);
  if (numClasses === null && embeddingSize === null) {
    throw new InvalidArgumentError(
      fn,
      'options.numClasses',
      'a positive integer (or give embeddingSize)',
      undefined,
    );
  }
  const hidden = options.hiddenUnits ?? [];
  if (!Array.isArray(hidden)) throw new InvalidArgumentError(fn, 'options.hiddenUnits', 'an array', hidden);
  const hiddenUnits = hidden.map((units, i) => positiveInt(fn, `options.hiddenUnits[${i}]`, units));
  const blocks = hiddenUnits.length + 1;
  const ps = options.dropout ?? 0;
  let dropout: number[];
  if (typeof ps === 'number') {
    const p = numberInRange(fn, 'options.dropout', ps, 0, 1, 0);
    dropout = [...Array.from({ length: blocks - 1 }, () => p / 2), p];
  } else if (Array.isArray(ps) && ps.length === blocks) {
    dropout = ps.map((p, i) => numberInRange(fn, `options.dropout[${i}]`, p, 0, 1, 0));
  } else {
    throw new InvalidArgumentError(
      fn,
      'options.dropout',
      `a rate in [0, 1) or an array of ${blocks} rates`,
      ps,
    );
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(fn, 'options.seed', 'a safe integer', seed);
  }
  return {
    numFeatures,
    numClasses,
    embeddingSize,
    hiddenUnits,
    dropout,
    batchNorm: bool(fn, 'options.batchNorm', options.batchNorm, false),
    multiLabel: bool(fn, 'options.multiLabel', options.multiLabel, false),
    logits: bool(fn, 'options.logits', options.logits, false),
    seed,
    pool,
  };
}

function linearBlock(b: GraphBuilder, x: Tensor, head: HeadConfig, index: number, suffix: string): Tensor {
  if (head.batchNorm) x = b.bn(x, `head_bn${suffix}`, { epsilon: 1e-5, momentum: 0.9 });
  const rate = head.dropout[index]!;
  if (rate > 0) x = b.dropout(x, `head_dropout${suffix}`, rate);
  return x;
}

/** Applies the head's layers to pooled features `x`. */
function applyHead(b: GraphBuilder, x: Tensor, head: HeadConfig): Tensor {
  head.hiddenUnits.forEach((units, i) => {
    x = linearBlock(b, x, head, i, String(i + 1));
    x = b.dense(x, `head_dense${i + 1}`, units, 'relu');
  });
  x = linearBlock(b, x, head, head.hiddenUnits.length, '');
  if (head.embeddingSize !== null) x = b.dense(x, 'head_embedding', head.embeddingSize, 'linear');
  if (head.numClasses !== null) {
    const activation = head.logits ? 'linear' : head.multiLabel ? 'sigmoid' : 'softmax';
    x = b.dense(x, 'predictions', head.numClasses, activation);
  }
  return x;
}

function outputKind(head: HeadConfig): Classifier['output'] {
  if (head.numClasses === null) return 'embedding';
  return head.logits ? 'logits' : 'probabilities';
}

function checkBackbone(fn: string, backbone: Backbone): void {
  if (
    typeof backbone !== 'object' ||
    backbone === null ||
    backbone.kind !== 'backbone' ||
    !(backbone.model instanceof tfl.LayersModel)
  ) {
    throw new InvalidArgumentError(fn, 'backbone', 'a backbone from createBackbone', backbone);
  }
}

/**
 * Puts a pooling head on a backbone: pool (`avg`, `max`, or fastai's `concat` of max and average) →
 * [batch-norm → dropout → dense → ReLU] per hidden layer → [batch-norm → dropout] → optional embedding →
 * classifier. With no options beyond `numClasses` it is timm's head (average pool and one dense layer).
 * The classifier shares the backbone's layers and weights.
 *
 * @example
 * ```ts
 * // fastai's default head on a ResNet-34, 10 classes, dropout 0.2 on the last layer:
 * const net = createClassifier(createBackbone('resnet34'), {
 *   numClasses: 10, pool: 'concat', hiddenUnits: [512], batchNorm: true, dropout: 0.2,
 * });
 * ```
 */
export function createClassifier(backbone: Backbone, options: ClassifierOptions): Classifier {
  checkBackbone('createClassifier', backbone);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('createClassifier', 'options', 'an object', options);
  }
  const pool = options.pool ?? 'avg';
  if (!POOLS.includes(pool)) {
    throw new InvalidArgumentError('createClassifier', 'options.pool', `one of ${POOLS.join(', ')}`, pool);
  }
  const numFeatures = pool === 'concat' ? 2 * backbone.numFeatures : backbone.numFeatures;
  const head = resolveHead('createClassifier', numFeatures, options, pool);
  const b = new GraphBuilder(`head:${head.seed}`);
  b.group('head');
  const features = backbone.model.outputs[0]!;
  let x: Tensor;
  if (pool === 'concat') {
    // fastai's order: max-pooled features first, then average-pooled.
    x = b.concat(
      [b.globalMaxPool(features, 'head_max_pool'), b.globalAvgPool(features, 'head_avg_pool')],
      'head_pool',
    );
  } else {
    x = pool === 'avg' ? b.globalAvgPool(features, 'head_pool') : b.globalMaxPool(features, 'head_pool');
  }
  const output = applyHead(b, x, head);
  const model = tfl.model({ inputs: backbone.model.inputs, outputs: output, name: 'classifier' });
  guardFrozenBatchNorm(model);
  const headGroup = b.layerGroups();
  return {
    kind: 'classifier',
    model,
    layerGroups: [...backbone.layerGroups, ...headGroup],
    backbone: backbone.config,
    dataConfig: backbone.dataConfig,
    head,
    numFeatures,
    output: outputKind(head),
    config: { backbone: backbone.config, head },
  };
}

/**
 * A standalone head on `[N, numFeatures]` pooled features, with the same layers, names and (for equal
 * options and seed) initial weights as {@link createClassifier}'s head: train it on features from
 * {@link forwardFeatures} (fastai's precompute), then copy it onto the classifier with
 * {@link loadPretrained}.
 */
export function createHead(numFeatures: number, options: HeadOptions): HeadModel {
  positiveInt('createHead', 'numFeatures', numFeatures);
  const head = resolveHead('createHead', numFeatures, options, null);
  const b = new GraphBuilder(`head:${head.seed}`);
  b.group('head');
  const name = 'head_input';
  const input = tfl.input({ shape: [numFeatures], name });
  const model = tfl.model({ inputs: input, outputs: applyHead(b, input, head), name: 'head' });
  guardFrozenBatchNorm(model);
  const layers = [name, ...b.layerGroups().flatMap((g) => g.layers)];
  return { kind: 'head', model, layerGroups: [{ name: 'head', layers }], head };
}

/** Rebuilds a classifier (fresh weights) from {@link Classifier.config}. */
export function classifierFromConfig(config: ClassifierConfig): Classifier {
  if (
    typeof config !== 'object' ||
    config === null ||
    typeof config.backbone !== 'object' ||
    config.head === null
  ) {
    throw new InvalidArgumentError('classifierFromConfig', 'config', 'a ClassifierConfig', config);
  }
  const backbone = createBackbone(config.backbone.name, config.backbone.options);
  const { head } = config;
  const options: ClassifierOptions = {
    pool: head.pool ?? 'avg',
    hiddenUnits: head.hiddenUnits,
    dropout: head.dropout,
    batchNorm: head.batchNorm,
    multiLabel: head.multiLabel,
    logits: head.logits,
    seed: head.seed,
    ...(head.numClasses === null ? {} : { numClasses: head.numClasses }),
    ...(head.embeddingSize === null ? {} : { embeddingSize: head.embeddingSize }),
  };
  return createClassifier(backbone, options);
}
