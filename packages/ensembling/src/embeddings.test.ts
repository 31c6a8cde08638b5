import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createEmbeddings, l2Normalize } from './embeddings.js';

describe('createEmbeddings', () => {
  it('keeps a Float32Array and converts other arrays', () => {
    const vectors = new Float32Array([1, 2, 3, 4]);
    expect(createEmbeddings(['a', 'b'], 2, vectors).vectors).toBe(vectors);
    expect(createEmbeddings(['a'], 2, [1, 2]).vectors).toEqual(new Float32Array([1, 2]));
  });

  it.each([
    ['a repeated id', () => createEmbeddings(['a', 'a'], 1, [1, 2]), 'ids[1]'],
    ['a zero dimension', () => createEmbeddings(['a'], 0, []), 'dim'],
    ['a wrong length', () => createEmbeddings(['a'], 2, [1]), 'vectors'],
    ['a NaN', () => createEmbeddings(['a'], 2, [1, Number.NaN]), 'vectors[1] (row 0)'],
  ])('rejects %s', (_, build, argument) => {
    try {
      build();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });
});

describe('l2Normalize', () => {
  it('scales rows to unit length and leaves zero rows at zero', () => {
    const e = l2Normalize(createEmbeddings(['a', 'b'], 2, [3, 4, 0, 0]));
    expect([...e.vectors]).toEqual([0.6, 0.8, 0, 0].map((v) => Math.fround(v)));
  });
});
