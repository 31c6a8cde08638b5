import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

/** Options of {@link GroupedConv2D}. */
export interface GroupedConv2DArgs extends LayerArgs {
  /** Output channels; a multiple of `groups`. */
  readonly filters: number;
  /** Square kernel size. */
  readonly kernelSize: number;
  /**
   * Number of channel groups; input channels must be a multiple of it.
   * @defaultValue 1
   */
  readonly groups?: number;
  /** @defaultValue 1 */
  readonly strides?: number;
  /** @defaultValue 'same' */
  readonly padding?: 'same' | 'valid';
  /** @defaultValue false */
  readonly useBias?: boolean;
  /**
   * Seed of the He fan-out uniform kernel initializer.
   * @defaultValue 0
   */
  readonly seed?: number;
}

function checkPositiveInt(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('GroupedConv2D', argument, 'a positive integer', value);
  }
  return value;
}

function convLength(length: number | null, kernel: number, stride: number, padding: 'same' | 'valid') {
  if (length === null) return null;
  return padding === 'same' ? Math.ceil(length / stride) : Math.ceil((length - kernel + 1) / stride);
}

/**
 * A grouped 2-D convolution (PyTorch's `Conv2d(groups=g)`, used by ResNeXt): input and output channels
 * are split into `groups` blocks and output block `i` sees only input block `i`. The kernel is stored as
 * `[k, k, inChannels / groups, filters]`, so it holds exactly the parameters of the grouped convolution,
 * and output block `i` uses kernel columns `[i * filters / groups, (i + 1) * filters / groups)` (the
 * transpose of PyTorch's `[filters, inChannels / groups, k, k]` weight).
 *
 * tfjs-layers' `Conv2D` has no `groups` argument, and a depthwise + pointwise pair is a different (and
 * smaller) function, so each group runs its own `conv2d` and the results are concatenated.
 */
export class GroupedConv2D extends tfl.layers.Layer {
  /** @internal Serialization name, registered by {@link registerCustomLayers}. */
  static readonly className = 'TopkGroupedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly groups: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  readonly useBias: boolean;
  readonly seed: number;
  kernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    this.filters = checkPositiveInt('filters', args.filters);
    this.kernelSize = checkPositiveInt('kernelSize', args.kernelSize);
    this.groups = checkPositiveInt('groups', args.groups ?? 1);
    this.strides = checkPositiveInt('strides', args.strides ?? 1);
    const { padding = 'same', useBias = false, seed = 0 } = args;
    if (padding !== 'same' && padding !== 'valid') {
      throw new InvalidArgumentError('GroupedConv2D', 'padding', '"same" or "valid"', padding);
    }
    if (!Number.isSafeInteger(seed))
      throw new InvalidArgumentError('GroupedConv2D', 'seed', 'a safe integer', seed);
    if (this.filters % this.groups !== 0) {
      throw new InvalidArgumentError(
        'GroupedConv2D',
        'filters',
        `a multiple of groups (${this.groups})`,
        this.filters,
      );
    }
    this.padding = padding;
    this.useBias = useBias;
    this.seed = seed;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || typeof channels !== 'number' || channels % this.groups !== 0) {
      throw new InvalidArgumentError(
        'GroupedConv2D',
        'input shape',
        `rank 4 with channels a multiple of groups (${this.groups})`,
        `[${shape.join(', ')}]`,
      );
    }
    const k = this.kernelSize;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, channels / this.groups, this.filters],
      'float32',
      tfl.initializers.varianceScaling({
        scale: 2,
        mode: 'fanOut',
        distribution: 'uniform',
        seed: this.seed,
      }),
    );
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [batch = null, height = null, width = null] = shape;
    return [
      batch,
      convLength(height, this.kernelSize, this.strides, this.padding),
      convLength(width, this.kernelSize, this.strides, this.padding),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const strides: [number, number] = [this.strides, this.strides];
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = tf.conv2d(x, kernel, strides, this.padding) as tf.Tensor4D;
      } else {
        const xs = tf.split(x, this.groups, 3);
        const ks = tf.split(kernel, this.groups, 3);
        y = tf.concat(
          xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ks[i] as tf.Tensor4D, strides, this.padding)),
          3,
        );
      }
      return this.bias === null ? y : tf.add(y, this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      useBias: this.useBias,
      seed: this.seed,
    };
  }
}
