import { checkBoolean, checkInteger, checkOptions, InvalidArgumentError } from '@topk/core';
import { averagePrecisionAtK } from '@topk/thresholding';
import type { CosineKnnIndex, KnnResult } from './cosine-knn-index.js';
import type { Embeddings } from './embeddings.js';
import { checkEmbeddings } from './embeddings.js';

/** Labels of queries or references: one class (e.g. whale id) per row, compared with `===`. */
export type RetrievalLabels = ArrayLike<string | number>;

/** Retrieval quality of a kNN search. */
export interface RetrievalMetrics {
  /** Cut-off of MAP@k. */
  readonly k: number;
  /**
   * Mean over queries of AP@k: precision at each relevant rank ≤ k, summed and divided by min(R, k), R being
   * the query's number of relevant references (Kaggle's MAP@k; 1/rank of the first hit when R = 1).
   */
  readonly mapAtK: number;
  /** Fraction of queries whose nearest reference has their label. */
  readonly precisionAt1: number;
  /**
   * MAP@R (Musgrave et al. 2020): AP over the first R neighbours divided by R. `null` when the search
   * returned fewer than R neighbours for some query (use {@link evaluateRetrieval}, which asks for enough).
   */
  readonly mapAtR: number | null;
  /** Queries that were scored: those with at least one relevant reference. */
  readonly queries: number;
  /** Queries skipped because no reference (other than themselves) has their label. */
  readonly queriesWithoutMatch: number;
}

/** Options of {@link retrievalMetrics}. */
export interface RetrievalMetricsOptions {
  /**
   * Cut-off of MAP@k, at most the search's k.
   * @defaultValue the search's k
   */
  readonly k?: number;
}

/** Options of {@link evaluateRetrieval}. */
export interface EvaluateRetrievalOptions {
  /**
   * Cut-off of MAP@k.
   * @defaultValue 20
   */
  readonly k?: number;
  /**
   * Skip each query's own id among the references (searching a set against itself).
   * @defaultValue false
   */
  readonly excludeSameId?: boolean;
}

function checkLabels(fn: string, argument: string, labels: unknown, length: number): RetrievalLabels {
  const ok = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!ok || (labels as ArrayLike<unknown>).length !== length) {
    throw new InvalidArgumentError(fn, argument, `an array of ${length} labels`, labels);
  }
  return labels as RetrievalLabels;
}

/** Per query, the number of references sharing its label, minus itself when it was excluded (internal). */
function relevantCounts(
  queryIds: readonly string[],
  referenceIds: readonly string[],
  queryLabels: RetrievalLabels,
  referenceLabels: RetrievalLabels,
  excludedSameId: boolean,
): Int32Array {
  const perLabel = new Map<string | number, number>();
  for (let r = 0; r < referenceLabels.length; r++) {
    const label = referenceLabels[r]!;
    perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
  }
  const position = excludedSameId ? new Map(referenceIds.map((id, r) => [id, r])) : undefined;
  return Int32Array.from(queryIds, (id, i) => {
    const label = queryLabels[i]!;
    let count = perLabel.get(label) ?? 0;
    const self = position?.get(id);
    if (self !== undefined && referenceLabels[self] === label) count--;
    return count;
  });
}

function computeMetrics(
  fn: string,
  result: KnnResult,
  queryLabels: RetrievalLabels,
  referenceLabels: RetrievalLabels,
  k: number,
): RetrievalMetrics {
  const nq = result.queryIds.length;
  const relevant = relevantCounts(
    result.queryIds,
    result.referenceIds,
    queryLabels,
    referenceLabels,
    result.excludedSameId,
  );
  const flags = new Uint8Array(result.k);
  let scored = 0;
  let apk = 0;
  let p1 = 0;
  let apr = 0;
  let mapAtRDefined = true;
  for (let i = 0; i < nq; i++) {
    const r = relevant[i]!;
    if (r === 0) continue;
    scored++;
    const label = queryLabels[i];
    for (let j = 0; j < result.k; j++)
      flags[j] = referenceLabels[result.indices[i * result.k + j]!] === label ? 1 : 0;
    apk += averagePrecisionAtK(flags, r, k);
    p1 += flags[0]!;
    if (r > result.k) mapAtRDefined = false;
    else apr += averagePrecisionAtK(flags, r, r);
  }
  if (scored === 0) {
    throw new InvalidArgumentError(
      fn,
      'referenceLabels',
      'labels that share a class with at least one query (no query has a relevant reference)',
      referenceLabels,
    );
  }
  return {
    k,
    mapAtK: apk / scored,
    precisionAt1: p1 / scored,
    mapAtR: mapAtRDefined ? apr / scored : null,
    queries: scored,
    queriesWithoutMatch: nq - scored,
  };
}

