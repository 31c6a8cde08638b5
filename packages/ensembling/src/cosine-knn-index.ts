import { checkBoolean, checkInteger, checkOneOf, checkOptions, InvalidArgumentError } from '@topk/core';
import type { Embeddings } from './embeddings.js';
import { checkEmbeddings, normalizeRowsInto } from './embeddings.js';
import type { TileKernel } from './simd-dot-kernel.js';
import { instantiateSimdKernel, simdSupported, TILE_COLS, TILE_ROWS } from './simd-dot-kernel.js';

/** Which matrix-product kernel a {@link CosineKnnIndex} uses. */
export type KnnKernel = 'wasm-simd' | 'js';

/** Options of the {@link CosineKnnIndex} constructor. */
export interface CosineKnnIndexOptions {
  /**
   * `'auto'` takes the WebAssembly SIMD kernel where the runtime supports it (Node ≥ 16, current browsers)
   * and plain JavaScript elsewhere; the two agree to float32 rounding.
   * @defaultValue 'auto'
   */
  readonly kernel?: 'auto' | KnnKernel;
}

/** Options of {@link CosineKnnIndex.search}. */
export interface KnnSearchOptions {
  /**
   * Neighbours per query (fewer when the index is smaller).
   * @defaultValue 20
   */
  readonly k?: number;
  /**
   * Skip the reference with the query's own id, for searching a set against itself (leave-one-out).
   * @defaultValue false
   */
  readonly excludeSameId?: boolean;
}

/** Nearest references of each query, most similar first (ties: lower reference index first). */
export interface KnnResult {
  readonly queryIds: readonly string[];
  readonly referenceIds: readonly string[];
  /** Neighbours per query. */
  readonly k: number;
  /** Row-major `queries × k` reference indices. */
  readonly indices: Int32Array;
  /** Row-major `queries × k` cosine similarities. */
  readonly scores: Float32Array;
  /** Whether references with the query's own id were skipped. */
  readonly excludedSameId: boolean;
}

const QUERY_BLOCK = 64; // multiple of TILE_ROWS
const REFERENCE_BLOCK = 256; // multiple of TILE_COLS; a block of 512-d references is 512 KB, about an L2 cache

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** The scalar kernel: the same 4 × 2 tile as the SIMD one, over float32 arrays (offsets in elements). */
function jsTile(
  data: Float32Array,
  q: number,
  r: number,
  stride: number,
  length: number,
  out: Float32Array,
  o: number,
  outStride: number,
): void {
  const q1 = q + stride;
  const q2 = q1 + stride;
  const q3 = q2 + stride;
  const r1 = r + stride;
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  let s20 = 0;
  let s21 = 0;
  let s30 = 0;
  let s31 = 0;
  for (let d = 0; d < length; d++) {
    const y0 = data[r + d]!;
    const y1 = data[r1 + d]!;
    let x = data[q + d]!;
    s00 += x * y0;
    s01 += x * y1;
    x = data[q1 + d]!;
    s10 += x * y0;
    s11 += x * y1;
    x = data[q2 + d]!;
    s20 += x * y0;
    s21 += x * y1;
    x = data[q3 + d]!;
    s30 += x * y0;
    s31 += x * y1;
  }
  out[o] = s00;
  out[o + 1] = s01;
  out[o + outStride] = s10;
  out[o + outStride + 1] = s11;
  out[o + 2 * outStride] = s20;
  out[o + 2 * outStride + 1] = s21;
  out[o + 3 * outStride] = s30;
  out[o + 3 * outStride + 1] = s31;
}

/**
 * Exact (brute-force) cosine k-nearest-neighbour search over a set of reference embeddings: the top-k
 * retrieval of the humpback-whale challenge ("list the 20 most similar images"), on meta-embeddings or any
 * single model's embeddings.
 *
 * Vectors are L2-normalised once; a search is a blocked matrix product of query and reference blocks
 * sized for the cache (4 × 2 register tiles, in WebAssembly SIMD where available) followed by a running
 * top-k per query. 10 000 queries against 10 000 references of 512 dimensions take a few seconds on one
 * core with the SIMD kernel.
 *
 * @example
 * ```ts
 * const index = new CosineKnnIndex(metaEmbeddings([resnet, densenet]));
 * const { indices, scores } = index.search(index.references, { k: 20, excludeSameId: true });
 * ```
 */
export class CosineKnnIndex {
  /** The embeddings the index was built from. */
  readonly references: Embeddings;
  /** The kernel in use. */
  readonly kernel: KnnKernel;
  readonly #paddedDim: number;
  readonly #referenceRows: number;
  readonly #idIndex: ReadonlyMap<string, number>;
  // WebAssembly kernel: references, one query block and one score block live in `#memory`.
  readonly #memory: WebAssembly.Memory | null = null;
  readonly #tile: TileKernel | null = null;
  // JavaScript kernel: normalised references then one query block, in one array.
  readonly #data: Float32Array;

