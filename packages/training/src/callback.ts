import type { Learner } from './learner.js';
import type { Logs } from './types.js';

/** What a callback sees at each event. */
export interface CallbackContext {
  readonly learner: Learner;
  /** Epoch index within the current fit, 0-based (at `onEpochEnd`, the epoch that just ended). */
  readonly epoch: number;
  /** Epochs the current fit runs in all. */
  readonly epochs: number;
  /** Optimizer steps taken so far in the current fit: the schedule's step. */
  readonly step: number;
  /** Batches done so far in the current epoch (at `onBatchEnd`, including this one). */
  readonly batch: number;
  /** Batches per epoch when the training data says so. */
  readonly batchesPerEpoch: number | undefined;
  /**
   * The logs of the event, which callbacks may add to (lower `order` runs first): at `onBatchEnd`
   * `loss`, `lr`, `batchSize` and the batch metrics; at `onEpochEnd` the epoch's means and the
   * validation metrics (`valid_loss`, `valid_accuracy`, `valid_f1`).
   */
  readonly logs: Logs;
  /** At `onBatchEnd`: whether this batch ended with an optimizer step (false while accumulating). */
  readonly stepped: boolean;
}

/** A callback's state in a checkpoint: plain JSON plus named Float32Arrays (stored in the binary file). */
export interface CallbackState {
  readonly json?: unknown;
  readonly arrays?: Readonly<Record<string, Float32Array>>;
}

/**
 * A training callback (fastai's design): implements only the events it needs, and runs in ascending
 * `order` (ties keep the order given). Events may be async. A callback whose behaviour depends on what it
 * saw (best metric, patience counter, EMA weights) implements `getState`/`setState` so that a resumed run
 * continues exactly; its `name` keys the state in the checkpoint.
 */
export interface Callback {
  /** Name, unique among a learner's callbacks (duplicates get `#2`, `#3` in checkpoints). */
  readonly name: string;
  /**
   * Lower runs first.
   * @defaultValue 0
   */
  readonly order?: number;
  onTrainBegin?(context: CallbackContext): void | Promise<void>;
  onEpochBegin?(context: CallbackContext): void | Promise<void>;
  onBatchEnd?(context: CallbackContext): void | Promise<void>;
  onEpochEnd?(context: CallbackContext): void | Promise<void>;
  onTrainEnd?(context: CallbackContext): void | Promise<void>;
  getState?(): CallbackState;
  setState?(state: CallbackState): void;
}

/** The callback events, in the order a fit fires them. */
export type CallbackEvent = 'onTrainBegin' | 'onEpochBegin' | 'onBatchEnd' | 'onEpochEnd' | 'onTrainEnd';

/** Callbacks sorted by `order` (stable), each with its unique checkpoint key. */
export function sortCallbacks(callbacks: readonly Callback[]): { callback: Callback; key: string }[] {
  const sorted = callbacks
    .map((callback, index) => ({ callback, index }))
    .sort((a, b) => (a.callback.order ?? 0) - (b.callback.order ?? 0) || a.index - b.index);
  const seen = new Map<string, number>();
  return sorted.map(({ callback }) => {
    const count = (seen.get(callback.name) ?? 0) + 1;
    seen.set(callback.name, count);
    return { callback, key: count === 1 ? callback.name : `${callback.name}#${count}` };
  });
}

/** Whether a larger value of a metric is better, from its name: losses and errors are minimised. */
export function inferMode(monitor: string): 'min' | 'max' {
  return /loss|error/i.test(monitor) ? 'min' : 'max';
}
