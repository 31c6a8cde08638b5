import { InvalidArgumentError } from './errors.js';

/** A seed for {@link Rng}: a safe integer, or any string (hashed deterministically, code unit by code unit). */
export type RngSeed = number | string;

/**
 * The complete state of an {@link Rng} as plain JSON, for checkpoints. Restoring it with
 * {@link Rng.fromState} or {@link Rng.setState} continues the exact same stream, pending normal spare
 * included.
 */
export interface RngState {
  /** Generator the words belong to; only `'sfc32'` exists today. */
  readonly algorithm: 'sfc32';
  /** The four 32-bit words `a, b, c, counter`, each an integer in [0, 2^32). */
  readonly words: readonly [number, number, number, number];
  /** Standard-normal deviate cached by the last {@link Rng.normal} call, or `null` when none is pending. */
  readonly spare: number | null;
}

/** Options of {@link Rng.sample}. */
export interface RngSampleOptions {
  /**
   * Draw with replacement (each draw independent, repeats possible) instead of without.
   * @defaultValue false
   */
  readonly replace?: boolean;
}

/** A writable indexed collection: a plain array or a typed array. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_26 = 67108864;
const GOLDEN = 0x9e3779b9;
// Distinct starting points for the four lanes of the seed hash, and tags that keep number seeds, string
// seeds and split children in separate domains (seed 1 and seed "1" must not give the same stream).
const LANE_INIT = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344] as const;
const TAG_NUMBER = 0x6e756d62;
const TAG_STRING = 0x73747269;
const TAG_SPLIT = 0x73706c74;
// sfc32 is weak for the first outputs after seeding from correlated words; the reference
// implementation discards a dozen or so.
const WARM_UP = 15;

/** splitmix32-style finaliser: a bijection of 32-bit words with full avalanche. */
function mix32(h: number): number {
  h = (h + GOLDEN) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x21f0aaad);
  h ^= h >>> 15;
  h = Math.imul(h, 0x735a2d97);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Hashes a list of 32-bit words into the four sfc32 state words, one independent lane per word. */
function hashWords(words: readonly number[]): [number, number, number, number] {
  const lanes: [number, number, number, number] = [...LANE_INIT];
  for (let lane = 0; lane < 4; lane++) {
    let h = lanes[lane]!;
    for (const word of words) h = mix32((h ^ word) >>> 0);
    h = mix32(h ^ words.length);
    lanes[lane] = h;
  }
  return lanes;
}

function stringWords(text: string): number[] {
  const words: number[] = [];
  for (let i = 0; i < text.length; i++) words.push(text.charCodeAt(i));
  return words;
}

function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < TWO_POW_32;
}

function isWritableArrayLike(value: unknown): boolean {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return isWritableArrayLike(value) || typeof value === 'string';
}

function checkFinite(fn: string, argument: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(fn, argument, 'a finite number', value);
  }
}

function checkPositive(fn: string, argument: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number > 0', value);
  }
}

function checkCount(fn: string, argument: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-negative integer', value);
  }
}

/**
 * Seeded pseudo-random generator used for all randomness in topk: pass one down explicitly instead of
 * calling `Math.random` or unseeded `tf.random*`.
 *
 * The core is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128-bit state, passes
 * PractRand and BigCrush), seeded through a splitmix32-style hash. {@link Rng.split} derives independent
 * child streams for sub-components; {@link Rng.getState} and {@link Rng.fromState} checkpoint and resume
 * the stream exactly.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const augmentRng = rng.split('augment');
 * const order = rng.permutation(1000);
 * const x = tf.randomNormal([2, 3], 0, 1, 'float32', rng.seedForTf());
 * ```
 */
export class Rng {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;
  #spare: number | null = null;

