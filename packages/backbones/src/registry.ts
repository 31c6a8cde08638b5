import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, TopkError } from '@topk/core';
import type { Architecture } from './architecture.js';
import { registerCustomLayers } from './custom-layers.js';
import { densenet121 } from './densenet.js';
import { type EfficientNetOptions, efficientnet_b0 } from './efficientnet.js';
import { UnknownBackboneError } from './errors.js';
import { guardFrozenBatchNorm } from './freezing.js';
import { GraphBuilder } from './graph-builder.js';
import { type MobileNetV2Options, mobilenet_v2 } from './mobilenet-v2.js';
import { resnet18, resnet34, resnet50, resnext50_32x4d, wide_resnet50_2 } from './resnet.js';
import { type SimpleCnnOptions, simpleCnn } from './simple-cnn.js';
import type {
  Backbone,
  BackboneDefinition,
  BackboneFactory,
  BackboneOptions,
  DataConfig,
  JsonValue,
  LayerGroup,
} from './types.js';
import { editDistance, optionsObject, positiveInt } from './validate.js';
import { type WideResNetOptions, wide_resnet } from './wide-resnet.js';
import { xception } from './xception.js';

/** Options of each built-in backbone, by name: `createBackbone` is typed from this map. */
export interface BackboneOptionsMap {
  'simple-cnn': SimpleCnnOptions;
  resnet18: BackboneOptions;
  resnet34: BackboneOptions;
  resnet50: BackboneOptions;
  resnext50_32x4d: BackboneOptions;
  wide_resnet50_2: BackboneOptions;
  wide_resnet: WideResNetOptions;
  densenet121: BackboneOptions;
  mobilenet_v2: MobileNetV2Options;
  efficientnet_b0: EfficientNetOptions;
  xception: BackboneOptions;
}

/** Names of the built-in backbones. */
export type BuiltinBackboneName = keyof BackboneOptionsMap;

const BUILTIN: { readonly [N in BuiltinBackboneName]: Architecture } = {
  'simple-cnn': simpleCnn,
  resnet18,
  resnet34,
  resnet50,
  resnext50_32x4d,
  wide_resnet50_2,
  wide_resnet,
  densenet121,
  mobilenet_v2,
  efficientnet_b0,
  xception,
};

interface CustomEntry {
  readonly factory: BackboneFactory;
  readonly description: string;
}

const custom = new Map<string, CustomEntry>();
const COMMON_KEYS = ['inputSize', 'inputChannels', 'seed'] as const;
const INTERPOLATIONS = ['bilinear', 'bicubic', 'nearest'];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function builtin(name: string): Architecture | undefined {
  return Object.hasOwn(BUILTIN, name) ? BUILTIN[name as BuiltinBackboneName] : undefined;
}

/** What the registry knows about a backbone without building it. */
export interface BackboneInfo {
  readonly name: string;
  readonly description: string;
  readonly builtin: boolean;
  /** Reference data config (built-ins only: a custom backbone's is known once built). */
  readonly dataConfig?: DataConfig;
  /** Smallest input side the architecture allows (built-ins only). */
  readonly minInputSize?: number;
  /** Option names the backbone accepts (built-ins only). */
  readonly options?: readonly string[];
}

function allNames(): string[] {
  return [...Object.keys(BUILTIN), ...custom.keys()].sort();
}

function unknown(name: string): UnknownBackboneError {
  const known = allNames();
  const scored = known.map((candidate) => ({ candidate, distance: editDistance(name, candidate) }));
  const best = Math.min(...scored.map((s) => s.distance));
  const limit = Math.max(2, Math.ceil(name.length * 0.4));
  const suggestions = best <= limit ? scored.filter((s) => s.distance === best).map((s) => s.candidate) : [];
  return new UnknownBackboneError(name, suggestions.slice(0, 3), known);
}

function checkName(fn: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(fn, 'name', 'a non-empty string', name);
  }
  return name;
}

/**
 * Names of the registered backbones, sorted; `filter` keeps the names matching a glob (`'resnet*'`,
 * `*` and `?` wildcards, whole name) or a regular expression.
 */
export function listBackbones(filter?: string | RegExp): string[] {
  let test: (name: string) => boolean = () => true;
  if (typeof filter === 'string') {
    const source = filter
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    const pattern = new RegExp(`^${source}$`);
    test = (name) => pattern.test(name);
  } else if (filter instanceof RegExp) {
    test = (name) => {
      filter.lastIndex = 0;
      return filter.test(name);
    };
  } else if (filter !== undefined) {
    throw new InvalidArgumentError('listBackbones', 'filter', 'a glob string or a RegExp', filter);
  }
  return allNames().filter(test);
}

