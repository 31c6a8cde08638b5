import { describe, expect, it } from 'vitest';
import { countMultiLabelOutcomes, countOutcomes } from './class-outcomes.js';

describe('countOutcomes', () => {
  it('counts a class never predicted as false negatives only', () => {
    // Class 2 is true twice and never predicted; class 1 is predicted once, wrongly.
    const outcomes = countOutcomes([0, 2, 2, 0], [0, 0, 1, 0], 3);
    expect([...outcomes.truePositives]).toEqual([2, 0, 0]);
    expect([...outcomes.falsePositives]).toEqual([1, 1, 0]);
    expect([...outcomes.falseNegatives]).toEqual([0, 0, 2]);
  });
});

describe('countMultiLabelOutcomes', () => {
  it('counts each cell of the 0/1 matrices', () => {
    // Rows × classes: truth [[1, 0], [1, 1]], decisions [[1, 1], [0, 1]].
    const outcomes = countMultiLabelOutcomes(new Uint8Array([1, 0, 1, 1]), [1, 1, 0, 1], 2);
    expect([...outcomes.truePositives]).toEqual([1, 1]);
    expect([...outcomes.falsePositives]).toEqual([0, 1]);
    expect([...outcomes.falseNegatives]).toEqual([1, 0]);
    expect(outcomes.samples).toBe(2);
  });
});
