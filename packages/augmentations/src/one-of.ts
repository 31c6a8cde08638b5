import { Composition, checkChildren, type PlanContext } from './composition.js';
import { common } from './leaf.js';
import type { CommonOptions, CompositionParams, CompositionStep, Stage, Transform } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link oneOf}. */
export interface OneOfOptions extends CommonOptions {
  /** @defaultValue 0.5 (albumentations `OneOf`) */
  readonly p?: number;
}

class OneOf extends Composition {
  constructor(children: readonly Transform[], p: number, stage: Stage) {
    super('oneOf', children, p, stage, {}, false);
  }

  protected plan({ rng, shape, selected, training }: PlanContext): CompositionStep[] {
    const weights = this.children.map((child) => child.p);
    const total = weights.reduce((a, b) => a + b, 0);
    const choice = selected.map((s) => (s && total > 0 ? rng.weightedIndex(weights) : -1));
    const steps: CompositionStep[] = [];
    this.children.forEach((child, index) => {
      const active = choice.map((c) => c === index);
      if (!active.some(Boolean)) return;
      steps.push({ child: index, params: child.sample(rng, shape, { training, active, force: true }) });
    });
    return steps;
  }
}

/**
 * Applies exactly one child per selected image (albumentations `OneOf`): the child is drawn with
 * probability proportional to its `p`, then applied regardless of its `p`.
 */
export function oneOf(
  children: readonly Transform[],
  options: OneOfOptions = {},
): Transform<CompositionParams> {
  const fn = 'oneOf';
  const list = checkChildren(fn, children);
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  return new OneOf(list, p, stage);
}
