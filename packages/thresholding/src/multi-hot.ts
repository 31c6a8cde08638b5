import type { MultiLabel } from '@topk/core';
import { checkInteger, InvalidArgumentError } from '@topk/core';

/**
 * Multi-label targets as a row-major `labels.length × numClasses` 0/1 matrix, the form that the
 * multi-label metrics and the threshold search take.
 *
 * @param labels - per row, the indices of its classes (any order, repeats allowed, empty for none).
 * @param numClasses - number of classes (columns).
 *
 * @example
 * ```ts
 * multiHot([[0, 2], [], [1]], 3); // Uint8Array [1, 0, 1, 0, 0, 0, 0, 1, 0]
 * ```
 */
export function multiHot(labels: readonly MultiLabel[], numClasses: number): Uint8Array {
  const fn = 'multiHot';
  if (!Array.isArray(labels))
    throw new InvalidArgumentError(fn, 'labels', 'an array of class index lists', labels);
  checkInteger(fn, 'numClasses', numClasses, 1);
  const out = new Uint8Array(labels.length * numClasses);
  labels.forEach((row: unknown, i) => {
    if (!Array.isArray(row))
      throw new InvalidArgumentError(fn, `labels[${i}]`, 'an array of class indices', row);
    row.forEach((c: unknown, k) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= numClasses) {
        throw new InvalidArgumentError(fn, `labels[${i}][${k}]`, `an integer in [0, ${numClasses})`, c);
      }
      out[i * numClasses + c] = 1;
    });
  });
  return out;
}
