import { Composition, checkChildren, type PlanContext } from './composition.js';
import { common } from './leaf.js';
import type { CommonOptions, CompositionParams, CompositionStep, Stage, Transform } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link randomOrder}. */
export interface RandomOrderOptions extends CommonOptions {
  /** @defaultValue 1 */
  readonly p?: number;
}

class RandomOrder extends Composition {
  constructor(children: readonly Transform[], p: number, stage: Stage) {
    super('randomOrder', children, p, stage, {}, false);
  }

  protected plan({ rng, shape, selected, training }: PlanContext): CompositionStep[] {
    const k = this.children.length;
    const orders = selected.map((s) => (s ? rng.permutation(k) : null));
    const steps: CompositionStep[] = [];
    // Position by position: at each position, every child runs on the images that put it there.
    for (let position = 0; position < k; position++) {
      this.children.forEach((child, index) => {
        const active = orders.map((order) => order !== null && order[position] === index);
        if (!active.some(Boolean)) return;
        steps.push({ child: index, params: child.sample(rng, shape, { training, active }) });
      });
    }
    return steps;
  }
}

/**
 * Runs all children, each with its own `p`, in a random order drawn per image (imgaug
 * `Sequential(random_order=True)`).
 */
export function randomOrder(
  children: readonly Transform[],
  options: RandomOrderOptions = {},
): Transform<CompositionParams> {
  const fn = 'randomOrder';
  const list = checkChildren(fn, children);
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 1);
  return new RandomOrder(list, p, stage);
}