/**
 * MAP@k, precision@1 and MAP@R of a kNN search, from the labels of the queries and of the references (a
 * reference is relevant to a query when their labels are equal). Queries with no relevant reference are
 * left out and counted in `queriesWithoutMatch`.
 *
 * @param result - from {@link CosineKnnIndex.search}.
 * @param queryLabels - one label per query.
 * @param referenceLabels - one label per reference.
 */
export function retrievalMetrics(
  result: KnnResult,
  queryLabels: RetrievalLabels,
  referenceLabels: RetrievalLabels,
  options: RetrievalMetricsOptions = {},
): RetrievalMetrics {
  const fn = 'retrievalMetrics';
  const res = result as Partial<KnnResult> | null;
  if (
    typeof res !== 'object' ||
    res === null ||
    !Array.isArray(res.queryIds) ||
    !Array.isArray(res.referenceIds) ||
    typeof res.k !== 'number' ||
    !(res.indices instanceof Int32Array) ||
    res.indices.length !== res.queryIds.length * res.k
  ) {
    throw new InvalidArgumentError(fn, 'result', 'a KnnResult from CosineKnnIndex.search', result);
  }
  checkLabels(fn, 'queryLabels', queryLabels, res.queryIds.length);
  checkLabels(fn, 'referenceLabels', referenceLabels, res.referenceIds.length);
  const { k = result.k } = checkOptions<RetrievalMetricsOptions>(fn, options);
  checkInteger(fn, 'options.k', k, 1);
  if (k > result.k)
    throw new InvalidArgumentError(fn, 'options.k', `at most the search's k (${result.k})`, k);
  return computeMetrics(fn, result, queryLabels, referenceLabels, k);
}

/**
 * Searches `queries` in `index` with as many neighbours as MAP@R needs (the largest number of references
 * sharing a query's label, and at least `k`), then computes {@link retrievalMetrics}.
 *
 * @param index - the references.
 * @param queries - the query vectors.
 * @param queryLabels - one label per query.
 * @param referenceLabels - one label per reference of the index.
 */
export function evaluateRetrieval(
  index: CosineKnnIndex,
  queries: Embeddings,
  queryLabels: RetrievalLabels,
  referenceLabels: RetrievalLabels,
  options: EvaluateRetrievalOptions = {},
): RetrievalMetrics {
  const fn = 'evaluateRetrieval';
  if (typeof index !== 'object' || index === null || typeof index.search !== 'function') {
    throw new InvalidArgumentError(fn, 'index', 'a CosineKnnIndex', index);
  }
  const { k = 20, excludeSameId = false } = checkOptions<EvaluateRetrievalOptions>(fn, options);
  checkInteger(fn, 'options.k', k, 1);
  checkBoolean(fn, 'options.excludeSameId', excludeSameId);
  checkEmbeddings(fn, 'queries', queries);
  checkLabels(fn, 'queryLabels', queryLabels, queries.ids.length);
  checkLabels(fn, 'referenceLabels', referenceLabels, index.size);
  const relevant = relevantCounts(
    queries.ids,
    index.references.ids,
    queryLabels,
    referenceLabels,
    excludeSameId,
  );
  let needed = k;
  for (const r of relevant) needed = Math.max(needed, r);
  const result = index.search(queries, { k: needed, excludeSameId });
  return computeMetrics(fn, result, queryLabels, referenceLabels, Math.min(k, result.k));
}