  /**
   * @param references - the vectors to search, at least one.
   */
  constructor(references: Embeddings, options: CosineKnnIndexOptions = {}) {
    const fn = 'new CosineKnnIndex';
    const refs = checkEmbeddings(fn, 'references', references);
    if (refs.ids.length === 0)
      throw new InvalidArgumentError(fn, 'references', 'at least one embedding', references);
    const { kernel = 'auto' } = checkOptions<CosineKnnIndexOptions>(fn, options);
    checkOneOf(fn, 'options.kernel', kernel, ['auto', 'wasm-simd', 'js']);
    if (kernel === 'wasm-simd' && !simdSupported()) {
      throw new InvalidArgumentError(
        fn,
        'options.kernel',
        "'auto' or 'js' (this runtime has no WebAssembly SIMD)",
        kernel,
      );
    }
    this.references = refs;
    const n = refs.ids.length;
    // Rows are padded with zeros to whole tiles and 16-byte vectors; padding never reaches a result.
    this.#paddedDim = roundUp(refs.dim, 4);
    this.#referenceRows = roundUp(n, TILE_COLS);
    this.#idIndex = new Map(refs.ids.map((id, i) => [id, i]));
    const referenceFloats = this.#referenceRows * this.#paddedDim;
    const queryFloats = QUERY_BLOCK * this.#paddedDim;
    let chosen: KnnKernel = 'js';
    if (kernel !== 'js' && simdSupported()) {
      const bytes = (referenceFloats + queryFloats + QUERY_BLOCK * REFERENCE_BLOCK) * 4;
      try {
        const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
        this.#tile = instantiateSimdKernel(memory);
        this.#memory = memory;
        chosen = 'wasm-simd';
      } catch (error) {
        // Past the engine's memory limit: fall back unless the SIMD kernel was demanded.
        if (kernel === 'wasm-simd') {
          throw new InvalidArgumentError(
            fn,
            'references',
            'small enough for WebAssembly memory (4 GiB)',
            references,
          );
        }
        if (!(error instanceof RangeError)) throw error;
      }
    }
    this.kernel = chosen;
    this.#data =
      this.#memory === null
        ? new Float32Array(referenceFloats + queryFloats)
        : new Float32Array(this.#memory.buffer, 0, referenceFloats + queryFloats);
    normalizeRowsInto(refs.vectors, n, refs.dim, this.#data, this.#paddedDim, 0, 1);
  }

  /** Number of references. */
  get size(): number {
    return this.references.ids.length;
  }

  /** Vector length. */
  get dim(): number {
    return this.references.dim;
  }

  /**
   * The `k` references most similar (cosine) to each query.
   * @param queries - vectors of the index's dimension (normalised here; any scale works).
   */
  search(queries: Embeddings, options: KnnSearchOptions = {}): KnnResult {
    const fn = 'CosineKnnIndex.search';
    const q = checkEmbeddings(fn, 'queries', queries);
    if (q.dim !== this.dim)
      throw new InvalidArgumentError(fn, 'queries.dim', `the index dimension ${this.dim}`, q.dim);
    const { k: requested = 20, excludeSameId = false } = checkOptions<KnnSearchOptions>(fn, options);
    checkInteger(fn, 'options.k', requested, 1);
    checkBoolean(fn, 'options.excludeSameId', excludeSameId);
    const nq = q.ids.length;
    const n = this.size;
    const self = Int32Array.from(q.ids, (id) => (excludeSameId ? (this.#idIndex.get(id) ?? -1) : -1));
    const k = Math.min(requested, self.some((s) => s >= 0) ? n - 1 : n);
    const indices = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    const result = {
      queryIds: q.ids,
      referenceIds: this.references.ids,
      k,
      indices,
      scores,
      excludedSameId: excludeSameId,
    };
    if (k === 0 || nq === 0) return result;

    const dp = this.#paddedDim;
    const queryOffset = this.#referenceRows * dp; // in floats
    const scoreOffset = queryOffset + QUERY_BLOCK * dp;
    const data = this.#data;
    const block =
      this.#memory === null
        ? new Float32Array(QUERY_BLOCK * REFERENCE_BLOCK)
        : new Float32Array(this.#memory.buffer, scoreOffset * 4, QUERY_BLOCK * REFERENCE_BLOCK);
    const filled = new Int32Array(QUERY_BLOCK);

    for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK) {
      const rows = Math.min(QUERY_BLOCK, nq - q0);
      data.fill(0, queryOffset, queryOffset + QUERY_BLOCK * dp);
      normalizeRowsInto(
        q.vectors.subarray(q0 * q.dim, (q0 + rows) * q.dim),
        rows,
        q.dim,
        data,
        dp,
        queryOffset,
        1,
      );
      filled.fill(0);
      const tileRows = roundUp(rows, TILE_ROWS);
      for (let r0 = 0; r0 < n; r0 += REFERENCE_BLOCK) {
        const cols = Math.min(REFERENCE_BLOCK, n - r0);
        const tileCols = roundUp(cols, TILE_COLS);
        for (let i = 0; i < tileRows; i += TILE_ROWS) {
          const qStart = queryOffset + i * dp;
          for (let j = 0; j < tileCols; j += TILE_COLS) {
            const rStart = (r0 + j) * dp;
            if (this.#tile !== null) {
              this.#tile(
                qStart * 4,
                rStart * 4,
                dp * 4,
                dp * 4,
                (scoreOffset + i * REFERENCE_BLOCK + j) * 4,
                REFERENCE_BLOCK * 4,
              );
            } else {
              jsTile(data, qStart, rStart, dp, dp, block, i * REFERENCE_BLOCK + j, REFERENCE_BLOCK);
            }
          }
        }
        // Running top-k: references arrive in increasing index order and only a strictly better score
        // displaces one, so ties keep the lower index.
        for (let i = 0; i < rows; i++) {
          const out = (q0 + i) * k;
          const skip = self[q0 + i]!;
          let count = filled[i]!;
          for (let j = 0; j < cols; j++) {
            const ref = r0 + j;
            if (ref === skip) continue;
            const s = block[i * REFERENCE_BLOCK + j]!;
            if (count === k && !(s > scores[out + k - 1]!)) continue;
            let pos = count < k ? count++ : k - 1;
            while (pos > 0 && scores[out + pos - 1]! < s) {
              scores[out + pos] = scores[out + pos - 1]!;
              indices[out + pos] = indices[out + pos - 1]!;
              pos--;
            }
            scores[out + pos] = s;
            indices[out + pos] = ref;
          }
          filled[i] = count;
        }
      }
    }
    return result;
  }
}
