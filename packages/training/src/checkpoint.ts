import { InvalidArgumentError } from '@topk/core';
import { type Callback, type CallbackContext, type CallbackState, inferMode } from './callback.js';
import { saveCheckpoint } from './checkpoint-io.js';
import { checkBoolean, checkOneOf, checkOptions, checkPositiveInteger, checkString } from './validate.js';

/** Options of {@link checkpoint}. */
export interface CheckpointOptions {
  /** Directory of the checkpoints (`last.json`, `best.json` and their binaries). */
  readonly dir: string;
  /**
   * Epoch log that decides the best checkpoint.
   * @defaultValue 'valid_loss'
   */
  readonly monitor?: string;
  /** @defaultValue `min` for names with "loss" or "error", else `max` */
  readonly mode?: 'min' | 'max';
  /**
   * Save `best` whenever the monitored value improves (needs it in the epoch logs).
   * @defaultValue true
   */
  readonly saveBest?: boolean;
  /**
   * Save `last` at the end of every epoch (and every `everySteps` steps), the checkpoint that resume reads.
   * @defaultValue true
   */
  readonly saveLast?: boolean;
  /** Also save `last` every this many optimizer steps, mid-epoch: a killed run loses at most that many. */
  readonly everySteps?: number;
}

/**
 * Saves checkpoints with {@link saveCheckpoint} (atomic: a kill never leaves a torn one): `last` at each
 * epoch end and every `everySteps` steps, `best` when the monitored metric improves. `learner.fit(n,
 * { resumeFrom: dir })` continues from `last`.
 */
export class Checkpoint implements Callback {
  readonly name = 'checkpoint';
  readonly order = 20;
  readonly dir: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveBest: boolean;
  readonly saveLast: boolean;
  readonly everySteps: number | undefined;
  #best = Number.NaN;
  #restored = false;

  constructor(options: CheckpointOptions) {
    const fn = 'checkpoint';
    checkOptions(fn, options);
    this.dir = checkString(fn, 'dir', options.dir);
    this.monitor = checkString(fn, 'monitor', options.monitor ?? 'valid_loss');
    this.mode = checkOneOf(fn, 'mode', options.mode ?? inferMode(this.monitor), ['min', 'max'] as const);
    this.saveBest = checkBoolean(fn, 'saveBest', options.saveBest ?? true);
    this.saveLast = checkBoolean(fn, 'saveLast', options.saveLast ?? true);
    this.everySteps =
      options.everySteps === undefined
        ? undefined
        : checkPositiveInteger(fn, 'everySteps', options.everySteps);
  }

  /** The best monitored value so far (NaN before the first). */
  get best(): number {
    return this.#best;
  }

  onTrainBegin(): void {
    if (!this.#restored) this.#best = Number.NaN;
    this.#restored = false;
  }

  async onBatchEnd({ learner, stepped, step }: CallbackContext): Promise<void> {
    if (this.saveLast && this.everySteps !== undefined && stepped && step % this.everySteps === 0) {
      await saveCheckpoint(learner, this.dir, 'last');
    }
  }

  async onEpochEnd({ learner, logs }: CallbackContext): Promise<void> {
    if (this.saveBest) {
      const value = logs[this.monitor];
      if (value === undefined) {
        throw new InvalidArgumentError(
          'checkpoint',
          'monitor',
          `one of the epoch logs (${Object.keys(logs).join(', ')}); give the learner valid data or set saveBest: false`,
          this.monitor,
        );
      }
      const improved =
        Number.isFinite(value) &&
        (Number.isNaN(this.#best) || (this.mode === 'min' ? value < this.#best : value > this.#best));
      if (improved) {
        this.#best = value;
        await saveCheckpoint(learner, this.dir, 'best');
      }
    }
    if (this.saveLast) await saveCheckpoint(learner, this.dir, 'last');
  }

  getState(): CallbackState {
    return { json: { best: Number.isNaN(this.#best) ? null : this.#best } };
  }

  setState(state: CallbackState): void {
    this.#best = (state.json as { best?: number | null } | null)?.best ?? Number.NaN;
    this.#restored = true;
  }
}

/** Creates a {@link Checkpoint} callback. */
export function checkpoint(options: CheckpointOptions): Checkpoint {
  return new Checkpoint(options);
}
