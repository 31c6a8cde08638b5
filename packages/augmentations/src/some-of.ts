import { InvalidArgumentError } from '@topk/core';
import { Composition, checkChildren, type PlanContext } from './composition.js';
import { common } from './leaf.js';
import type { CommonOptions, CompositionParams, CompositionStep, Stage, Transform } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link someOf}. */
export interface SomeOfOptions extends CommonOptions {
  /** @defaultValue 1 (albumentations `SomeOf`) */
  readonly p?: number;
}

class SomeOf extends Composition {
  readonly n: number;

  constructor(children: readonly Transform[], n: number, p: number, stage: Stage) {
    super('someOf', children, p, stage, { n }, false);
    this.n = n;
  }

  protected plan({ rng, shape, selected, training }: PlanContext): CompositionStep[] {
    const chosen = selected.map((s) => {
      const picked = new Set<number>();
      if (!s) return picked;
      const weights = this.children.map((child) => child.p);
      for (let k = 0; k < this.n && weights.some((w) => w > 0); k++) {
        const index = rng.weightedIndex(weights);
        picked.add(index);
        weights[index] = 0;
      }
      return picked;
    });
    const steps: CompositionStep[] = [];
    this.children.forEach((child, index) => {
      const active = chosen.map((set) => set.has(index));
      if (!active.some(Boolean)) return;
      steps.push({ child: index, params: child.sample(rng, shape, { training, active, force: true }) });
    });
    return steps;
  }
}

/**
 * Applies `n` different children per selected image (albumentations `SomeOf` without replacement):
 * drawn with probabilities proportional to their `p`, applied regardless of it, in list order.
 */
export function someOf(
  children: readonly Transform[],
  n: number,
  options: SomeOfOptions = {},
): Transform<CompositionParams> {
  const fn = 'someOf';
  const list = checkChildren(fn, children);
  if (!Number.isSafeInteger(n) || n < 1 || n > list.length) {
    throw new InvalidArgumentError(fn, 'n', `an integer in [1, ${list.length}]`, n);
  }
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 1);
  return new SomeOf(list, n, p, stage);
}
