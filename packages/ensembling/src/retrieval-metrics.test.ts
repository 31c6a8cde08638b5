import { Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import type { KnnResult } from './cosine-knn-index.js';
import { CosineKnnIndex } from './cosine-knn-index.js';
import { createEmbeddings } from './embeddings.js';
import { evaluateRetrieval, retrievalMetrics } from './retrieval-metrics.js';

/** A search result written by hand: each query's neighbours as reference indices. */
function handResult(neighbours: number[][], references: number, excludedSameId = false): KnnResult {
  const k = neighbours[0]!.length;
  return {
    queryIds: neighbours.map((_, i) => `q${i}`),
    referenceIds: Array.from({ length: references }, (_, j) => `r${j}`),
    k,
    indices: Int32Array.from(neighbours.flat()),
    scores: new Float32Array(neighbours.length * k),
    excludedSameId,
  };
}

describe('retrievalMetrics', () => {
  // References 0..6 labelled a a a a b b c. Both queries retrieve [0, 4, 1, 2, 5].
  const refLabels = ['a', 'a', 'a', 'a', 'b', 'b', 'c'];
  const result = handResult(
    [
      [0, 4, 1, 2, 5],
      [0, 4, 1, 2, 5],
    ],
    7,
  );

  it('computes MAP@k, precision@1 and MAP@R of a worked example', () => {
    // Query 0 (label a, R = 4): relevance 1 0 1 1 0.
    //   AP@5 = (1/1 + 2/3 + 3/4) / min(4, 5) = 29/48; AP@R over the first 4 = the same sum / 4 = 29/48.
    // Query 1 (label b, R = 2): relevance 0 1 0 0 1.
    //   AP@5 = (1/2 + 2/5) / 2 = 9/20; AP@R over the first 2 = (1/2) / 2 = 1/4.
    const metrics = retrievalMetrics(result, ['a', 'b'], refLabels);
    expect(metrics.k).toBe(5);
    expect(metrics.mapAtK).toBeCloseTo((29 / 48 + 9 / 20) / 2, 12);
    expect(metrics.precisionAt1).toBe(0.5);
    expect(metrics.mapAtR).toBeCloseTo((29 / 48 + 1 / 4) / 2, 12);
    expect(metrics.queries).toBe(2);
    expect(metrics.queriesWithoutMatch).toBe(0);
  });

  it('uses a smaller k on request and is 1/rank with one relevant reference (whale MAP@5)', () => {
    // Query label c: its only reference (6) is not retrieved; label b at k = 2: hit at rank 2 -> (1/2) / 2.
    expect(retrievalMetrics(result, ['c', 'b'], refLabels, { k: 2 }).mapAtK).toBeCloseTo((0 + 1 / 4) / 2, 12);
    const whale = handResult([[3, 6, 1]], 7);
    expect(retrievalMetrics(whale, ['c'], refLabels).mapAtK).toBeCloseTo(1 / 2, 12);
  });

  it('skips queries without relevant references and reports null MAP@R when too few neighbours came back', () => {
    const metrics = retrievalMetrics(
      handResult(
        [
          [0, 1],
          [0, 1],
        ],
        7,
      ),
      ['a', 'z'],
      refLabels,
    );
    expect(metrics.queries).toBe(1);
    expect(metrics.queriesWithoutMatch).toBe(1);
    expect(metrics.mapAtR).toBeNull(); // R = 4 > k = 2
    expect(() => retrievalMetrics(handResult([[0]], 7), ['z'], refLabels)).toThrow(
      'Error in retrievalMetrics: referenceLabels must be labels that share a class with at least one query',
    );
  });

  it('rejects a k above the search k and mismatched labels', () => {
    expect(() => retrievalMetrics(result, ['a', 'b'], refLabels, { k: 6 })).toThrow(
      "options.k must be at most the search's k (5), got 6",
    );
    expect(() => retrievalMetrics(result, ['a'], refLabels)).toThrow(
      'queryLabels must be an array of 2 labels',
    );
  });
});

describe('evaluateRetrieval', () => {
  // Four well-separated clusters of 6 points: every neighbour list starts with the whole own cluster.
  const rng = new Rng(2);
  const dim = 16;
  const centres = Array.from({ length: 4 }, () => Array.from({ length: dim }, () => rng.normal()));
  const labels = Array.from({ length: 24 }, (_, i) => i % 4);
  const set = createEmbeddings(
    labels.map((_, i) => `img${i}`),
    dim,
    labels.flatMap((c) => centres[c]!.map((v) => v + 0.01 * rng.normal())),
  );
  const index = new CosineKnnIndex(set);

  it('scores perfect clusters 1 in a leave-one-out self-search', () => {
    const metrics = evaluateRetrieval(index, set, labels, labels, { k: 5, excludeSameId: true });
    expect(metrics).toEqual({
      k: 5,
      mapAtK: 1,
      precisionAt1: 1,
      mapAtR: 1,
      queries: 24,
      queriesWithoutMatch: 0,
    });
  });

  it('equals retrievalMetrics on a search deep enough for MAP@R', () => {
    const noisy = createEmbeddings(
      set.ids,
      dim,
      Float32Array.from(set.vectors, (v) => v + 3 * rng.normal()),
    );
    const noisyIndex = new CosineKnnIndex(noisy);
    const evaluated = evaluateRetrieval(noisyIndex, noisy, labels, labels, { k: 3, excludeSameId: true });
    const search = noisyIndex.search(noisy, { k: 5, excludeSameId: true }); // R = 5 for every query
    expect(evaluated).toEqual(retrievalMetrics(search, labels, labels, { k: 3 }));
    expect(evaluated.mapAtR).not.toBeNull();
    expect(evaluated.mapAtK).toBeLessThan(1);
  });
});
