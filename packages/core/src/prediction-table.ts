import { InvalidArgumentError } from './errors.js';
import type { PredictionTable } from './types.js';

function checkNames(
  fn: string,
  argument: string,
  names: unknown,
  allowEmptyList: boolean,
): readonly string[] {
  if (!Array.isArray(names)) throw new InvalidArgumentError(fn, argument, 'an array of strings', names);
  if (!allowEmptyList && names.length === 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-empty array of strings', names);
  }
  const firstIndex = new Map<string, number>();
  names.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(fn, `${argument}[${i}]`, 'a non-empty string', name);
    }
    const previous = firstIndex.get(name);
    if (previous !== undefined) {
      throw new InvalidArgumentError(
        fn,
        `${argument}[${i}]`,
        `unique (it repeats ${argument}[${previous}])`,
        name,
      );
    }
    firstIndex.set(name, i);
  });
  return Object.freeze([...(names as string[])]);
}

/**
 * Builds a {@link PredictionTable}, checking that ids and classes are unique non-empty strings and that
 * `probs` holds `ids.length × classes.length` probabilities in [0, 1].
 *
 * A `Float32Array` is used as is, not copied (tables can be large); other array-likes are converted.
 * `ids` and `classes` are copied and frozen.
 *
 * @param ids - one identifier per row.
 * @param classes - one class name per column; at least one.
 * @param probs - row-major probabilities.
 */
export function createPredictionTable(
  ids: readonly string[],
  classes: readonly string[],
  probs: Float32Array | ArrayLike<number>,
): PredictionTable {
  const fn = 'createPredictionTable';
  const rowIds = checkNames(fn, 'ids', ids, true);
  const classNames = checkNames(fn, 'classes', classes, false);
  if (!Array.isArray(probs) && !(ArrayBuffer.isView(probs) && !(probs instanceof DataView))) {
    throw new InvalidArgumentError(fn, 'probs', 'a Float32Array or an array of numbers', probs);
  }
  const expectedLength = rowIds.length * classNames.length;
  if (probs.length !== expectedLength) {
    throw new InvalidArgumentError(
      fn,
      'probs',
      `of length ids.length × classes.length = ${rowIds.length} × ${classNames.length} = ${expectedLength}`,
      probs,
    );
  }
  const values = probs instanceof Float32Array ? probs : Float32Array.from(probs as ArrayLike<number>);
  for (let k = 0; k < values.length; k++) {
    const p = values[k]!;
    // NaN fails both comparisons, so this also rejects NaN.
    if (!(p >= 0 && p <= 1)) {
      const row = Math.floor(k / classNames.length);
      const column = k % classNames.length;
      throw new InvalidArgumentError(
        fn,
        `probs[${k}] (row ${row}, class ${classNames[column]})`,
        'in [0, 1]',
        p,
      );
    }
  }
  return Object.freeze({ ids: rowIds, classes: classNames, probs: values });
}

/**
 * The probabilities of row `i` as a view into `table.probs` (no copy: writes go through to the table).
 * @param table - the table to read.
 * @param i - row index in [0, ids.length).
 */
export function predictionRow(table: PredictionTable, i: number): Float32Array {
  const n = table.ids.length;
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new InvalidArgumentError('predictionRow', 'i', `an integer in [0, ${n})`, i);
  }
  const c = table.classes.length;
  return table.probs.subarray(i * c, (i + 1) * c);
}