/** What the registry knows about `name`; throws {@link UnknownBackboneError} for an unknown name. */
export function getBackboneInfo(name: string): BackboneInfo {
  checkName('getBackboneInfo', name);
  const arch = builtin(name);
  if (arch !== undefined) {
    return {
      name,
      description: arch.description,
      builtin: true,
      dataConfig: arch.dataConfig,
      minInputSize: arch.minInputSize,
      options: [...COMMON_KEYS, ...arch.optionKeys],
    };
  }
  const entry = custom.get(name);
  if (entry === undefined) throw unknown(name);
  return { name, description: entry.description, builtin: false };
}

/** Options of {@link registerBackbone}. */
export interface RegisterBackboneOptions {
  /** One line shown by {@link getBackboneInfo}. */
  readonly description?: string;
}

/**
 * Adds a custom backbone to the registry. `factory` receives the options given to `createBackbone` and
 * returns the model, its layer groups and its data config; `createBackbone` checks the result. Throws
 * when `name` is taken (built-in or custom).
 */
export function registerBackbone(
  name: string,
  factory: BackboneFactory,
  options: RegisterBackboneOptions = {},
): void {
  checkName('registerBackbone', name);
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError('registerBackbone', 'name', 'letters, digits, "_", "." or "-"', name);
  }
  if (builtin(name) !== undefined || custom.has(name)) {
    throw new InvalidArgumentError('registerBackbone', 'name', 'a name not already registered', name);
  }
  if (typeof factory !== 'function') {
    throw new InvalidArgumentError('registerBackbone', 'factory', 'a function', factory);
  }
  const { description = `custom backbone ${name}` } = options;
  custom.set(name, { factory, description });
}

/**
 * Removes a custom backbone; returns whether it was registered. Built-in backbones cannot be removed.
 */
export function unregisterBackbone(name: string): boolean {
  checkName('unregisterBackbone', name);
  if (builtin(name) !== undefined) {
    throw new InvalidArgumentError('unregisterBackbone', 'name', 'a custom backbone (built-ins stay)', name);
  }
  return custom.delete(name);
}

function toJson(fn: string, argument: string, value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(fn, argument, 'a finite number', value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(fn, `${argument}[${i}]`, v));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(fn, `${argument}.${k}`, v)]));
  }
  throw new InvalidArgumentError(fn, argument, 'a JSON value', value);
}

function resolveInputSize(
  value: unknown,
  fallback: readonly [number, number],
  min: number,
): [number, number] {
  if (value === undefined) return [fallback[0], fallback[1]];
  const size = typeof value === 'number' ? [value, value] : value;
  const ok =
    Array.isArray(size) &&
    size.length === 2 &&
    size.every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= min);
  if (!ok) {
    throw new InvalidArgumentError(
      'createBackbone',
      'options.inputSize',
      `an integer >= ${min} or [height, width] of such integers`,
      value,
    );
  }
  return [size[0], size[1]];
}

function channelStats(values: readonly number[], channels: number): number[] {
  if (channels === values.length) return [...values];
  // timm's rule for other channel counts: the mean of the reference statistics for every channel.
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Array.from({ length: channels }, () => mean);
}

function buildBuiltin(name: string, arch: Architecture, options: Readonly<Record<string, unknown>>) {
  const inputSize = resolveInputSize(options.inputSize, arch.dataConfig.inputSize, arch.minInputSize);
  const channels = positiveInt('createBackbone', 'options.inputChannels', options.inputChannels, 3);
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError('createBackbone', 'options.seed', 'a safe integer', seed);
  }
  registerCustomLayers();
  const b = new GraphBuilder(seed, arch.batchNorm);
  b.group('stem');
  const input = b.input([inputSize[0], inputSize[1], channels]);
  const output = arch.build(b, input, options);
  const model = tfl.model({ inputs: input, outputs: output, name: name.replace(/[^A-Za-z0-9_]/g, '_') });
  const definition: BackboneDefinition = {
    model,
    layerGroups: b.layerGroups(),
    dataConfig: {
      ...arch.dataConfig,
      inputSize,
      channels,
      mean: channelStats(arch.dataConfig.mean, channels),
      std: channelStats(arch.dataConfig.std, channels),
    },
  };
  const resolved = { ...options, inputSize, inputChannels: channels, seed };
  return { definition, resolved };
}

function invalid(name: string, message: string): TopkError {
  return new TopkError('INVALID_BACKBONE', `Backbone ${name}: ${message}`);
}

