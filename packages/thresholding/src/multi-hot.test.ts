import { describe, expect, it } from 'vitest';
import { multiHot } from './multi-hot.js';

describe('multiHot', () => {
  it('sets one column per listed class, repeats allowed', () => {
    expect([...multiHot([[0, 2], [], [1, 1]], 3)]).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(multiHot([], 2)).toEqual(new Uint8Array(0));
  });

  it('rejects out-of-range classes', () => {
    expect(() => multiHot([[0], [3]], 3)).toThrow(
      'Error in multiHot: labels[1][0] must be an integer in [0, 3), got 3',
    );
    expect(() => multiHot([1 as never], 3)).toThrow('labels[0] must be an array of class indices');
    expect(() => multiHot([], 0)).toThrow('numClasses must be an integer >= 1');
  });
});
