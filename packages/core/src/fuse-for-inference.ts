import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from './errors.js';
import {
  canRunInvertedResidual,
  INVERTED_RESIDUAL_KERNEL,
  type InvertedResidualAttrs,
} from './kernels/native/native-conv-kernels.js';

/** Options of {@link fuseForInference}. */
export interface FuseForInferenceOptions {
  /**
   * Fold batch normalisation (inference mode: moving statistics) into the preceding convolution's
   * filter and bias, and a following ReLU / ReLU6 / ELU / sigmoid into the convolution's fused activation.
   * With `false` the plan still runs the whole batch at once without tfjs-layers' per-call overhead.
   * @defaultValue `true`
   */
  readonly fuse?: boolean;
}

/** What {@link fuseForInference} did to a model. */
export interface FusionReport {
  /** Convolutions (plain or depthwise) that now run as one fused op. */
  readonly fusedConvolutions: number;
  /** Batch-normalisation layers folded into a convolution. */
  readonly foldedBatchNorms: number;
  /** Activation layers folded into a convolution. */
  readonly foldedActivations: number;
  /** ZeroPadding2D layers folded into the following convolution's padding. */
  readonly foldedPaddings: number;
  /** Layers run as they are, through their own `call` in inference mode. */
  readonly layersAsIs: number;
  /**
   * MobileNetV2 inverted residual blocks (1x1 expansion → depthwise → 1x1 projection [→ + input], each
   * fused as above) that run as one native call, image by image, when topk's native kernels are loaded
   * on the wasm backend (see `selectBackend`); elsewhere their fused convolutions run one by one.
   */
  readonly invertedResidualBlocks: number;
}

/**
 * A frozen inference plan of a tfjs-layers model: the weights as they were when it was built, with
 * batch-norm folded into convolutions. Rebuild it after the model's weights change.
 */
