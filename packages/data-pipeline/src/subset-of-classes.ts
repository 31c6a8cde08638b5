import { InvalidArgumentError, type Rng } from '@topk/core';
import { requireLabels } from './dataset.js';
import { keepClasses } from './keep-classes.js';
import { checkRng } from './sampler.js';
import type { Dataset } from './types.js';

/** Options of {@link subsetOfClasses}: `fraction` or `count`, not both. */
export interface SubsetOfClassesOptions {
  /** Fraction of the classes to keep, in (0, 1]; `round(classes × fraction)` of them, at least one. */
  readonly fraction?: number;
  /** Number of classes to keep. */
  readonly count?: number;
  /** Seeded randomness. */
  readonly rng: Rng;
}

/**
 * A prototyping subset that keeps some classes with **all** their images (Cdiscount write-up: keep ~1 %
 * of 5 000 classes; each kept class has as many examples as in the full data, which a random 1 % of
 * images would not give). The classes are drawn uniformly without replacement; the vocabulary shrinks
 * to them and labels are renumbered. Multi-label items keep only the kept labels.
 *
 * @param dataset - a labelled dataset.
 */
export function subsetOfClasses(dataset: Dataset, options: SubsetOfClassesOptions): Dataset {
  const fn = 'subsetOfClasses';
  const vocabulary = requireLabels(fn, dataset);
  checkRng(fn, options?.rng);
  const { fraction, count } = options;
  if ((fraction === undefined) === (count === undefined)) {
    throw new InvalidArgumentError(fn, 'options', 'either fraction or count', options);
  }
  let keepCount: number;
  if (fraction !== undefined) {
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
      throw new InvalidArgumentError(fn, 'options.fraction', 'a number in (0, 1]', fraction);
    }
    keepCount = Math.max(1, Math.round(vocabulary.size * fraction));
  } else {
    if (!Number.isSafeInteger(count) || count! < 1 || count! > vocabulary.size) {
      throw new InvalidArgumentError(fn, 'options.count', `an integer in [1, ${vocabulary.size}]`, count);
    }
    keepCount = count!;
  }
  const keep = new Array<boolean>(vocabulary.size).fill(false);
  for (const c of options.rng.sample([...Array(vocabulary.size).keys()], keepCount)) keep[c] = true;
  return keepClasses(dataset, vocabulary, keep, false);
}
