import { InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import type { KnnKernel } from './cosine-knn-index.js';
import { CosineKnnIndex } from './cosine-knn-index.js';
import type { Embeddings } from './embeddings.js';
import { createEmbeddings } from './embeddings.js';
import { simdSupported } from './simd-dot-kernel.js';

function randomEmbeddings(seed: number, n: number, dim: number, prefix = 'e'): Embeddings {
  const rng = new Rng(seed);
  return createEmbeddings(
    Array.from({ length: n }, (_, i) => `${prefix}${i}`),
    dim,
    Float32Array.from({ length: n * dim }, () => rng.normal()),
  );
}

/** Brute force in float64: all cosine similarities, sorted by score then reference index. */
function reference(queries: Embeddings, refs: Embeddings, k: number, excludeSameId = false) {
  const norms = (e: Embeddings) =>
    e.ids.map((_, i) => Math.hypot(...e.vectors.subarray(i * e.dim, (i + 1) * e.dim)));
  const qNorms = norms(queries);
  const rNorms = norms(refs);
  return queries.ids.map((qid, i) => {
    const all: { index: number; score: number }[] = [];
    refs.ids.forEach((rid, j) => {
      if (excludeSameId && rid === qid) return;
      let dot = 0;
      for (let d = 0; d < refs.dim; d++)
        dot += queries.vectors[i * refs.dim + d]! * refs.vectors[j * refs.dim + d]!;
      all.push({ index: j, score: dot / (qNorms[i]! * rNorms[j]!) });
    });
    return all.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
  });
}

const kernels: KnnKernel[] = simdSupported() ? ['wasm-simd', 'js'] : ['js'];

describe.each(kernels)('CosineKnnIndex (%s kernel)', (kernel) => {
  // Sizes that are not multiples of the tiles (4 × 2), the vector width (4) or the blocks (64 × 256).
  const refs = randomEmbeddings(1, 301, 37, 'r');
  const queries = randomEmbeddings(2, 70, 37, 'q');
  const index = new CosineKnnIndex(refs, { kernel });

  it('uses the requested kernel', () => {
    expect(index.kernel).toBe(kernel);
    expect(index.size).toBe(301);
    expect(index.dim).toBe(37);
  });

  it('matches a brute-force reference on random data', () => {
    const k = 10;
    const result = index.search(queries, { k });
    expect(result.k).toBe(k);
    const expected = reference(queries, refs, k);
    expected.forEach((neighbours, i) => {
      neighbours.forEach(({ index: j, score }, rank) => {
        expect(result.scores[i * k + rank]).toBeCloseTo(score, 5);
        // Neighbours whose float64 scores are this close may swap under float32 rounding.
        const next = neighbours[rank + 1]?.score ?? Number.NEGATIVE_INFINITY;
        const previous = neighbours[rank - 1]?.score ?? Number.POSITIVE_INFINITY;
        if (previous - score > 1e-5 && score - next > 1e-5) expect(result.indices[i * k + rank]).toBe(j);
      });
    });
  });

  it('finds each item first in a self-search, and skips it with excludeSameId', () => {
    const self = index.search(refs, { k: 3 });
    for (let i = 0; i < refs.ids.length; i++) {
      expect(self.indices[i * 3]).toBe(i);
      expect(self.scores[i * 3]).toBeCloseTo(1, 5);
    }
    const loo = index.search(refs, { k: 5, excludeSameId: true });
    const expected = reference(refs, refs, 5, true);
    for (let i = 0; i < refs.ids.length; i++) {
      expect([...loo.indices.subarray(i * 5, i * 5 + 5)]).not.toContain(i);
      expect(loo.scores[i * 5]).toBeCloseTo(expected[i]![0]!.score, 5);
    }
    expect(loo.excludedSameId).toBe(true);
  });

  it('returns at most the available references, ties by lower index', () => {
    const dup = createEmbeddings(['a', 'b', 'c'], 2, [1, 0, 2, 0, 0, 1]);
    const small = new CosineKnnIndex(dup, { kernel });
    const result = small.search(createEmbeddings(['q'], 2, [1, 0.001]), { k: 10 });
    expect(result.k).toBe(3);
    expect([...result.indices]).toEqual([0, 1, 2]);
    expect(small.search(dup, { k: 10, excludeSameId: true }).k).toBe(2);
    expect(small.search(createEmbeddings([], 2, []), { k: 2 }).indices).toHaveLength(0);
  });
});

describe('CosineKnnIndex', () => {
  it('gives the same neighbours with both kernels', () => {
    if (!simdSupported()) return;
    const refs = randomEmbeddings(3, 200, 64);
    const queries = randomEmbeddings(4, 30, 64, 'q');
    const simd = new CosineKnnIndex(refs, { kernel: 'wasm-simd' }).search(queries, { k: 5 });
    const js = new CosineKnnIndex(refs, { kernel: 'js' }).search(queries, { k: 5 });
    expect(simd.indices).toEqual(js.indices);
    simd.scores.forEach((s, k) => {
      expect(s).toBeCloseTo(js.scores[k]!, 5);
    });
  });

  it('rejects bad input', () => {
    const refs = randomEmbeddings(1, 5, 4);
    const index = new CosineKnnIndex(refs);
    expect(() => index.search(randomEmbeddings(1, 2, 3), { k: 1 })).toThrow(
      'Error in CosineKnnIndex.search: queries.dim must be the index dimension 4, got 3',
    );
    expect(() => index.search(refs, { k: 0 })).toThrow('options.k must be an integer >= 1, got 0');
    expect(() => new CosineKnnIndex(createEmbeddings([], 2, []))).toThrow(
      'Error in new CosineKnnIndex: references must be at least one embedding',
    );
    expect(() => new CosineKnnIndex(refs, { kernel: 'gpu' as never })).toThrow(InvalidArgumentError);
  });
});
