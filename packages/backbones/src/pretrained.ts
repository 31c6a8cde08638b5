import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, TopkError } from '@topk/core';
import { type ModelSource, resolveSource } from './model-io.js';
import type { GroupedModel } from './types.js';
import { bool } from './validate.js';

/**
 * Weights held in memory in the tfjs format: what a bundler gives for an imported `model.json` and its
 * weight shards, or what an `IOHandler` loads (`tf.io.ModelArtifacts` fits).
 */
export interface WeightArtifacts {
  /** The weights in `weightData`, in order (`ModelArtifacts.weightSpecs`). */
  readonly weightSpecs?: readonly tf.io.WeightsManifestEntry[];
  /**
   * A `model.json`'s `weightsManifest` (used when `weightSpecs` is absent): its groups' weights, in order,
   * describe the shards concatenated in manifest order.
   */
  readonly weightsManifest?: tf.io.WeightsManifestConfig;
  /** The weight bytes: one buffer, or the shards in manifest order. */
  readonly weightData: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[];
}

/** Where {@link loadPretrained} takes weights from. */
export type WeightsSource =
  | ModelSource
  | WeightArtifacts
  | tfl.LayersModel
  | GroupedModel
  | tf.NamedTensorMap;

/** Options of {@link loadPretrained}. */
export interface LoadPretrainedOptions {
  /**
   * Leave the target's `head` group alone even where the source has weights of the same names and
   * shapes (e.g. a 1000-class `predictions` layer onto a fresh 1000-class head).
   * @defaultValue false
   */
  readonly skipHead?: boolean;
  /**
   * Throw (before changing any weight) unless every target weight is loaded and every source weight used.
   * @defaultValue false
   */
  readonly strict?: boolean;
  /**
   * When the first convolution's input channels differ (grayscale input, extra bands), adapt its
   * kernel as timm's `adapt_input_conv` does: sum over the source channels for one channel, otherwise
   * repeat them cyclically and scale by `sourceChannels / channels`.
   * @defaultValue true
   */
  readonly adaptInputChannels?: boolean;
}

/** A source weight whose shape differs from its target's. */
export interface ShapeMismatch {
  readonly name: string;
  readonly expected: readonly number[];
  readonly received: readonly number[];
}

/** What {@link loadPretrained} did, by weight name (`layer/weight`, as tfjs saves them). */
export interface PretrainedReport {
  /** Target weights that received a value. */
  readonly loaded: readonly string[];
  /** Target weights that no source weight matched (left as they were). */
  readonly missing: readonly string[];
  /** Source weights that matched no target weight (a dropped head, extra layers). */
  readonly unexpected: readonly string[];
  /** Matched by name but of another shape (a head with another class count): skipped. */
  readonly shapeMismatched: readonly ShapeMismatch[];
  /** First-convolution kernels adapted to another number of input channels (also in `loaded`). */
  readonly adapted: readonly ShapeMismatch[];
  /** Target weights left alone because of `skipHead`. */
  readonly skipped: readonly string[];
}

interface SourceWeights {
  readonly tensors: tf.NamedTensorMap;
  /** Whether `tensors` were decoded here and must be disposed. */
  readonly owned: boolean;
}

function isGrouped(value: unknown): value is GroupedModel {
  return typeof value === 'object' && value !== null && 'layerGroups' in value && 'model' in value;
}

function modelWeights(model: tfl.LayersModel): tf.NamedTensorMap {
  const map: tf.NamedTensorMap = {};
  for (const weight of model.weights) map[weight.originalName] = weight.read();
  return map;
}

function isArtifacts(value: object): value is WeightArtifacts {
  return 'weightData' in value && !('load' in value) && !(value.weightData instanceof tf.Tensor);
}

function toArrayBuffer(bytes: unknown): ArrayBuffer | null {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (bytes instanceof Uint8Array) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  return null;
}

