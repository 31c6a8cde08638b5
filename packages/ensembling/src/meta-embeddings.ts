import { checkOptions, InvalidArgumentError } from '@topk/core';
import type { Embeddings } from './embeddings.js';
import { checkEmbeddings, normalizeRowsInto } from './embeddings.js';
import { describeNameMismatch, normalizedWeights } from './validate.js';

/** Options of {@link metaEmbeddings}. */
export interface MetaEmbeddingsOptions {
  /**
   * One non-negative weight per model (normalised to sum to 1): each model's cosine similarity counts with
   * its weight in the similarity of the meta-embeddings.
   * @defaultValue equal weights
   */
  readonly weights?: readonly number[];
}

/**
 * Meta-embeddings: each model's vectors L2-normalised, scaled by the square root of the model's weight and
 * concatenated, as the humpback-whale winner combined a ResNet-34 and a DenseNet-121 ("generating the
 * embeddings of each model on all the samples, then concatenating them").
 *
 * Rows come out with unit norm (when no part is a zero vector), and the cosine similarity of two
 * meta-embeddings is the weighted mean of the models' cosine similarities. Rows are matched by id and
 * follow the first set's order.
 *
 * @param sets - one {@link Embeddings} per model, for the same ids; dimensions may differ.
 */
export function metaEmbeddings(sets: readonly Embeddings[], options: MetaEmbeddingsOptions = {}): Embeddings {
  const fn = 'metaEmbeddings';
  if (!Array.isArray(sets as unknown) || sets.length === 0) {
    throw new InvalidArgumentError(fn, 'sets', 'a non-empty array of Embeddings', sets);
  }
  sets.forEach((set, m) => {
    checkEmbeddings(fn, `sets[${m}]`, set);
  });
  const { weights } = checkOptions<MetaEmbeddingsOptions>(fn, options);
  const w = normalizedWeights(fn, 'options.weights', weights, sets.length);
  const ids = sets[0]!.ids;
  const n = ids.length;
  const dim = sets.reduce((total, set) => total + set.dim, 0);
  const out = new Float32Array(n * dim);
  let offset = 0;
  sets.forEach((set, m) => {
    let vectors = set.vectors;
    if (set.ids !== ids && !set.ids.every((id, i) => id === ids[i])) {
      const problem = describeNameMismatch(ids, set.ids);
      if (problem !== '' || set.ids.length !== n) {
        throw new InvalidArgumentError(
          fn,
          `sets[${m}].ids`,
          `the same ids as sets[0].ids, in any order (${problem || 'a different count'})`,
          set.ids,
        );
      }
      const row = new Map(set.ids.map((id, i) => [id, i]));
      vectors = new Float32Array(n * set.dim);
      ids.forEach((id, i) => {
        const from = row.get(id)! * set.dim;
        vectors.set(set.vectors.subarray(from, from + set.dim), i * set.dim);
      });
    }
    normalizeRowsInto(vectors, n, set.dim, out, dim, offset, Math.sqrt(w[m]!));
    offset += set.dim;
  });
  return Object.freeze({ ids, dim, vectors: out });
}
