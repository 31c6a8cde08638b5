import type { Schedule } from './types.js';
import { checkNonNegative } from './validate.js';

/**
 * The same learning rate at every step. `@topk/schedulers` has the full set of schedules (they are
 * `(step) => lr` functions too, and plug in wherever a {@link Schedule} goes).
 * @param lr - the learning rate, ≥ 0.
 */
export function constant(lr: number): Schedule {
  checkNonNegative('constant', 'lr', lr);
  return () => lr;
}
