import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { combineHierarchical } from './hierarchical.js';

const top = createPredictionTable(['i0', 'i1'], ['animal', 'vehicle'], [0.7, 0.3, 0.2, 0.8]);
const animal = createPredictionTable(['i0', 'i1'], ['cat', 'dog'], [0.9, 0.1, 0.5, 0.5]);
const vehicle = createPredictionTable(['i1', 'i0'], ['car', 'bus', 'bike'], [0.6, 0.3, 0.1, 0.2, 0.2, 0.6]);

function expectRows(table: { probs: Float32Array }, expected: number[]) {
  expected.forEach((v, k) => {
    expect(table.probs[k]).toBeCloseTo(v, 6);
  });
}

describe('combineHierarchical', () => {
  it('multiplies group and fine probabilities', () => {
    const out = combineHierarchical(top, { animal, vehicle });
    expect(out.classes).toEqual(['cat', 'dog', 'car', 'bus', 'bike']);
    expect(out.ids).toEqual(['i0', 'i1']);
    expectRows(out, [0.63, 0.07, 0.06, 0.06, 0.18, 0.1, 0.1, 0.48, 0.24, 0.08]);
  });

  it('routes each row to its top-k groups, renormalised', () => {
    expectRows(
      combineHierarchical(top, { animal, vehicle }, { routing: 'top-k' }),
      [0.9, 0.1, 0, 0, 0, 0, 0, 0.6, 0.3, 0.1],
    );
    // k = 2 keeps both groups: the product.
    expectRows(combineHierarchical(top, { animal, vehicle }, { routing: 'top-k', k: 2 }), [
      ...combineHierarchical(top, { animal, vehicle }).probs,
    ]);
  });

  it('needs group rows only where a row is routed with top-k', () => {
    const vehicleOnlyI1 = createPredictionTable(['i1'], ['car', 'bus', 'bike'], [0.6, 0.3, 0.1]);
    const animalOnlyI0 = createPredictionTable(['i0'], ['cat', 'dog'], [0.9, 0.1]);
    const out = combineHierarchical(
      top,
      { animal: animalOnlyI0, vehicle: vehicleOnlyI1 },
      { routing: 'top-k' },
    );
    expectRows(out, [0.9, 0.1, 0, 0, 0, 0, 0, 0.6, 0.3, 0.1]);
    expect(() => combineHierarchical(top, { animal: animalOnlyI0, vehicle: vehicleOnlyI1 })).toThrow(
      'Error in combineHierarchical: children["vehicle"].ids must be a row for every id routed to the group (missing "i0")',
    );
  });

  it('orders the columns by options.classes', () => {
    const out = combineHierarchical(
      top,
      { animal, vehicle },
      { classes: ['bike', 'bus', 'car', 'cat', 'dog'] },
    );
    expectRows(out, [0.18, 0.06, 0.06, 0.63, 0.07]);
  });

  it('rejects missing groups, shared fine classes and wrong class lists', () => {
    expect(() => combineHierarchical(top, { animal })).toThrow(
      'children must be one table per top-level class of top (missing "vehicle")',
    );
    const clash = createPredictionTable(['i0', 'i1'], ['car', 'cat'], [0.5, 0.5, 0.5, 0.5]);
    expect(() => combineHierarchical(top, { animal, vehicle: clash })).toThrow(
      '"cat" is also in "animal"; prefix them',
    );
    expect(() => combineHierarchical(top, { animal, vehicle }, { classes: ['cat'] })).toThrow(
      'options.classes',
    );
    expect(() => combineHierarchical(top, { animal, vehicle }, { routing: 'beam' as never })).toThrow(
      "options.routing must be one of 'product', 'top-k'",
    );
  });
});