function decodeArtifacts(artifacts: WeightArtifacts): tf.NamedTensorMap {
  const fn = 'loadPretrained';
  const { weightSpecs, weightsManifest, weightData } = artifacts;
  const specs: readonly tf.io.WeightsManifestEntry[] | undefined =
    weightSpecs ??
    (Array.isArray(weightsManifest)
      ? (weightsManifest as tf.io.WeightsManifestConfig).flatMap((group) => group?.weights ?? [])
      : undefined);
  if (specs === undefined || !Array.isArray(specs) || specs.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'source.weightSpecs',
      'a non-empty array of weight specs (or source.weightsManifest)',
      specs,
    );
  }
  const shards = (Array.isArray(weightData) ? weightData : [weightData]).map(toArrayBuffer);
  if (shards.length === 0 || shards.some((shard) => shard === null)) {
    throw new InvalidArgumentError(
      fn,
      'source.weightData',
      'an ArrayBuffer, a Uint8Array or an array of them',
      weightData,
    );
  }
  const buffers = shards as ArrayBuffer[];
  const bytes = buffers.reduce((sum, shard) => sum + shard.byteLength, 0);
  const needed = specs.reduce((sum, spec) => {
    const count = spec.shape.reduce((a: number, d: number) => a * d, 1);
    const width =
      spec.quantization !== undefined
        ? spec.quantization.dtype === 'uint8'
          ? 1
          : 2
        : spec.dtype === 'bool'
          ? 1
          : 4;
    return sum + count * width;
  }, 0);
  // String weights have no fixed width; tfjs's decoder checks those.
  if (bytes !== needed && specs.every((spec) => spec.dtype !== 'string')) {
    throw new InvalidArgumentError(
      fn,
      'source.weightData',
      `${needed} bytes for the ${specs.length} weights of its specs`,
      `${bytes} bytes`,
    );
  }
  let data = buffers[0]!;
  if (buffers.length > 1) {
    // One contiguous buffer: weights may straddle shard boundaries.
    const joined = new Uint8Array(bytes);
    let offset = 0;
    for (const shard of buffers) {
      joined.set(new Uint8Array(shard), offset);
      offset += shard.byteLength;
    }
    data = joined.buffer;
  }
  return tf.io.decodeWeights(data, specs as tf.io.WeightsManifestEntry[]);
}

async function readSource(source: WeightsSource): Promise<SourceWeights> {
  if (source instanceof tfl.LayersModel) return { tensors: modelWeights(source), owned: false };
  if (isGrouped(source)) return { tensors: modelWeights(source.model), owned: false };
  if (
    typeof source === 'object' &&
    source !== null &&
    !('load' in source) &&
    Object.values(source).every((v) => v instanceof tf.Tensor)
  ) {
    return { tensors: source as tf.NamedTensorMap, owned: false };
  }
  if (typeof source === 'object' && source !== null && isArtifacts(source)) {
    return { tensors: decodeArtifacts(source), owned: true };
  }
  const handler = resolveSource('loadPretrained', source as ModelSource);
  if (typeof handler.load !== 'function') {
    throw new InvalidArgumentError('loadPretrained', 'source', 'an IOHandler that can load', source);
  }
  const artifacts = await handler.load();
  if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new TopkError('NO_WEIGHTS', 'Error in loadPretrained: the source has no weights');
  }
  return { tensors: tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs), owned: true };
}

/** Source names as Keras and converters write them: `:0` suffixes, Keras 3's `vars` folders. */
function normalise(name: string): string {
  return name
    .replace(/:\d+$/, '')
    .split('/')
    .filter((part) => part !== 'vars' && part !== '_layer_checkpoint_dependencies')
    .join('/');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The first rank-4 kernel fed by the model input's channels: the stem convolution. */
function firstConvKernel(model: tfl.LayersModel): string | null {
  const channels = model.inputs[0]?.shape.at(-1);
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      if (weight.shape.length === 4 && /kernel$/.test(weight.originalName)) {
        return weight.shape[2] === channels ? weight.originalName : null;
      }
    }
  }
  return null;
}

/** timm's `adapt_input_conv` on a `[k, k, in, out]` kernel. */
function adaptKernel(kernel: tf.Tensor, channels: number): tf.Tensor {
  return tf.tidy(() => {
    const source = kernel.shape[2]!;
    if (channels === 1) return tf.sum(kernel, 2, true);
    const repeats = Math.ceil(channels / source);
    const tiled = tf.tile(kernel, [1, 1, repeats, 1]);
    return tf.mul(tf.slice(tiled, [0, 0, 0, 0], [-1, -1, channels, -1]), source / channels);
  });
}

/**
 * Copies weights onto a model by layer name: from a tfjs `model.json` (path, `file://` or http(s) URL,
 * or `IOHandler`; Keras models converted with `tensorflowjs_converter` included), weights already in
 * memory ({@link WeightArtifacts}: a bundled `model.json`'s manifest and its shards, quantised ones
 * included), another tfjs model, or a map of named tensors. Names are matched as `layer/weight` after dropping `:0` suffixes and any
 * enclosing model prefix; Keras 3's `layer/0`-style names are matched by weight index. Nothing is
 * matched by position alone. Weights whose shapes differ (a head with another number of classes) are
 * skipped and reported rather than failing; the first convolution is adapted to the input channels.
 * Loading into a headless backbone drops the source's head (reported as unexpected).
 *
 * @example
 * ```ts
 * const net = createClassifier(createBackbone('mobilenet_v2'), { numClasses: 10 });
 * const report = await loadPretrained(net, './mobilenet_v2_keras/model.json');
 * report.shapeMismatched; // [{ name: 'predictions/kernel', expected: [1280, 10], received: [1280, 1000] }, ...]
 * ```
 */
