import { Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createEmbeddings } from './embeddings.js';
import { metaEmbeddings } from './meta-embeddings.js';

const cosine = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let d = 0; d < x.length; d++) {
    dot += x[d]! * y[d]!;
    xx += x[d]! ** 2;
    yy += y[d]! ** 2;
  }
  return dot / Math.sqrt(xx * yy);
};
const row = (e: { dim: number; vectors: Float32Array }, i: number) =>
  e.vectors.subarray(i * e.dim, (i + 1) * e.dim);

describe('metaEmbeddings', () => {
  const rng = new Rng(9);
  const random = (ids: string[], dim: number) =>
    createEmbeddings(
      ids,
      dim,
      Float32Array.from({ length: ids.length * dim }, () => rng.normal()),
    );
  const ids = ['w', 'x', 'y', 'z'];
  const resnet = random(ids, 5);
  const densenet = random(ids, 3);

  it('concatenates unit-norm parts into unit-norm rows', () => {
    const meta = metaEmbeddings([resnet, densenet]);
    expect(meta.dim).toBe(8);
    expect(meta.ids).toEqual(ids);
    for (let i = 0; i < 4; i++) expect(Math.hypot(...row(meta, i))).toBeCloseTo(1, 6);
  });

  it("makes the meta cosine the weighted mean of the models' cosines", () => {
    const meta = metaEmbeddings([resnet, densenet], { weights: [1, 3] });
    for (const [i, j] of [
      [0, 1],
      [1, 3],
      [2, 0],
    ] as const) {
      const expected =
        0.25 * cosine(row(resnet, i), row(resnet, j)) + 0.75 * cosine(row(densenet, i), row(densenet, j));
      expect(cosine(row(meta, i), row(meta, j))).toBeCloseTo(expected, 6);
    }
  });

  it('matches rows by id', () => {
    const order = [2, 0, 3, 1];
    const shuffled = createEmbeddings(
      order.map((i) => ids[i]!),
      3,
      order.flatMap((i) => [...row(densenet, i)]),
    );
    expect(metaEmbeddings([resnet, shuffled]).vectors).toEqual(metaEmbeddings([resnet, densenet]).vectors);
  });

  it('rejects sets with other ids', () => {
    expect(() => metaEmbeddings([resnet, random(['w', 'x', 'y', 'q'], 2)])).toThrow(
      'Error in metaEmbeddings: sets[1].ids must be the same ids as sets[0].ids, in any order (missing "z"; unexpected "q")',
    );
    expect(() => metaEmbeddings([])).toThrow('sets must be a non-empty array of Embeddings');
    expect(() => metaEmbeddings([resnet], { weights: [1, 1] })).toThrow(
      'options.weights must be an array of 1 weights',
    );
  });
});
