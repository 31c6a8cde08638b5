import { checkInteger, InvalidArgumentError, isNumericArrayLike } from '@topk/core';

/**
 * Embedding vectors of a set of samples (images), one row per id: the input of {@link metaEmbeddings} and
 * {@link CosineKnnIndex}. Build one with {@link createEmbeddings}, which checks the invariants.
 */
export interface Embeddings {
  /** Sample identifiers, one per row, unique. */
  readonly ids: readonly string[];
  /** Length of each vector. */
  readonly dim: number;
  /** Row-major `ids.length × dim` values: row `i` starts at `i * dim`. */
  readonly vectors: Float32Array;
}

/**
 * Builds {@link Embeddings}, checking that ids are unique non-empty strings and that `vectors` holds
 * `ids.length × dim` finite numbers. A Float32Array is used as is (not copied); other arrays are converted.
 *
 * @param ids - one identifier per row.
 * @param dim - vector length, at least 1.
 * @param vectors - row-major values.
 */
export function createEmbeddings(
  ids: readonly string[],
  dim: number,
  vectors: Float32Array | ArrayLike<number>,
): Embeddings {
  const fn = 'createEmbeddings';
  if (!Array.isArray(ids)) throw new InvalidArgumentError(fn, 'ids', 'an array of strings', ids);
  const seen = new Map<string, number>();
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || id.length === 0)
      throw new InvalidArgumentError(fn, `ids[${i}]`, 'a non-empty string', id);
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new InvalidArgumentError(fn, `ids[${i}]`, `unique (it repeats ids[${previous}])`, id);
    }
    seen.set(id, i);
  });
  checkInteger(fn, 'dim', dim, 1);
  if (!isNumericArrayLike(vectors))
    throw new InvalidArgumentError(fn, 'vectors', 'a Float32Array or an array of numbers', vectors);
  if (vectors.length !== ids.length * dim) {
    throw new InvalidArgumentError(
      fn,
      'vectors',
      `of length ids.length × dim = ${ids.length} × ${dim}`,
      vectors,
    );
  }
  const values = vectors instanceof Float32Array ? vectors : Float32Array.from(vectors);
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) {
      throw new InvalidArgumentError(
        fn,
        `vectors[${k}] (row ${Math.floor(k / dim)})`,
        'a finite number',
        values[k],
      );
    }
  }
  return Object.freeze({ ids: Object.freeze([...ids]), dim, vectors: values });
}

/** Writes the L2-normalised rows of `vectors` (n × dim) into `out` (n × outDim at `offset`), times `scale`. */
export function normalizeRowsInto(
  vectors: Float32Array,
  n: number,
  dim: number,
  out: Float32Array,
  outDim: number,
  offset: number,
  scale: number,
): void {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      const v = vectors[i * dim + d]!;
      sum += v * v;
    }
    // A zero vector stays zero (similarity 0 to everything) instead of becoming NaN.
    const factor = sum > 0 ? scale / Math.sqrt(sum) : 0;
    for (let d = 0; d < dim; d++) out[i * outDim + offset + d] = vectors[i * dim + d]! * factor;
  }
}

/**
 * The embeddings with every row scaled to unit L2 norm, so dot products are cosine similarities. Zero rows
 * stay zero.
 * @param embeddings - the vectors to normalise.
 */
export function l2Normalize(embeddings: Embeddings): Embeddings {
  const e = checkEmbeddings('l2Normalize', 'embeddings', embeddings);
  const out = new Float32Array(e.vectors.length);
  normalizeRowsInto(e.vectors, e.ids.length, e.dim, out, e.dim, 0, 1);
  return Object.freeze({ ids: e.ids, dim: e.dim, vectors: out });
}

/** Checks the shape of {@link Embeddings} (internal). */
export function checkEmbeddings(fn: string, argument: string, embeddings: unknown): Embeddings {
  const e = embeddings as Partial<Embeddings> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    !Array.isArray(e.ids) ||
    typeof e.dim !== 'number' ||
    !(e.vectors instanceof Float32Array) ||
    e.vectors.length !== e.ids.length * e.dim
  ) {
    throw new InvalidArgumentError(fn, argument, 'Embeddings (see createEmbeddings)', embeddings);
  }
  return e as Embeddings;
}
