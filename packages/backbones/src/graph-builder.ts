import * as tfl from '@tensorflow/tfjs-layers';
import { Rng, type RngSeed } from '@topk/core';
import { GroupedConv2D } from './grouped-conv2d.js';
import { SeededDropout } from './seeded-dropout.js';
import type { LayerGroup } from './types.js';

type Tensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;
type Padding = 'same' | 'valid';

/** Batch-norm hyper-parameters; the defaults are Keras's, architectures override them. */
export interface BatchNormSpec {
  readonly epsilon: number;
  readonly momentum: number;
}

/** Options of {@link GraphBuilder.conv}. */
export interface ConvSpec {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides?: number;
  readonly padding?: Padding;
  readonly useBias?: boolean;
  readonly activation?: 'linear' | 'relu' | 'sigmoid' | 'swish';
  /** Channel groups; 1 is an ordinary convolution. */
  readonly groups?: number;
}

/**
 * Builds a functional tfjs-layers graph one named layer at a time, recording which layer group each
 * layer belongs to and seeding every initializer from one {@link Rng}, so equal seeds give equal weights.
 *
 * Internal: each architecture file drives one of these.
 */
export class GraphBuilder {
  readonly #rng: Rng;
  readonly #groups: { name: string; layers: string[] }[] = [];
  readonly #bn: BatchNormSpec;

  constructor(seed: RngSeed, bn: BatchNormSpec = { epsilon: 1e-3, momentum: 0.99 }) {
    this.#rng = new Rng(seed);
    this.#bn = bn;
  }

  /** Starts a new layer group: layers applied from now on belong to it. */
  group(name: string): void {
    this.#groups.push({ name, layers: [] });
  }

  /** The groups recorded so far, in order. */
  layerGroups(): LayerGroup[] {
    return this.#groups
      .filter((g) => g.layers.length > 0)
      .map((g) => ({ name: g.name, layers: [...g.layers] }));
  }

  /** An integer seed for a tfjs initializer or a {@link SeededDropout}. */
  seed(): number {
    return this.#rng.seedForTf();
  }

