import type { PredictionTable } from '@topk/core';
import {
  checkInteger,
  checkOneOf,
  checkOptions,
  checkPredictionTable,
  createPredictionTable,
  InvalidArgumentError,
} from '@topk/core';
import { describeNameMismatch, listNames } from './validate.js';

/**
 * How {@link combineHierarchical} routes rows to the group classifiers:
 * - `'product'`: every group counts, `p(class) = p(group) · p(class | group)`;
 * - `'top-k'`: only the `k` most probable groups of a row count (as if only their classifiers ran), their
 *   probabilities renormalised to sum to 1; classes of other groups get 0.
 */
export type HierarchicalRouting = 'product' | 'top-k';

/** Options of {@link combineHierarchical}. */
export interface CombineHierarchicalOptions {
  /**
   * How rows are routed to the group classifiers.
   * @defaultValue 'product'
   */
  readonly routing?: HierarchicalRouting;
  /**
   * Groups kept per row with `'top-k'` routing (ties: lower group index first).
   * @defaultValue 1
   */
  readonly k?: number;
  /**
   * Column order of the result, the fine classes in vocabulary order. By default the classes of each group's
   * table follow one another in the order of the top-level classes.
   */
  readonly classes?: readonly string[];
}

/**
 * Combines a top-level classifier with one classifier per top-level class into predictions over the fine
 * classes, the two-level scheme of the Cdiscount write-up: "first classify the image to one (or top 5) of
 * the upper level categories, then based on this do the lower level classification". Apply it again to
 * add a third level.
 *
 * Fine classes must be unique across groups. With `'product'` routing every group table must have a row for
 * every id of `top`; with `'top-k'` only for the rows routed to it (ids a group table lacks or does not
 * need are ignored).
 *
 * @param top - predictions over the groups (top-level classes).
 * @param children - for each top-level class name, the predictions over its fine classes.
 */
export function combineHierarchical(
  top: PredictionTable,
  children: Readonly<Record<string, PredictionTable>>,
  options: CombineHierarchicalOptions = {},
): PredictionTable {
  const fn = 'combineHierarchical';
  checkPredictionTable(fn, 'top', top);
  if (typeof children !== 'object' || children === null || Array.isArray(children)) {
    throw new InvalidArgumentError(
      fn,
      'children',
      'an object mapping each top-level class to a table',
      children,
    );
  }
  const { routing = 'product', k = 1, classes } = checkOptions<CombineHierarchicalOptions>(fn, options);
  checkOneOf(fn, 'options.routing', routing, ['product', 'top-k']);
  checkInteger(fn, 'options.k', k, 1);
  const groups = top.classes;
  const problem = describeNameMismatch(groups, Object.keys(children));
  if (problem !== '') {
    throw new InvalidArgumentError(
      fn,
      'children',
      `one table per top-level class of top (${problem})`,
      Object.keys(children),
    );
  }
  // Column of each fine class in the output, and the group that owns it.
  const fine: string[] = [];
  const owner = new Map<string, string>();
  for (const group of groups) {
    const child = checkPredictionTable(fn, `children[${JSON.stringify(group)}]`, children[group]);
    for (const name of child.classes) {
      const previous = owner.get(name);
      if (previous !== undefined) {
        throw new InvalidArgumentError(
          fn,
          `children[${JSON.stringify(group)}].classes`,
          `classes not used by another group (${JSON.stringify(name)} is also in ${JSON.stringify(previous)}; prefix them)`,
          child.classes,
        );
      }
      owner.set(name, group);
      fine.push(name);
    }
  }
  let outClasses = fine;
  if (classes !== undefined) {
    const mismatch = Array.isArray(classes as unknown) ? describeNameMismatch(fine, classes) : 'not an array';
    if (mismatch !== '' || classes.length !== fine.length) {
      throw new InvalidArgumentError(
        fn,
        'options.classes',
        `the fine classes of the group tables (${mismatch || 'repeats'})`,
        classes,
      );
    }
    outClasses = [...classes];
  }
  const column = new Map(outClasses.map((name, j) => [name, j]));
  const n = top.ids.length;
  const g = groups.length;
  const c = outClasses.length;
  const probs = new Float32Array(n * c);
  const childRows = groups.map((group) => new Map(children[group]!.ids.map((id, i) => [id, i])));
  const childColumns = groups.map((group) => children[group]!.classes.map((name) => column.get(name)!));
  const order = new Int32Array(g);
  for (let i = 0; i < n; i++) {
    const id = top.ids[i]!;
    const groupProbs = top.probs.subarray(i * g, (i + 1) * g);
    let kept = g;
    let total = 1;
    if (routing === 'top-k') {
      for (let a = 0; a < g; a++) order[a] = a;
      order.sort((a, b) => groupProbs[b]! - groupProbs[a]! || a - b);
      kept = Math.min(k, g);
      total = 0;
      for (let r = 0; r < kept; r++) total += groupProbs[order[r]!]!;
    } else {
      for (let a = 0; a < g; a++) order[a] = a;
    }
    for (let r = 0; r < kept; r++) {
      const a = order[r]!;
      const child = children[groups[a]!]!;
      const row = childRows[a]!.get(id);
      if (row === undefined) {
        throw new InvalidArgumentError(
          fn,
          `children[${JSON.stringify(groups[a])}].ids`,
          `a row for every id routed to the group (missing ${listNames([id])})`,
          child.ids,
        );
      }
      // With top-k routing and all kept groups at 0 the row stays 0 rather than 0/0.
      const weight = total > 0 ? groupProbs[a]! / total : 0;
      const cc = child.classes.length;
      const columns = childColumns[a]!;
      for (let j = 0; j < cc; j++)
        probs[i * c + columns[j]!] = Math.min(1, weight * child.probs[row * cc + j]!);
    }
  }
  return createPredictionTable(top.ids, outClasses, probs);
}
