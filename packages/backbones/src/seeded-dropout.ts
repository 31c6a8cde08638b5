import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, Rng } from '@topk/core';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

/** Options of {@link SeededDropout}. */
export interface SeededDropoutArgs extends LayerArgs {
  /** Fraction of units to drop while training, in [0, 1). */
  readonly rate: number;
  /**
   * Shape of the binary mask, broadcast over the input; `null` entries take the input's size. `[null, 1,
   * 1, 1]` drops whole samples (stochastic depth).
   * @defaultValue the input's shape
   */
  readonly noiseShape?: (number | null)[];
  /**
   * Seed of the mask stream: the n-th training call always draws the same mask for a given seed.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/**
 * Dropout whose masks come from a seeded {@link Rng} stream, a new mask at every training call.
 *
 * tfjs-layers' own `Dropout` either draws from an unseeded generator or, given a `seed`, passes that same
 * seed to `tf.dropout` at every call, so it drops the same units at every step. Identity at inference.
 * Kept units are scaled by `1 / (1 - rate)` (inverted dropout), as in Keras and PyTorch.
 */
export class SeededDropout extends tfl.layers.Layer {
  /** @internal Serialization name, registered by {@link registerCustomLayers}. */
  static readonly className = 'TopkSeededDropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | undefined;
  readonly seed: number;
  readonly #rng: Rng;

  constructor(args: SeededDropoutArgs) {
    super(args);
    const { rate, noiseShape, seed = 0 } = args;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new InvalidArgumentError('SeededDropout', 'rate', 'a number in [0, 1)', rate);
    }
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError('SeededDropout', 'seed', 'a safe integer', seed);
    }
    this.rate = rate;
    this.noiseShape = noiseShape === undefined ? undefined : [...noiseShape];
    this.seed = seed;
    this.#rng = new Rng(seed);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    const noiseShape = this.noiseShape?.map((d, i) => d ?? x.shape[i]!);
    const seed = this.#rng.seedForTf();
    return tf.tidy(() => tf.dropout(x, this.rate, noiseShape, seed));
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate, seed: this.seed };
    if (this.noiseShape !== undefined) config.noiseShape = this.noiseShape;
    return config;
  }
}