  #record(name: string): void {
    const current = this.#groups.at(-1);
    if (current === undefined) throw new Error('GraphBuilder: call group() before adding layers');
    current.layers.push(name);
  }

  /** The model input; recorded in the current group. */
  input(shape: readonly [number, number, number]): Tensor {
    const name = 'input';
    this.#record(name);
    return tfl.input({ shape: [...shape], name });
  }

  /** Applies a layer and records it in the current group. */
  apply(layer: tfl.layers.Layer, x: Tensor | Tensor[]): Tensor {
    this.#record(layer.name);
    return layer.apply(x) as Tensor;
  }

  /**
   * He (Kaiming) initialisation over fan-out, as torchvision and timm initialise convolutions; uniform
   * rather than normal because tfjs's normal is truncated (lower variance) and six times slower to draw.
   */
  convInit(): Initializer {
    return tfl.initializers.varianceScaling({
      scale: 2,
      mode: 'fanOut',
      distribution: 'uniform',
      seed: this.seed(),
    });
  }

  /** PyTorch's default `nn.Linear` initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  denseInit(): Initializer {
    return tfl.initializers.varianceScaling({
      scale: 1 / 3,
      mode: 'fanIn',
      distribution: 'uniform',
      seed: this.seed(),
    });
  }

  conv(x: Tensor, name: string, spec: ConvSpec): Tensor {
    const {
      filters,
      kernelSize,
      strides = 1,
      padding = 'same',
      useBias = false,
      activation = 'linear',
      groups = 1,
    } = spec;
    if (groups > 1) {
      const y = this.apply(
        new GroupedConv2D({
          name,
          filters,
          kernelSize,
          strides,
          padding,
          groups,
          useBias,
          seed: this.seed(),
        }),
        x,
      );
      return activation === 'linear' ? y : this.activation(y, `${name}_act`, activation);
    }
    return this.apply(
      tfl.layers.conv2d({
        name,
        filters,
        kernelSize,
        strides,
        padding,
        useBias,
        activation,
        kernelInitializer: this.convInit(),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }

  depthwise(
    x: Tensor,
    name: string,
    spec: { kernelSize: number; strides?: number; padding?: Padding; useBias?: boolean },
  ): Tensor {
    const { kernelSize, strides = 1, padding = 'same', useBias = false } = spec;
    return this.apply(
      tfl.layers.depthwiseConv2d({
        name,
        kernelSize,
        strides,
        padding,
        useBias,
        depthwiseInitializer: this.convInit(),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }

  separable(x: Tensor, name: string, filters: number): Tensor {
    return this.apply(
      tfl.layers.separableConv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.convInit(),
        pointwiseInitializer: this.convInit(),
      }),
      x,
    );
  }

  bn(x: Tensor, name: string, spec: Partial<BatchNormSpec> = {}): Tensor {
    const { epsilon = this.#bn.epsilon, momentum = this.#bn.momentum } = spec;
    return this.apply(tfl.layers.batchNormalization({ name, axis: -1, epsilon, momentum }), x);
  }

  activation(
    x: Tensor,
    name: string,
    activation: 'relu' | 'sigmoid' | 'swish' | 'softmax' | 'linear',
  ): Tensor {
    return this.apply(tfl.layers.activation({ name, activation }), x);
  }

  relu6(x: Tensor, name: string): Tensor {
    return this.apply(tfl.layers.reLU({ name, maxValue: 6 }), x);
  }

  /** Symmetric zero padding by `pad` pixels, or `[[top, bottom], [left, right]]`. */
  zeroPad(x: Tensor, name: string, pad: number | [[number, number], [number, number]]): Tensor {
    const padding: [[number, number], [number, number]] =
      typeof pad === 'number'
        ? [
            [pad, pad],
            [pad, pad],
          ]
        : pad;
    return this.apply(tfl.layers.zeroPadding2d({ name, padding }), x);
  }

  maxPool(x: Tensor, name: string, poolSize: number, strides: number, padding: Padding = 'valid'): Tensor {
    return this.apply(tfl.layers.maxPooling2d({ name, poolSize, strides, padding }), x);
  }

  avgPool(x: Tensor, name: string, poolSize: number, strides: number, padding: Padding = 'valid'): Tensor {
    return this.apply(tfl.layers.averagePooling2d({ name, poolSize, strides, padding }), x);
  }

  add(xs: Tensor[], name: string): Tensor {
    return this.apply(tfl.layers.add({ name }), xs);
  }

  multiply(xs: Tensor[], name: string): Tensor {
    return this.apply(tfl.layers.multiply({ name }), xs);
  }

  concat(xs: Tensor[], name: string): Tensor {
    return this.apply(tfl.layers.concatenate({ name, axis: -1 }), xs);
  }

  /** Dropout with a fresh mask every training call, drawn from this builder's seed stream. */
  dropout(x: Tensor, name: string, rate: number, noiseShape?: (number | null)[]): Tensor {
    return this.apply(
      new SeededDropout({
        name,
        rate,
        seed: this.seed(),
        ...(noiseShape === undefined ? {} : { noiseShape }),
      }),
      x,
    );
  }

  /** Stochastic depth: drops the whole residual branch per sample (Huang et al. 2016). */
  dropPath(x: Tensor, name: string, rate: number): Tensor {
    return this.dropout(x, name, rate, [null, 1, 1, 1]);
  }

  globalAvgPool(x: Tensor, name: string): Tensor {
    return this.apply(tfl.layers.globalAveragePooling2d({ name }), x);
  }

  globalMaxPool(x: Tensor, name: string): Tensor {
    return this.apply(tfl.layers.globalMaxPooling2d({ name }), x);
  }

  reshape(x: Tensor, name: string, targetShape: number[]): Tensor {
    return this.apply(tfl.layers.reshape({ name, targetShape }), x);
  }

  dense(
    x: Tensor,
    name: string,
    units: number,
    activation: 'linear' | 'relu' | 'softmax' | 'sigmoid',
  ): Tensor {
    return this.apply(
      tfl.layers.dense({
        name,
        units,
        activation,
        kernelInitializer: this.denseInit(),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }
}
