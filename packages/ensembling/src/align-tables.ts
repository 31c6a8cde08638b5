import type { PredictionTable } from '@topk/core';
import { checkPredictionTable, createPredictionTable, InvalidArgumentError } from '@topk/core';
import { describeNameMismatch } from './validate.js';

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * Puts prediction tables from several models in one layout: every table's rows in the first table's id
 * order and its columns in the first table's class order. Tables already in that layout are returned as
 * they are (no copy). Every combining function of this package aligns its input this way.
 *
 * @param tables - at least one table; all must hold the same set of ids and the same set of classes.
 */
export function alignTables(tables: readonly PredictionTable[]): PredictionTable[] {
  return alignTablesFor('alignTables', tables);
}

/** {@link alignTables} reporting errors as `fn` (internal). */
export function alignTablesFor(fn: string, tables: readonly PredictionTable[]): PredictionTable[] {
  if (!Array.isArray(tables as unknown) || tables.length === 0) {
    throw new InvalidArgumentError(fn, 'tables', 'a non-empty array of prediction tables', tables);
  }
  tables.forEach((table, m) => {
    checkPredictionTable(fn, `tables[${m}]`, table);
  });
  const reference = tables[0]!;
  return tables.map((table, m) => {
    if (m === 0) return table;
    const sameIds = sameOrder(table.ids, reference.ids);
    const sameClasses = sameOrder(table.classes, reference.classes);
    if (sameIds && sameClasses) return table;
    const idProblem = sameIds ? '' : describeNameMismatch(reference.ids, table.ids);
    if (idProblem !== '' || table.ids.length !== reference.ids.length) {
      throw new InvalidArgumentError(
        fn,
        `tables[${m}].ids`,
        `the same ids as tables[0].ids, in any order (${idProblem || 'a different count'})`,
        table.ids,
      );
    }
    const classProblem = sameClasses ? '' : describeNameMismatch(reference.classes, table.classes);
    if (classProblem !== '' || table.classes.length !== reference.classes.length) {
      throw new InvalidArgumentError(
        fn,
        `tables[${m}].classes`,
        `the same classes as tables[0].classes, in any order (${classProblem || 'a different count'})`,
        table.classes,
      );
    }
    const row = new Map(table.ids.map((id, i) => [id, i]));
    const column = new Map(table.classes.map((name, j) => [name, j]));
    const c = reference.classes.length;
    const columns = reference.classes.map((name) => column.get(name)!);
    const probs = new Float32Array(reference.ids.length * c);
    reference.ids.forEach((id, i) => {
      const from = row.get(id)! * c;
      for (let j = 0; j < c; j++) probs[i * c + j] = table.probs[from + columns[j]!]!;
    });
    return createPredictionTable(reference.ids, reference.classes, probs);
  });
}