export async function loadPretrained(
  target: GroupedModel | tfl.LayersModel,
  source: WeightsSource,
  options: LoadPretrainedOptions = {},
): Promise<PretrainedReport> {
  const fn = 'loadPretrained';
  const model = target instanceof tfl.LayersModel ? target : isGrouped(target) ? target.model : null;
  if (!(model instanceof tfl.LayersModel)) {
    throw new InvalidArgumentError(fn, 'target', 'a tfjs LayersModel, backbone or classifier', target);
  }
  const skipHead = bool(fn, 'options.skipHead', options.skipHead, false);
  const strict = bool(fn, 'options.strict', options.strict, false);
  const adapt = bool(fn, 'options.adaptInputChannels', options.adaptInputChannels, true);
  const headLayers = new Set(
    skipHead && isGrouped(target) ? (target.layerGroups.find((g) => g.name === 'head')?.layers ?? []) : [],
  );

  const targets = new Map<string, tfl.LayerVariable>();
  const byIndex = new Map<string, tfl.LayerVariable>();
  const skipped = new Set<string>();
  for (const layer of model.layers) {
    layer.weights.forEach((weight, index) => {
      if (headLayers.has(layer.name)) skipped.add(weight.originalName);
      targets.set(weight.originalName, weight);
      byIndex.set(`${layer.name}/${index}`, weight);
    });
  }
  const stemKernel = adapt ? firstConvKernel(model) : null;

  const { tensors, owned } = await readSource(source);
  try {
    const assignments: [tfl.LayerVariable, tf.Tensor, boolean][] = [];
    const assigned = new Set<string>();
    const unexpected: string[] = [];
    const shapeMismatched: ShapeMismatch[] = [];
    const adapted: ShapeMismatch[] = [];
    for (const [rawName, tensor] of Object.entries(tensors)) {
      const parts = normalise(rawName).split('/');
      let weight: tfl.LayerVariable | undefined;
      // Try the full name, then without enclosing-model prefixes (`mobilenetv2_1.00_224/Conv1/kernel`).
      for (let start = 0; start < parts.length - 1 && weight === undefined; start++) {
        const candidate = parts.slice(start).join('/');
        weight = targets.get(candidate) ?? byIndex.get(candidate);
      }
      if (weight === undefined || assigned.has(weight.originalName)) {
        unexpected.push(rawName);
        continue;
      }
      assigned.add(weight.originalName);
      if (skipped.has(weight.originalName)) continue;
      if (sameShape(weight.shape as number[], tensor.shape)) {
        assignments.push([weight, tensor, false]);
      } else if (
        weight.originalName === stemKernel &&
        tensor.rank === 4 &&
        sameShape(
          [weight.shape[0]!, weight.shape[1]!, weight.shape[3]!],
          [tensor.shape[0]!, tensor.shape[1]!, tensor.shape[3]!],
        )
      ) {
        assignments.push([weight, tensor, true]);
        adapted.push({
          name: weight.originalName,
          expected: weight.shape as number[],
          received: tensor.shape,
        });
      } else {
        shapeMismatched.push({
          name: weight.originalName,
          expected: weight.shape as number[],
          received: tensor.shape,
        });
      }
    }
    const loaded = assignments.map(([weight]) => weight.originalName);
    const missing = [...targets.keys()].filter((name) => !assigned.has(name) && !skipped.has(name));
    if (strict && (missing.length > 0 || unexpected.length > 0 || shapeMismatched.length > 0)) {
      throw new TopkError(
        'PRETRAINED_MISMATCH',
        `Error in loadPretrained: strict loading found ${missing.length} missing, ${unexpected.length} unexpected ` +
          `and ${shapeMismatched.length} shape-mismatched weights` +
          (missing.length > 0 ? ` (first missing: ${missing[0]})` : '') +
          (unexpected.length > 0 ? ` (first unexpected: ${unexpected[0]})` : '') +
          (shapeMismatched.length > 0 ? ` (first mismatched: ${shapeMismatched[0]!.name})` : ''),
      );
    }
    for (const [weight, tensor, needsAdapting] of assignments) {
      // A variable assigned a tensor shares its data; the copy made here keeps the source independent.
      const value = needsAdapting ? adaptKernel(tensor, weight.shape[2]!) : tf.cast(tensor, weight.dtype);
      weight.write(value);
      value.dispose();
    }
    return {
      loaded: loaded.sort(),
      missing: missing.sort(),
      unexpected: unexpected.sort(),
      shapeMismatched: shapeMismatched.sort((a, b) => a.name.localeCompare(b.name)),
      adapted,
      skipped: [...skipped].sort(),
    };
  } finally {
    if (owned) tf.dispose(tensors);
  }
}
