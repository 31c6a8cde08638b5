import { TopkError } from '@topk/core';
import type { Callback, CallbackContext } from './callback.js';

/** Training produced a loss that is NaN or infinite. */
export class TrainingDivergedError extends TopkError {
  /** Optimizer step of the fit at which it happened. */
  readonly step: number;
  /** Epoch (0-based) in which it happened. */
  readonly epoch: number;
  /** Learning rate of that step. */
  readonly lr: number | undefined;
  /** The loss value (NaN or ±Infinity). */
  readonly loss: number;

  constructor(epoch: number, batch: number, step: number, lr: number | undefined, loss: number) {
    const rate = lr === undefined ? 'an unknown learning rate' : `learning rate ${lr}`;
    const advice =
      lr === undefined || lr === 0
        ? 'Lower the learning rate or run learner.findLr() to pick one.'
        : `Lower the learning rate (try ${lr / 10} or less) or run learner.findLr() to pick one.`;
    super(
      'TRAINING_DIVERGED',
      `Training diverged: the loss is ${loss} at step ${step} (epoch ${epoch}, batch ${batch}) with ${rate}. ${advice}`,
    );
    this.step = step;
    this.epoch = epoch;
    this.lr = lr;
    this.loss = loss;
  }
}

/**
 * Stops the run at the first batch whose loss is NaN or infinite, throwing a
 * {@link TrainingDivergedError} that names the step and the learning rate. Runs before every other
 * callback, so no checkpoint of the diverged weights is written.
 */
export class TerminateOnNaN implements Callback {
  readonly name = 'terminateOnNaN';
  readonly order = -100;

  onBatchEnd({ epoch, batch, step, logs }: CallbackContext): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      throw new TrainingDivergedError(epoch, batch, step, logs.lr, loss);
    }
  }
}

/** Creates a {@link TerminateOnNaN} callback. */
export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
