import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TopkError } from './errors.js';

/** Options of {@link expectNoLeaks} and {@link expectNoLeaksSync}. */
export interface ExpectNoLeaksOptions {
  /**
   * How many tensors the function may leave behind (caches, lazily created variables).
   * @defaultValue 0
   */
  readonly allowed?: number;
  /** Name of the code under test, put at the start of the error message. */
  readonly label?: string;
}

/** Details of a {@link TensorLeakError}. */
export interface TensorLeakDetails {
  /** `tf.memory().numTensors` before the function ran. */
  readonly before: number;
  /** `tf.memory().numTensors` after it finished. */
  readonly after: number;
  /** Tensors created by the function and returned in its result, which are not counted as leaked. */
  readonly returned?: number;
  /** Tensors the function was allowed to leave behind. */
  readonly allowed?: number;
  /** Name of the code under test. */
  readonly label?: string;
}

/** Code run under {@link expectNoLeaks} left more tensors allocated than it was allowed to. */
export class TensorLeakError extends TopkError {
  /** `tf.memory().numTensors` before the function ran. */
  readonly before: number;
  /** `tf.memory().numTensors` after it finished. */
  readonly after: number;
  /** Tensors leaked: `after - before`, less those the function returned. */
  readonly leaked: number;
  /** Tensors the function was allowed to leave behind. */
  readonly allowed: number;
  /** Name of the code under test, if one was given. */
  readonly label: string | undefined;

  constructor(details: TensorLeakDetails) {
    const { before, after, returned = 0, allowed = 0, label } = details;
    const leaked = after - before - returned;
    const notCounted = returned > 0 ? `, not counting ${returned} returned` : '';
    super(
      'TENSOR_LEAK',
      `${label ?? 'expectNoLeaks'}: ${leaked} tensor${leaked === 1 ? '' : 's'} leaked ` +
        `(tf.memory().numTensors went from ${before} to ${after}${notCounted}; ${allowed} allowed)`,
    );
    this.before = before;
    this.after = after;
    this.leaked = leaked;
    this.allowed = allowed;
    this.label = label;
  }
}

interface Measurement {
  readonly before: number;
  /** Id of a tensor made just before `fn` ran: tensors with larger ids were made by `fn`. */
  readonly firstId: number;
  readonly allowed: number;
  readonly label: string | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Live tensors reachable from `value` through arrays and plain objects that were created after `firstId`. */
function countReturned(value: unknown, firstId: number): number {
  const found = new Set<number>();
  const seen = new Set<unknown>();
  const walk = (item: unknown): void => {
    if (item instanceof tf.Tensor) {
      if (item.id > firstId && !item.isDisposed) found.add(item.id);
      return;
    }
    if (seen.has(item)) return;
    if (Array.isArray(item)) {
      seen.add(item);
      item.forEach(walk);
    } else if (isPlainObject(item)) {
      seen.add(item);
      Object.values(item).forEach(walk);
    }
  };
  walk(value);
  return found.size;
}

function start(fn: string, run: unknown, options: ExpectNoLeaksOptions): Measurement {
  if (typeof run !== 'function') throw new InvalidArgumentError(fn, 'fn', 'a function', run);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
  const { allowed = 0, label } = options;
  if (!Number.isSafeInteger(allowed) || allowed < 0) {
    throw new InvalidArgumentError(fn, 'options.allowed', 'a non-negative integer', allowed);
  }
  if (label !== undefined && typeof label !== 'string') {
    throw new InvalidArgumentError(fn, 'options.label', 'a string', label);
  }
  // tfjs exposes no "next tensor id", so a throwaway scalar marks where fn's tensors start.
  const marker = tf.scalar(0);
  const firstId = marker.id;
  marker.dispose();
  return { before: tf.memory().numTensors, firstId, allowed, label };
}

function finish(measurement: Measurement, result: unknown): void {
  const after = tf.memory().numTensors;
  const { before, firstId, allowed, label } = measurement;
  if (after - before <= allowed) return;
  const returned = countReturned(result, firstId);
  if (after - before - returned <= allowed) return;
  throw new TensorLeakError({ before, after, returned, allowed, ...(label === undefined ? {} : { label }) });
}

/**
 * Runs `fn` (sync or async) and throws a {@link TensorLeakError} when it leaves more tensors allocated
 * than `options.allowed`. Tensors that `fn` creates and returns (alone, or inside arrays and plain
 * objects) are not leaks, the same as `tf.tidy`: the caller owns and disposes them. If `fn` throws, its
 * error propagates and nothing is checked.
 *
 * It counts every tensor in the engine, so tensor work running concurrently with an async `fn` counts too.
 * Framework agnostic: use it in any test runner, or as a guard in a long-running loop.
 *
 * @example
 * ```ts
 * const y = await expectNoLeaks(() => model.predict(x) as tf.Tensor);
 * y.dispose();
 * ```
 * @param fn - the code under test.
 * @returns what `fn` returned (or its promise resolved to).
 */
export async function expectNoLeaks<T>(
  fn: () => T | Promise<T>,
  options: ExpectNoLeaksOptions = {},
): Promise<T> {
  const measurement = start('expectNoLeaks', fn, options);
  const result = await fn();
  finish(measurement, result);
  return result;
}

/**
 * Synchronous {@link expectNoLeaks}: `fn` must not return a promise.
 * @param fn - the code under test.
 * @returns what `fn` returned.
 */
export function expectNoLeaksSync<T>(fn: () => T, options: ExpectNoLeaksOptions = {}): T {
  const measurement = start('expectNoLeaksSync', fn, options);
  const result = fn();
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new InvalidArgumentError(
      'expectNoLeaksSync',
      'fn',
      'a synchronous function (use expectNoLeaks for async code)',
      'a function that returned a promise',
    );
  }
  finish(measurement, result);
  return result;
}
