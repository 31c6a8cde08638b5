import { InvalidArgumentError, Rng, type RngState } from '@topk/core';

/**
 * A sampler's checkpoint: each epoch's order is drawn from a child stream of `rng` named after the epoch,
 * so this plus the epoch number reproduces any epoch's order exactly, on any machine.
 */
export interface SamplerState {
  readonly kind: string;
  /** State of the base generator, or `null` for samplers without randomness. */
  readonly rng: RngState | null;
}

/**
 * The order in which a batch stream visits a dataset's items, epoch by epoch. Orders are pure functions
 * of the sampler's state and the epoch number, so a run resumed mid-epoch replays the same order and can
 * skip the batches it has already seen.
 */
export interface Sampler {
  /** `'sequential'`, `'shuffled'`, `'class-balanced'`, `'m-per-class'`. */
  readonly kind: string;
  /** Number of items the sampler draws from (the dataset's size). */
  readonly size: number;
  /** Number of indices per epoch. */
  readonly length: number;
  /** For samplers that compose whole batches (m-per-class): the batch size the order is cut into. */
  readonly batchSize?: number;
  /** The item indices of `epoch`, in order (repeats possible for samplers with replacement). */
  indices(epoch: number): Int32Array;
  /** A plain-JSON checkpoint. */
  getState(): SamplerState;
  /** Restores a checkpoint from {@link Sampler.getState} of a sampler of the same kind. */
  setState(state: SamplerState): void;
}

/** Checks a dataset size for a sampler. */
export function checkSize(fn: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 31 - 1) {
    throw new InvalidArgumentError(fn, 'size', 'an integer in [0, 2^31)', size);
  }
}

/** Checks an epoch number. */
export function checkEpoch(fn: string, epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new InvalidArgumentError(fn, 'epoch', 'a non-negative integer', epoch);
}

/** Checks that `rng` is an {@link Rng}. */
export function checkRng(fn: string, rng: unknown, argument = 'options.rng'): asserts rng is Rng {
  if (!(rng instanceof Rng))
    throw new InvalidArgumentError(fn, argument, 'an Rng (seeded randomness is required)', rng);
}

/**
 * Random-access per-epoch generators: a base state taken once from a child of the caller's generator,
 * and for each epoch a child of that base named `epoch <n>`.
 */
export class EpochRng {
  readonly #kind: string;
  #base: RngState;

  constructor(rng: Rng, kind: string) {
    this.#kind = kind;
    this.#base = rng.split(kind).getState();
  }

  /** The generator of `epoch`: the same every time it is asked for. */
  forEpoch(epoch: number): Rng {
    return Rng.fromState(this.#base).split(`epoch ${epoch}`);
  }

  getState(): SamplerState {
    return { kind: this.#kind, rng: this.#base };
  }

  setState(fn: string, state: SamplerState): void {
    if (typeof state !== 'object' || state === null || state.kind !== this.#kind) {
      throw new InvalidArgumentError(fn, 'state', `the state of a "${this.#kind}" sampler`, state);
    }
    // Rng.fromState validates the words.
    Rng.fromState(state.rng as RngState);
    this.#base = state.rng as RngState;
  }
}