/** Checks what a factory returned; throws a `TopkError` with code `INVALID_BACKBONE` naming the problem. */
function checkDefinition(name: string, definition: BackboneDefinition): void {
  if (
    typeof definition !== 'object' ||
    definition === null ||
    !(definition.model instanceof tfl.LayersModel)
  ) {
    throw invalid(name, 'the factory must return { model: tf.LayersModel, layerGroups, dataConfig }');
  }
  const { model, layerGroups, dataConfig } = definition;
  if (model.inputs.length !== 1 || model.inputs[0]!.shape.length !== 4) {
    throw invalid(name, 'the model must have one rank-4 image input');
  }
  if (model.outputs.length !== 1 || model.outputs[0]!.shape.length !== 4) {
    throw invalid(name, 'the model must have one rank-4 feature-map output');
  }
  if (!Array.isArray(layerGroups) || layerGroups.length === 0)
    throw invalid(name, 'layerGroups must be non-empty');
  const seen = new Map<string, string>();
  const groupNames = new Set<string>();
  for (const group of layerGroups as LayerGroup[]) {
    if (typeof group.name !== 'string' || group.name.length === 0 || groupNames.has(group.name)) {
      throw invalid(
        name,
        `layer group names must be unique non-empty strings, got ${JSON.stringify(group.name)}`,
      );
    }
    if (group.name === 'head') throw invalid(name, 'the group name "head" is reserved for classifier heads');
    groupNames.add(group.name);
    for (const layer of group.layers) {
      const other = seen.get(layer);
      if (other !== undefined) throw invalid(name, `layer ${layer} is in groups ${other} and ${group.name}`);
      seen.set(layer, group.name);
    }
  }
  for (const layer of model.layers) {
    if (!seen.delete(layer.name)) throw invalid(name, `layer ${layer.name} is in no layer group`);
  }
  if (seen.size > 0)
    throw invalid(name, `layer groups name layers the model lacks: ${[...seen.keys()].join(', ')}`);
  checkDataConfig(name, dataConfig, model.inputs[0]!.shape[3] ?? null);
}

function checkDataConfig(name: string, config: DataConfig, channels: number | null): void {
  if (typeof config !== 'object' || config === null) throw invalid(name, 'dataConfig is missing');
  const { inputSize, mean, std, interpolation, cropFraction } = config;
  const sizeOk =
    Array.isArray(inputSize) &&
    inputSize.length === 2 &&
    inputSize.every((s) => Number.isSafeInteger(s) && s > 0);
  if (!sizeOk) throw invalid(name, 'dataConfig.inputSize must be [height, width] of positive integers');
  if (config.channels !== channels) {
    throw invalid(
      name,
      `dataConfig.channels (${config.channels}) must equal the input channels (${channels})`,
    );
  }
  const statsOk = (v: readonly number[], positive: boolean) =>
    Array.isArray(v) &&
    v.length === config.channels &&
    v.every((x) => Number.isFinite(x) && (!positive || x > 0));
  if (!statsOk(mean, false) || !statsOk(std, true)) {
    throw invalid(name, 'dataConfig.mean and dataConfig.std need one finite value per channel (std > 0)');
  }
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw invalid(name, `dataConfig.interpolation must be one of ${INTERPOLATIONS.join(', ')}`);
  }
  if (!(cropFraction > 0 && cropFraction <= 1))
    throw invalid(name, 'dataConfig.cropFraction must be in (0, 1]');
}

/**
 * Builds a registered backbone: a tfjs-layers model from images (`[N, H, W, C]`, normalised as its
 * {@link DataConfig} says) to an unpooled feature map, with named layer groups for freezing and
 * discriminative learning rates. Weights are initialised from `options.seed`, so equal options give
 * bit-identical models. Throws {@link UnknownBackboneError} for an unknown name, with the closest names.
 *
 * @example
 * ```ts
 * const backbone = createBackbone('resnet50', { inputSize: 160, seed: 1 });
 * backbone.numFeatures; // 2048
 * ```
 */
export function createBackbone<N extends BuiltinBackboneName>(
  name: N,
  options?: BackboneOptionsMap[N],
): Backbone;
export function createBackbone(
  name: string,
  options?: BackboneOptions & { readonly [key: string]: unknown },
): Backbone;
export function createBackbone(
  name: string,
  options?: BackboneOptions & { readonly [key: string]: unknown },
): Backbone {
  checkName('createBackbone', name);
  const arch = builtin(name);
  let definition: BackboneDefinition;
  let resolved: Readonly<Record<string, unknown>>;
  if (arch !== undefined) {
    const checked = optionsObject('createBackbone', options, [...COMMON_KEYS, ...arch.optionKeys]);
    ({ definition, resolved } = buildBuiltin(name, arch, checked));
    checkDefinition(name, definition);
  } else {
    const entry = custom.get(name);
    if (entry === undefined) throw unknown(name);
    if (
      options !== undefined &&
      (typeof options !== 'object' || options === null || Array.isArray(options))
    ) {
      throw new InvalidArgumentError('createBackbone', 'options', 'an object', options);
    }
    resolved = options ?? {};
    toJson('createBackbone', 'options', resolved);
    registerCustomLayers();
    definition = entry.factory(resolved);
    checkDefinition(name, definition);
  }
  const config = {
    name,
    options: toJson('createBackbone', 'options', resolved) as { [key: string]: JsonValue },
  };
  const { model, layerGroups, dataConfig } = definition;
  guardFrozenBatchNorm(model);
  return {
    kind: 'backbone',
    name,
    model,
    layerGroups: layerGroups.map((g) => ({ name: g.name, layers: [...g.layers] })),
    numFeatures: model.outputs[0]!.shape[3]!,
    dataConfig,
    config,
  };
}
