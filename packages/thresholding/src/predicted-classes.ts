import type { PredictionTable } from '@topk/core';
import { checkPredictionTable } from '@topk/core';
import { argmaxAt } from './validate.js';

/**
 * The most probable class of every row (argmax). On ties the lower class index wins, as numpy's `argmax`.
 * @param table - the predictions.
 */
export function predictedClasses(table: PredictionTable): Int32Array {
  checkPredictionTable('predictedClasses', 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmaxAt(table.probs, i * c, c);
  return out;
}
