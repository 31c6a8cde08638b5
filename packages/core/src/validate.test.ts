import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { createPredictionTable } from './prediction-table.js';
import {
  checkBoolean,
  checkInteger,
  checkNonNegative,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositive,
  checkPositiveInteger,
  checkPredictionTable,
  isFiniteNumber,
  isNumericArrayLike,
} from './validate.js';

describe('argument checks', () => {
  it('isNumericArrayLike accepts arrays and typed arrays, not DataViews or array-likes objects', () => {
    expect(isNumericArrayLike([1, 2])).toBe(true);
    expect(isNumericArrayLike(new Float32Array(2))).toBe(true);
    expect(isNumericArrayLike(new Uint8Array(0))).toBe(true);
    expect(isNumericArrayLike(new DataView(new ArrayBuffer(4)))).toBe(false);
    expect(isNumericArrayLike({ length: 1, 0: 1 })).toBe(false);
    expect(isNumericArrayLike('12')).toBe(false);
    expect(isNumericArrayLike(undefined)).toBe(false);
  });

  it('checkPredictionTable returns a table unchanged and rejects anything shaped otherwise', () => {
    const table = createPredictionTable(['a', 'b'], ['x', 'y'], [0.2, 0.8, 1, 0]);
    expect(checkPredictionTable('f', 'table', table)).toBe(table);
    const message = 'Error in f: preds must be a PredictionTable (see createPredictionTable), got';
    const bad: [unknown, string][] = [
      [null, 'null'],
      [[1], 'array of length 1'],
      [{ ...table, ids: 'ab' }, 'object'],
      [{ ...table, classes: [] }, 'object'],
      [{ ...table, probs: [0.2, 0.8, 1, 0] }, 'object'],
      [{ ...table, probs: new Float32Array(3) }, 'object'],
    ];
    for (const [value, received] of bad) {
      expect(() => checkPredictionTable('f', 'preds', value)).toThrow(`${message} ${received}`);
    }
    // An empty table is a table: whether rows are needed is the caller's decision.
    const empty = createPredictionTable([], ['x'], []);
    expect(checkPredictionTable('f', 'table', empty)).toBe(empty);
  });

  it('checkOptions turns undefined into {} and rejects non-objects', () => {
    const options = { k: 1 };
    expect(checkOptions('f', options)).toBe(options);
    expect(checkOptions('f', undefined)).toEqual({});
    expect(() => checkOptions('f', null)).toThrow('Error in f: options must be an object, got null');
    expect(() => checkOptions('f', [])).toThrow(
      'Error in f: options must be an object, got array of length 0',
    );
    expect(() => checkOptions('f', 3)).toThrow('Error in f: options must be an object, got 3');
  });

  it('checkInteger takes safe integers >= min', () => {
    expect(checkInteger('f', 'k', 0, 0)).toBe(0);
    expect(checkInteger('f', 'k', 5, 1)).toBe(5);
    for (const [value, received] of [
      [0, '0'],
      [1.5, '1.5'],
      [Number.NaN, 'NaN'],
      [2 ** 53, String(2 ** 53)],
      ['2', '"2"'],
    ] as const) {
      expect(() => checkInteger('f', 'options.k', value, 1)).toThrow(
        `Error in f: options.k must be an integer >= 1, got ${received}`,
      );
    }
  });

  it('checkNumber takes numbers in the closed range [low, high]', () => {
    expect(checkNumber('f', 'p', 0, 0, 1)).toBe(0);
    expect(checkNumber('f', 'p', 1, 0, 1)).toBe(1);
    expect(checkNumber('f', 'w', 1e300, 0, Number.POSITIVE_INFINITY)).toBe(1e300);
    for (const [value, received] of [
      [-0.1, '-0.1'],
      [1.1, '1.1'],
      [Number.NaN, 'NaN'],
      [null, 'null'],
    ] as const) {
      expect(() => checkNumber('f', 'p', value, 0, 1)).toThrow(
        `Error in f: p must be a number in [0, 1], got ${received}`,
      );
    }
  });

  it('checkOneOf takes only the listed strings', () => {
    expect(checkOneOf('f', 'mode', 'max', ['mean', 'max'] as const)).toBe('max');
    expect(() => checkOneOf('f', 'mode', 'min', ['mean', 'max'])).toThrow(
      `Error in f: mode must be one of 'mean', 'max', got "min"`,
    );
    expect(() => checkOneOf('f', 'mode', 1, ['mean'])).toThrow(`must be one of 'mean', got 1`);
  });

  it('checkBoolean takes only booleans', () => {
    expect(checkBoolean('f', 'flag', false)).toBe(false);
    expect(() => checkBoolean('f', 'flag', 0)).toThrow('Error in f: flag must be a boolean, got 0');
  });

  it('throws InvalidArgumentError naming the function and the argument', () => {
    try {
      checkInteger('topK', 'k', -1, 1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).fn).toBe('topK');
      expect((error as InvalidArgumentError).argument).toBe('k');
      expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('isFiniteNumber, checkPositive, checkNonNegative and checkPositiveInteger', () => {
    expect([0, -2.5, 1e300].every(isFiniteNumber)).toBe(true);
    expect([Number.NaN, Number.POSITIVE_INFINITY, '1', null].some(isFiniteNumber)).toBe(false);
    expect(checkPositive('f', 'a', 0.5)).toBe(0.5);
    expect(() => checkPositive('f', 'a', 0)).toThrow('Error in f: a must be a finite number > 0, got 0');
    expect(() => checkPositive('f', 'a', Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    expect(checkNonNegative('f', 'a', 0)).toBe(0);
    expect(() => checkNonNegative('f', 'a', -1e-9)).toThrow('Error in f: a must be a finite number >= 0');
    expect(() => checkNonNegative('f', 'a', Number.NaN)).toThrow(InvalidArgumentError);
    expect(checkPositiveInteger('f', 'n', 3)).toBe(3);
    for (const bad of [0, 1.5, -1, 2 ** 53, '2']) {
      expect(() => checkPositiveInteger('f', 'n', bad)).toThrow('Error in f: n must be a positive integer');
    }
  });
});