  /**
   * @param seed - a safe integer, or a string hashed deterministically; equal seeds give equal streams.
   */
  constructor(seed: RngSeed) {
    if (typeof seed === 'number') {
      if (!Number.isSafeInteger(seed)) {
        throw new InvalidArgumentError('new Rng', 'seed', 'a safe integer or a string', seed);
      }
      // Split into low and high 32-bit halves so every safe integer (negative ones too) is a distinct seed.
      const low = ((seed % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
      const high = Math.floor(seed / TWO_POW_32) >>> 0;
      this.#seedFrom([TAG_NUMBER, low, high]);
    } else if (typeof seed === 'string') {
      this.#seedFrom([TAG_STRING, ...stringWords(seed)]);
    } else {
      throw new InvalidArgumentError('new Rng', 'seed', 'a safe integer or a string', seed);
    }
  }

  /** Restores a generator from {@link Rng.getState}, e.g. after `JSON.parse` of a checkpoint. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.#restore('Rng.fromState', state);
    return rng;
  }

  #seedFrom(words: readonly number[]): void {
    [this.#a, this.#b, this.#c, this.#d] = hashWords(words);
    this.#spare = null;
    for (let i = 0; i < WARM_UP; i++) this.#nextUint32();
  }

  #nextUint32(): number {
    // sfc32: a chaotic 96-bit part plus a 32-bit counter, which guarantees a period of at least 2^32.
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, 2^53) built from 27 + 26 high bits of two outputs. */
  #nextUint53(): number {
    const high = this.#nextUint32() >>> 5;
    const low = this.#nextUint32() >>> 6;
    return high * TWO_POW_26 + low;
  }

  /** Uniform float in [0, 1) with 53 random bits, so every representable multiple of 2^-53 can occur. */
  next(): number {
    return this.#nextUint53() / TWO_POW_53;
  }

  /**
   * Uniform float in [low, high).
   * @param low - inclusive lower bound; defaults to 0.
   * @param high - exclusive upper bound, greater than `low`; defaults to 1.
   */
  uniform(low = 0, high = 1): number {
    checkFinite('Rng.uniform', 'low', low);
    checkFinite('Rng.uniform', 'high', high);
    if (!(high > low) || !Number.isFinite(high - low)) {
      throw new InvalidArgumentError(
        'Rng.uniform',
        'high',
        `greater than low (${low}) by a finite amount`,
        high,
      );
    }
    for (;;) {
      const value = low + (high - low) * this.next();
      // Rounding can land exactly on `high`; redraw to keep the interval half-open.
      if (value < high) return value;
    }
  }

  /**
   * Uniform integer in [low, high), without modulo bias.
   * @param low - inclusive lower bound, a safe integer.
   * @param high - exclusive upper bound, a safe integer with `high - low` at most 2^53.
   */
  int(low: number, high: number): number {
    if (!Number.isSafeInteger(low)) throw new InvalidArgumentError('Rng.int', 'low', 'a safe integer', low);
    if (!Number.isSafeInteger(high) || high <= low) {
      throw new InvalidArgumentError('Rng.int', 'high', `a safe integer greater than low (${low})`, high);
    }
    const range = high - low;
    if (range > TWO_POW_53) {
      throw new InvalidArgumentError('Rng.int', 'high', `at most 2^53 above low (${low})`, high);
    }
    if (range <= TWO_POW_32) {
      // Reject the top partial block of 2^32 so every residue is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % range);
      for (;;) {
        const x = this.#nextUint32();
        if (x < limit) return low + (x % range);
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % range);
    for (;;) {
      const x = this.#nextUint53();
      if (x < limit) return low + (x % range);
    }
  }

  /**
   * Normal (Gaussian) deviate, by Marsaglia's polar method. Each accepted pair yields two deviates;
   * the second is cached and returned by the next call (and saved in {@link Rng.getState}).
   * @param mean - defaults to 0.
   * @param std - standard deviation, at least 0; defaults to 1.
   */
  normal(mean = 0, std = 1): number {
    checkFinite('Rng.normal', 'mean', mean);
    if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
      throw new InvalidArgumentError('Rng.normal', 'std', 'a finite number >= 0', std);
    }
    return mean + std * this.#standardNormal();
  }

  #standardNormal(): number {
    const spare = this.#spare;
    if (spare !== null) {
      this.#spare = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spare = v * factor;
    return u * factor;
  }

  /**
   * Gamma deviate with density proportional to x^(shape-1) e^(-x/scale): mean shape·scale, variance
   * shape·scale². Marsaglia and Tsang (2000), "A simple method for generating gamma variables", with
   * their boost `Gamma(shape + 1) · U^(1/shape)` for shape < 1.
   * @param shape - k > 0.
   * @param scale - θ > 0; defaults to 1.
   */
  gamma(shape: number, scale = 1): number {
    checkPositive('Rng.gamma', 'shape', shape);
    checkPositive('Rng.gamma', 'scale', scale);
    return Math.exp(this.#logGamma(shape)) * scale;
  }

  /**
   * Logarithm of a Gamma(shape, 1) deviate. Working in logs keeps tiny shapes usable: for shape ≪ 1 the
   * deviate itself underflows to 0, which would turn a beta draw into 0/0.
   */
  #logGamma(shape: number): number {
    if (shape < 1) {
      const u = 1 - this.next(); // in (0, 1], so the log is finite
      return this.#logGamma(shape + 1) + Math.log(u) / shape;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.#standardNormal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = this.next();
      const x2 = x * x;
      // Cheap squeeze first; the log test is the exact acceptance condition.
      if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v);
      if (u > 0 && Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  }

  /**
   * Beta(a, b) deviate in [0, 1] as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
   * @param a - first shape, > 0.
   * @param b - second shape, > 0.
   */
  beta(a: number, b: number): number {
    checkPositive('Rng.beta', 'a', a);
    checkPositive('Rng.beta', 'b', b);
    const logX = this.#logGamma(a);
    const logY = this.#logGamma(b);
    // X / (X + Y) = 1 / (1 + exp(log Y - log X)), finite even when both gammas underflow.
    return 1 / (1 + Math.exp(logY - logX));
  }

  /**
   * `true` with probability `p`.
   * @param p - probability in [0, 1].
   */
  bernoulli(p: number): boolean {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new InvalidArgumentError('Rng.bernoulli', 'p', 'a probability in [0, 1]', p);
    }
    return this.next() < p;
  }

  /**
   * Shuffles an array or typed array in place (Fisher–Yates) and returns it.
   * @param array - the collection to permute.
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    if (!isWritableArrayLike(array)) {
      throw new InvalidArgumentError('Rng.shuffle', 'array', 'an array or a typed array', array);
    }
    const items = array as MutableArrayLike<unknown>;
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return array;
  }

  /**
   * A uniformly random permutation of `0, 1, …, n - 1`.
   * @param n - a non-negative integer.
   */
  permutation(n: number): number[] {
    checkCount('Rng.permutation', 'n', n);
    const out = Array.from({ length: n }, (_, i) => i);
    return this.shuffle(out);
  }

  /**
   * One uniformly chosen element.
   * @param array - a non-empty array, typed array or string.
   */
  choice<T>(array: ArrayLike<T>): T {
    if (!isArrayLike(array) || array.length === 0) {
      throw new InvalidArgumentError('Rng.choice', 'array', 'a non-empty array', array);
    }
    return array[this.int(0, array.length)] as T;
  }

  /**
   * `k` uniformly chosen elements, in the order drawn. Without replacement it is a partial Fisher–Yates
   * over a sparse index map, so it costs O(k) whatever the length of `array`.
   * @param array - the population.
   * @param k - how many to draw; at most `array.length` without replacement.
   */
  sample<T>(array: ArrayLike<T>, k: number, options: RngSampleOptions = {}): T[] {
    if (!isArrayLike(array)) {
      throw new InvalidArgumentError('Rng.sample', 'array', 'an array, typed array or string', array);
    }
    checkCount('Rng.sample', 'k', k);
    const { replace = false } = options;
    if (typeof replace !== 'boolean') {
      throw new InvalidArgumentError('Rng.sample', 'options.replace', 'a boolean', replace);
    }
    const n = array.length;
    const out: T[] = [];
    if (replace) {
      if (k > 0 && n === 0) {
        throw new InvalidArgumentError('Rng.sample', 'array', 'non-empty when k > 0', array);
      }
      for (let i = 0; i < k; i++) out.push(array[this.int(0, n)] as T);
      return out;
    }
    if (k > n) {
      throw new InvalidArgumentError('Rng.sample', 'k', `at most array.length (${n}) without replacement`, k);
    }
    const moved = new Map<number, number>();
    for (let i = 0; i < k; i++) {
      const j = this.int(i, n);
      const picked = moved.get(j) ?? j;
      moved.set(j, moved.get(i) ?? i);
      out.push(array[picked] as T);
    }
    return out;
  }

  /**
   * Index `i` drawn with probability `weights[i] / sum(weights)`; zero-weight indices are never drawn.
   * @param weights - finite, non-negative, with a positive finite sum.
   */
  weightedIndex(weights: ArrayLike<number>): number {
    if (!isArrayLike(weights) || typeof weights === 'string' || weights.length === 0) {
      throw new InvalidArgumentError('Rng.weightedIndex', 'weights', 'a non-empty array of numbers', weights);
    }
    let total = 0;
    let last = -1;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
        throw new InvalidArgumentError('Rng.weightedIndex', `weights[${i}]`, 'a finite number >= 0', w);
      }
      total += w;
      if (w > 0) last = i;
    }
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new InvalidArgumentError(
        'Rng.weightedIndex',
        'weights',
        'weights with a positive finite sum',
        total,
      );
    }
    const target = this.next() * total;
    let cumulative = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      cumulative += w;
      if (w > 0 && target < cumulative) return i;
    }
    // Only reachable when rounding makes the running sum fall short of `total`.
    return last;
  }

  /**
   * An independent child generator, derived from the next four outputs of this one (which advances) and
   * from `name`. Give each sub-component its own child, so adding draws in one does not shift the others.
   * @param name - optional label mixed into the child seed: the same parent state with different names
   *   yields different children.
   */
  split(name?: string): Rng {
    if (name !== undefined && typeof name !== 'string') {
      throw new InvalidArgumentError('Rng.split', 'name', 'a string or undefined', name);
    }
    const words = [TAG_SPLIT, this.#nextUint32(), this.#nextUint32(), this.#nextUint32(), this.#nextUint32()];
    if (name !== undefined) words.push(1, ...stringWords(name));
    const child = new Rng(0);
    child.#seedFrom(words);
    return child;
  }

  /** An independent child generator; the same as {@link Rng.split} without a name. */
  fork(): Rng {
    return this.split();
  }

  /** An integer seed in [0, 2^31) for the `seed` argument of `tf.randomUniform`, `tf.randomNormal` and friends. */
  seedForTf(): number {
    return this.#nextUint32() >>> 1;
  }

  /** A plain JSON-serialisable snapshot of the full state; see {@link RngState}. */
  getState(): RngState {
    return {
      algorithm: 'sfc32',
      words: [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0],
      spare: this.#spare,
    };
  }

  /** Replaces the state with a snapshot from {@link Rng.getState}, continuing that stream exactly. */
  setState(state: RngState): void {
    this.#restore('Rng.setState', state);
  }

  #restore(fn: string, state: RngState): void {
    if (typeof state !== 'object' || state === null) {
      throw new InvalidArgumentError(fn, 'state', 'an object from Rng.getState()', state);
    }
    if (state.algorithm !== 'sfc32') {
      throw new InvalidArgumentError(fn, 'state.algorithm', '"sfc32"', state.algorithm);
    }
    const words: unknown = state.words;
    if (!Array.isArray(words) || words.length !== 4 || !words.every(isUint32)) {
      throw new InvalidArgumentError(fn, 'state.words', 'an array of four integers in [0, 2^32)', words);
    }
    const spare: unknown = state.spare;
    if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) {
      throw new InvalidArgumentError(fn, 'state.spare', 'a finite number or null', spare);
    }
    const [a, b, c, d] = words as [number, number, number, number];
    this.#a = a | 0;
    this.#b = b | 0;
    this.#c = c | 0;
    this.#d = d | 0;
    this.#spare = spare;
  }
}
