import { createPredictionTable, InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import {
  applyThresholds,
  createClassThresholds,
  thresholdsFromJSON,
  thresholdsToJSON,
} from './thresholds.js';

const table = createPredictionTable(
  ['a', 'b', 'c'],
  ['cat', 'dog', 'sky'],
  [0.7, 0.2, 0.5, 0.1, 0.3, 0.2, 0.45, 0.5, 0.9],
);

describe('applyThresholds', () => {
  it('predicts a class when its probability is at least the global threshold', () => {
    expect([...applyThresholds(table, 0.5)]).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 1]);
  });

  it('falls back to the most probable class for rows with no label when asked', () => {
    expect([...applyThresholds(table, 0.5, { atLeastOne: true })]).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 1]);
  });

  it('matches per-class thresholds to columns by name', () => {
    const thresholds = createClassThresholds(['sky', 'cat', 'dog'], [0.95, 0.4, 0.25]);
    expect([...applyThresholds(table, thresholds)]).toEqual([1, 0, 0, 0, 1, 0, 1, 1, 0]);
  });

  it("uses the thresholds' own atLeastOne unless the option overrides it", () => {
    const thresholds = createClassThresholds(['cat', 'dog', 'sky'], [0.9, 0.9, 0.95], { atLeastOne: true });
    expect([...applyThresholds(table, thresholds)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect([...applyThresholds(table, thresholds, { atLeastOne: false })]).toEqual(Array(9).fill(0));
  });

  it('rejects thresholds for other classes and out-of-range values', () => {
    expect(() =>
      applyThresholds(table, createClassThresholds(['cat', 'dog', 'cow'], [0.5, 0.5, 0.5])),
    ).toThrow(
      'Error in applyThresholds: thresholds.classes must be the same classes as table.classes (missing "sky"; unknown "cow")',
    );
    expect(() => applyThresholds(table, 1.5)).toThrow(
      'thresholds must be a number in [0, 1] or ClassThresholds, got 1.5',
    );
    expect(() => applyThresholds(table, 0.5, { atLeastOne: 'yes' as never })).toThrow(
      'options.atLeastOne must be a boolean',
    );
  });
});

describe('thresholds JSON', () => {
  it('round-trips through JSON text', () => {
    const thresholds = createClassThresholds(['cat', 'dog'], [0.35, 0.6], { atLeastOne: true });
    const text = JSON.stringify(thresholdsToJSON(thresholds));
    expect(JSON.parse(text)).toEqual({
      format: 'topk-thresholds',
      version: 1,
      classes: ['cat', 'dog'],
      thresholds: [0.35, 0.6],
      atLeastOne: true,
    });
    const restored = thresholdsFromJSON(JSON.parse(text));
    expect(restored).toEqual(thresholds);
    expect(Object.isFrozen(restored.thresholds)).toBe(true);
  });

  const base = {
    format: 'topk-thresholds',
    version: 1,
    classes: ['a', 'b'],
    thresholds: [0.5, 0.5],
    atLeastOne: false,
  };
  it.each([
    ['not an object', 'x', 'json'],
    ['another format', { ...base, format: 'other' }, 'json.format'],
    ['another version', { ...base, version: 2 }, 'json.version'],
    ['a repeated class', { ...base, classes: ['a', 'a'] }, 'json.classes[1]'],
    ['a short threshold list', { ...base, thresholds: [0.5] }, 'json.thresholds'],
    ['a threshold above 1', { ...base, thresholds: [0.5, 2] }, 'json.thresholds[1]'],
    ['a missing atLeastOne', { ...base, atLeastOne: undefined }, 'json.atLeastOne'],
  ])('thresholdsFromJSON rejects %s', (_, json, argument) => {
    try {
      thresholdsFromJSON(json);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });

  it('createClassThresholds rejects mismatched lengths', () => {
    expect(() => createClassThresholds(['a', 'b'], [0.5])).toThrow(
      'Error in createClassThresholds: thresholds must be of the same length as classes (2), got array of length 1',
    );
  });
});