export interface InferenceModel {
  /** The model's outputs for `inputs`, batch-norm in inference mode and dropout off, as `model.predict`. */
  predict(inputs: tf.Tensor | readonly tf.Tensor[]): tf.Tensor | tf.Tensor[];
  /** What was fused. */
  readonly report: FusionReport;
  /** Frees the folded weights. The plan cannot be used afterwards. */
  dispose(): void;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid';
type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;
type Config = Record<string, unknown>;

interface FusedConv {
  readonly kind: 'conv' | 'depthwise' | 'separable';
  /** A separable convolution's depthwise filter (`filter` is then its pointwise one). */
  readonly depthwiseFilter?: tf.Tensor4D;
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D | undefined;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  /** `same`, `valid`, or explicit `[[0, 0], [top, bottom], [left, right], [0, 0]]` (a folded ZeroPadding2D). */
  readonly pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  readonly activation: Activation;
}

/** A step of the plan: the fused op that replaces the chain ending at this layer call. */
interface Fusion {
  readonly input: SymbolicTensor;
  readonly op: FusedConv;
}

const FUSABLE_ACTIVATIONS = new Set<string>(['linear', 'relu', 'relu6', 'elu', 'sigmoid']);

const pair = (value: unknown): [number, number] => {
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as readonly number[];
  return [a ?? 1, b ?? a ?? 1];
};

/** The activation a layer applies on its own (`linear` for none), or undefined if tf.fused cannot. */
function activationOf(layer: Layer): Activation | undefined {
  const config = layer.getConfig() as Config;
  const name = layer.getClassName();
  if (name === 'ReLU') {
    const maxValue = config.maxValue as number | null | undefined;
    if (maxValue === null || maxValue === undefined) return 'relu';
    return maxValue === 6 ? 'relu6' : undefined;
  }
  if (name === 'Activation') {
    const activation = String(config.activation);
    return FUSABLE_ACTIVATIONS.has(activation) ? (activation as Activation) : undefined;
  }
  return undefined;
}

const weightNamed = (layer: Layer, suffix: string): tf.Tensor | undefined =>
  layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`) || w.originalName === suffix)?.read();

function channelsLast(config: Config): boolean {
  return config.dataFormat === undefined || config.dataFormat === 'channelsLast';
}

const CONVOLUTION_KINDS: Readonly<Record<string, FusedConv['kind']>> = {
  Conv2D: 'conv',
  DepthwiseConv2D: 'depthwise',
  SeparableConv2D: 'separable',
};

/** The parameters of a Conv2D, DepthwiseConv2D or SeparableConv2D layer, or undefined if it cannot fuse. */
function convolutionOf(layer: Layer): { op: FusedConv; activation: Activation | undefined } | undefined {
  const kind = CONVOLUTION_KINDS[layer.getClassName()];
  if (kind === undefined) return undefined;
  const config = layer.getConfig() as Config;
  if (!channelsLast(config)) return undefined;
  const pad = config.padding;
  if (pad !== 'same' && pad !== 'valid') return undefined;
  const filterName = { conv: 'kernel', depthwise: 'depthwise_kernel', separable: 'pointwise_kernel' }[kind];
  const filter = weightNamed(layer, filterName) as tf.Tensor4D | undefined;
  if (filter === undefined) return undefined;
  const depthwiseFilter =
    kind === 'separable' ? (weightNamed(layer, 'depthwise_kernel') as tf.Tensor4D | undefined) : undefined;
  if (kind === 'separable' && depthwiseFilter === undefined) return undefined;
  const bias = config.useBias === true ? (weightNamed(layer, 'bias') as tf.Tensor1D | undefined) : undefined;
  const activationName = String(config.activation ?? 'linear');
  const activation = FUSABLE_ACTIVATIONS.has(activationName) ? (activationName as Activation) : undefined;
  const dilations = pair(config.dilationRate ?? 1);
  const strides = pair(config.strides ?? 1);
  // tfjs rejects strides > 1 together with dilations > 1; leave such layers to their own call.
  if (Math.max(...dilations) > 1 && Math.max(...strides) > 1) return undefined;
  return {
    op: {
      kind,
      filter,
      ...(depthwiseFilter !== undefined ? { depthwiseFilter } : {}),
      bias,
      strides,
      dilations,
      pad,
      activation: activation ?? 'linear',
    },
    activation,
  };
}

/** `[[top, bottom], [left, right]]` of a channels-last ZeroPadding2D layer, or undefined. */
function zeroPaddingOf(layer: Layer): [[number, number], [number, number]] | undefined {
  if (layer.getClassName() !== 'ZeroPadding2D') return undefined;
  const config = layer.getConfig() as Config;
  if (!channelsLast(config)) return undefined;
  const [rows, columns] = config.padding as [[number, number], [number, number]];
  return [
    [rows[0], rows[1]],
    [columns[0], columns[1]],
  ];
}

/** Batch-norm over the last axis in inference mode as a per-channel `scale` and `shift`. */
function batchNormAffine(layer: Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } | undefined {
  if (layer.getClassName() !== 'BatchNormalization') return undefined;
  const config = layer.getConfig() as Config;
  const axis = config.axis;
  const axes = Array.isArray(axis) ? axis : [axis];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== 3)) return undefined;
  const mean = weightNamed(layer, 'moving_mean');
  const variance = weightNamed(layer, 'moving_variance');
  if (mean === undefined || variance === undefined) return undefined;
  const gamma = config.scale === false ? undefined : weightNamed(layer, 'gamma');
  const beta = config.center === false ? undefined : weightNamed(layer, 'beta');
  const epsilon = Number(config.epsilon ?? 1e-3);
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const scale = (gamma === undefined ? inv : tf.mul(inv, gamma)) as tf.Tensor1D;
    const shifted = tf.neg(tf.mul(mean, scale));
    const shift = (beta === undefined ? shifted : tf.add(shifted, beta)) as tf.Tensor1D;
    return { scale, shift };
  });
}

/** `conv` followed by `y = x·scale + shift` per output channel, as one convolution. */
function foldAffine(op: FusedConv, scale: tf.Tensor1D, shift: tf.Tensor1D): FusedConv {
  return tf.tidy(() => {
    const [, , channels, multiplier] = op.filter.shape;
    // A separable convolution's output channels are its pointwise filter's, as a plain convolution's.
    const filter =
      op.kind !== 'depthwise'
        ? (tf.mul(op.filter, scale) as tf.Tensor4D)
        : (tf.mul(op.filter, tf.reshape(scale, [channels, multiplier])) as tf.Tensor4D);
    const bias = (
      op.bias === undefined ? tf.clone(shift) : tf.add(tf.mul(op.bias, scale), shift)
    ) as tf.Tensor1D;
    return { ...op, filter: tf.keep(filter), bias: tf.keep(bias) };
  });
}

function runFused(op: FusedConv, x: tf.Tensor): tf.Tensor {
  const common = {
    x: x as tf.Tensor4D,
    filter: op.filter,
    strides: op.strides,
    dilations: op.dilations,
    activation: op.activation,
    ...(op.bias !== undefined ? { bias: op.bias } : {}),
  };
  if (op.kind === 'conv') {
    // tfjs accepts explicit padding here, though its typings of fused.conv2d omit it.
    return tf.fused.conv2d({ ...common, pad: op.pad as 'same' | 'valid' });
  }
  if (op.kind === 'separable') {
    // tf.separableConv2d's own order: the depthwise pass, then a 1x1 convolution carrying bias and activation.
    const depthwise = tf.depthwiseConv2d(
      common.x,
      op.depthwiseFilter!,
      op.strides,
      op.pad as 'same' | 'valid',
      'NHWC',
      op.dilations,
    );
    return tf.fused.conv2d({ ...common, x: depthwise, strides: 1, dilations: 1, pad: 'valid' });
  }
  return tf.fused.depthwiseConv2d({ ...common, pad: op.pad as 'same' | 'valid' });
}

/** An inverted residual block: fused convolutions whose intermediate outputs feed only the next one. */
interface Block {
  readonly input: SymbolicTensor;
  readonly expand: FusedConv | undefined;
  readonly depthwise: FusedConv;
  readonly project: FusedConv;
  readonly residual: boolean;
}

const samePadOrValid = (op: FusedConv): boolean => op.pad === 'same' || op.pad === 'valid';

const isPointwise = (op: FusedConv): boolean =>
  op.kind === 'conv' &&
  op.filter.shape[0] === 1 &&
  op.filter.shape[1] === 1 &&
  op.strides[0] === 1 &&
  op.strides[1] === 1 &&
  samePadOrValid(op);

const isPlainDepthwise = (op: FusedConv): boolean =>
  op.kind === 'depthwise' &&
  op.filter.shape[3] === 1 &&
  op.filter.shape[0] * op.filter.shape[1] <= 64 &&
  op.dilations[0] === 1 &&
  op.dilations[1] === 1 &&
  samePadOrValid(op);

function blockAttrs(block: Block): InvertedResidualAttrs {
  return {
    strides: block.depthwise.strides,
    pad: block.depthwise.pad as 'same' | 'valid',
    expandActivation: block.expand?.activation ?? 'linear',
    depthwiseActivation: block.depthwise.activation,
    projectActivation: block.project.activation,
    residual: block.residual,
  };
}

function runBlock(block: Block, x: tf.Tensor): tf.Tensor {
  const inputs: Record<string, tf.Tensor> = {
    x,
    depthwiseFilter: block.depthwise.filter,
    projectFilter: block.project.filter,
  };
  if (block.expand !== undefined) {
    inputs.expandFilter = block.expand.filter;
    if (block.expand.bias !== undefined) inputs.expandBias = block.expand.bias;
  }
  if (block.depthwise.bias !== undefined) inputs.depthwiseBias = block.depthwise.bias;
  if (block.project.bias !== undefined) inputs.projectBias = block.project.bias;
  return tf.engine().runKernel(INVERTED_RESIDUAL_KERNEL, inputs, blockAttrs(block) as never) as tf.Tensor;
}

/** A layers model's graph: `inputs`, `outputs` and the symbolic tensors between them. */
interface Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
}

/** The call (layer, node) that produced a symbolic tensor: one key per call, shared by its outputs. */
const callKey = (t: SymbolicTensor): string => `${t.sourceLayer.name}#${t.nodeIndex}`;

const isContainer = (layer: Layer): layer is tfl.LayersModel =>
  Array.isArray((layer as Partial<tfl.LayersModel>).outputs) &&
  Array.isArray((layer as Partial<tfl.LayersModel>).inputs) &&
  (layer as Partial<tfl.LayersModel>).layers !== undefined;

/**
 * Compiles a tfjs-layers model into an inference plan that runs `Conv2D`/`DepthwiseConv2D`/`SeparableConv2D` →
 * `BatchNormalization` → `ReLU`/`ReLU6`/`Activation` chains as one `tf.fused` convolution each (the
 * batch-norm's moving statistics folded into the filter and bias), and every other layer through its own
 * `call` with `training: false`. Nested models (a backbone inside a classifier) are planned recursively.
 *
 * On the wasm backend this runs XNNPACK's convolution with its bias and clamp in one pass instead of
 * three or four ops a chain; outputs equal `model.predict`'s to float32 rounding (folding reorders the
 * products). The plan holds the weights of the moment it was built.
 */
export function fuseForInference(
  model: tfl.LayersModel,
  options: FuseForInferenceOptions = {},
): InferenceModel {
  const fn = 'fuseForInference';
  if (model === null || typeof model !== 'object' || !isContainer(model as unknown as Layer)) {
    throw new InvalidArgumentError(fn, 'model', 'a built tfjs-layers LayersModel (or Sequential)', model);
  }
  const { fuse = true } = options;
  if (typeof fuse !== 'boolean') throw new InvalidArgumentError(fn, 'options.fuse', 'a boolean', fuse);
  const counts = {
    fusedConvolutions: 0,
    foldedBatchNorms: 0,
    foldedActivations: 0,
    foldedPaddings: 0,
    layersAsIs: 0,
    invertedResidualBlocks: 0,
  };
  const owned: tf.Tensor[] = [];
  const fusions = new Map<string, Fusion>();
  const blocks = new Map<string, Block>();
  const graphs = new Map<Layer, Graph>();

  const graphOf = (container: tfl.LayersModel): Graph => {
    const graph: Graph = { inputs: container.inputs, outputs: container.outputs };
    graphs.set(container as unknown as Layer, graph);
    planGraph(graph);
    return graph;
  };

  function planGraph(graph: Graph): void {
    // Consumers of each call, counted over the calls that the outputs depend on.
    const consumers = new Map<string, SymbolicTensor[]>();
    const seen = new Set<string>();
    const outputKeys = new Set(graph.outputs.map(callKey));
    const stack = [...graph.outputs];
    const calls: SymbolicTensor[] = [];
    while (stack.length > 0) {
      const t = stack.pop()!;
      const key = callKey(t);
      if (seen.has(key)) continue;
      seen.add(key);
      calls.push(t);
      for (const input of t.inputs) {
        if (input === t) continue;
        consumers.set(callKey(input), [...(consumers.get(callKey(input)) ?? []), t]);
        stack.push(input);
      }
    }
    const onlyFeeds = (t: SymbolicTensor): boolean =>
      consumers.get(callKey(t))?.length === 1 && !outputKeys.has(callKey(t));
    // A chain is planned from its last layer: skip a call whose only consumer is a foldable activation.
    const feedsActivation = (t: SymbolicTensor): boolean =>
      onlyFeeds(t) && activationOf(consumers.get(callKey(t))![0]!.sourceLayer) !== undefined;
    const singleInput = (t: SymbolicTensor): SymbolicTensor | undefined =>
      t.inputs.length === 1 && t.inputs[0] !== t ? t.inputs[0] : undefined;

    for (const t of calls) {
      const layer = t.sourceLayer;
      if (isContainer(layer) && layer.getClassName() !== 'InputLayer') {
        if (!graphs.has(layer)) graphOf(layer);
        continue;
      }
      if (!fuse) continue;
      // Find chains ending at t: conv [→ bn] [→ act], planned from their last layer.
      // A convolution is planned from the bn or activation after it, if any.
      if (CONVOLUTION_KINDS[layer.getClassName()] !== undefined) continue;
      if (feedsActivation(t)) continue;
      let tail = t;
      let activation: Activation | undefined;
      const ownActivation = activationOf(layer);
      if (ownActivation !== undefined) {
        const below = singleInput(t);
        if (below === undefined || !onlyFeeds(below)) continue;
        activation = ownActivation;
        tail = below;
      }
      const bnInput = singleInput(tail);
      let affine: ReturnType<typeof batchNormAffine>;
      let convTensor: SymbolicTensor | undefined;
      if (tail.sourceLayer.getClassName() === 'BatchNormalization') {
        if (bnInput === undefined || !onlyFeeds(bnInput)) continue;
        convTensor = bnInput;
      } else if (activation !== undefined) {
        convTensor = tail;
      } else {
        continue;
      }
      const conv = convolutionOf(convTensor.sourceLayer);
      if (conv === undefined) continue;
      let input = singleInput(convTensor);
      if (input === undefined) continue;
      // ZeroPadding2D → conv 'valid' is one convolution with explicit padding: no padded copy
      // (tf.fused.depthwiseConv2d takes no explicit padding, so depthwise and separable ones keep theirs).
      const padding =
        conv.op.kind === 'conv' && conv.op.pad === 'valid' && onlyFeeds(input)
          ? zeroPaddingOf(input.sourceLayer)
          : undefined;
      const padded = padding === undefined ? undefined : singleInput(input);
      if (padding !== undefined && padded !== undefined) {
        conv.op = {
          ...conv.op,
          pad: [[0, 0], padding[0], padding[1], [0, 0]],
        };
        input = padded;
        counts.foldedPaddings++;
      }
      const hasBn = tail !== convTensor;
      if (hasBn && conv.op.activation !== 'linear') continue;
      if (!hasBn && (conv.op.activation !== 'linear' || conv.activation === undefined)) continue;
      let op = conv.op;
      if (hasBn) {
        affine = batchNormAffine(tail.sourceLayer);
        if (affine === undefined) continue;
        op = foldAffine(op, affine.scale, affine.shift);
        tf.dispose([affine.scale, affine.shift]);
        owned.push(op.filter);
        if (op.bias !== undefined) owned.push(op.bias);
        counts.foldedBatchNorms++;
      }
      if (activation !== undefined) {
        op = { ...op, activation };
        counts.foldedActivations++;
      }
      counts.fusedConvolutions++;
      fusions.set(callKey(t), { input, op });
    }
    if (fuse) planBlocks(calls, onlyFeeds);
  }

  // Inverted residual blocks over the fused convolutions: expand (optional) → depthwise → project, each
  // intermediate output feeding only the next step; then `Add(input, block)` folds in as the residual.
  function planBlocks(calls: readonly SymbolicTensor[], onlyFeeds: (t: SymbolicTensor) => boolean): void {
    for (const t of calls) {
      const project = fusions.get(callKey(t));
      if (project === undefined || !isPointwise(project.op) || !onlyFeeds(project.input)) continue;
      const depthwise = fusions.get(callKey(project.input));
      if (depthwise === undefined || !isPlainDepthwise(depthwise.op)) continue;
      const expand = fusions.get(callKey(depthwise.input));
      const expanded = expand !== undefined && isPointwise(expand.op) && onlyFeeds(depthwise.input);
      blocks.set(callKey(t), {
        input: expanded ? expand.input : depthwise.input,
        expand: expanded ? expand.op : undefined,
        depthwise: depthwise.op,
        project: project.op,
        residual: false,
      });
      counts.invertedResidualBlocks++;
    }
    for (const t of calls) {
      if (t.sourceLayer.getClassName() !== 'Add' || t.inputs.length !== 2) continue;
      const [a, b] = t.inputs as [SymbolicTensor, SymbolicTensor];
      for (const [skip, body] of [
        [a, b],
        [b, a],
      ] as const) {
        const block = blocks.get(callKey(body));
        if (
          block !== undefined &&
          !block.residual &&
          block.input === skip &&
          onlyFeeds(body) &&
          JSON.stringify(body.shape) === JSON.stringify(skip.shape)
        ) {
          blocks.set(callKey(t), { ...block, residual: true });
          break;
        }
      }
    }
  }

  const root = graphOf(model);

  // Decided per call: the backend and the native kernels may change after planning.
  const runsNatively = (block: Block): boolean =>
    tf.getBackend() === 'wasm' && canRunInvertedResidual(blockAttrs(block));

  function evaluate(graph: Graph, feeds: readonly tf.Tensor[]): tf.Tensor[] {
    const values = new Map<string, tf.Tensor[]>();
    graph.inputs.forEach((input, i) => {
      values.set(callKey(input), [feeds[i]!]);
    });
    const valueFor = (t: SymbolicTensor): tf.Tensor => {
      const key = callKey(t);
      let outputs = values.get(key);
      if (outputs === undefined) {
        const fusion = fusions.get(key);
        const block = blocks.get(key);
        const layer = t.sourceLayer;
        if (block !== undefined && runsNatively(block)) {
          outputs = [runBlock(block, valueFor(block.input))];
        } else if (fusion !== undefined) {
          outputs = [runFused(fusion.op, valueFor(fusion.input))];
        } else {
          const inputs = t.inputs.map(valueFor);
          const nested = graphs.get(layer);
          if (nested !== undefined) {
            outputs = evaluate(nested, inputs);
          } else {
            const result = layer.apply(inputs.length === 1 ? inputs[0]! : inputs, {
              ...(t.callArgs ?? {}),
              training: false,
            }) as tf.Tensor | tf.Tensor[];
            outputs = Array.isArray(result) ? result : [result];
          }
        }
        values.set(key, outputs);
      }
      return outputs[t.tensorIndex] ?? outputs[0]!;
    };
    return graph.outputs.map(valueFor);
  }

  // Count the layers that run as they are once, over every graph.
  for (const graph of graphs.values()) {
    const seen = new Set<string>();
    const stack = [...graph.outputs];
    while (stack.length > 0) {
      const t = stack.pop()!;
      const key = callKey(t);
      if (seen.has(key)) continue;
      seen.add(key);
      if (t.sourceLayer.getClassName() === 'InputLayer') continue;
      const fusion = fusions.get(key);
      if (fusion !== undefined) {
        stack.push(fusion.input);
        continue;
      }
      if (!graphs.has(t.sourceLayer)) counts.layersAsIs++;
      for (const input of t.inputs) if (input !== t) stack.push(input);
    }
  }

  let disposed = false;
  const report: FusionReport = { ...counts };
  return {
    report,
    predict(inputs) {
      if (disposed)
        throw new InvalidArgumentError(
          'InferenceModel.predict',
          'this',
          'a model not yet disposed',
          'disposed',
        );
      const feeds = inputs instanceof tf.Tensor ? [inputs] : [...inputs];
      if (feeds.length !== root.inputs.length) {
        throw new InvalidArgumentError(
          'InferenceModel.predict',
          'inputs',
          `${root.inputs.length} tensor(s), one per model input`,
          feeds.length,
        );
      }
      const outputs = tf.tidy(() => evaluate(root, feeds));
      return outputs.length === 1 ? outputs[0]! : outputs;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(owned);
    },
  };
}
