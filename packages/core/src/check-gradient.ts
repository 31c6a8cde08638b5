import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TopkError } from './errors.js';
import { Rng, type RngSeed } from './rng.js';

/** Options of {@link checkGradient}. */
export interface CheckGradientOptions {
  /**
   * Half-width h of the central difference (f(x + h) − f(x − h)) / 2h. Too small and float32 rounding
   * of the forward pass dominates; too large and curvature does.
   * @defaultValue 1e-3
   */
  readonly epsilon?: number;
  /**
   * Relative tolerance: an entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
   * @defaultValue 1e-2
   */
  readonly rtol?: number;
  /**
   * Absolute tolerance; see `rtol`. Float32 rounding in the forward pass makes the numeric gradient noisy
   * by roughly 6e-8 · |y| · √(terms summed per output) / epsilon, about 1e-3 for a 32-term matMul with unit
   * inputs and 4e-3 for a 3×3×4 convolution, so raise it for wide layers rather than shrinking epsilon.
   * @defaultValue 1e-3
   */
  readonly atol?: number;
  /**
   * Most entries checked per input. Inputs with more entries are checked at that many positions chosen
   * by an {@link Rng} seeded with `seed`; each checked entry costs two forward passes.
   * @defaultValue 64
   */
  readonly samples?: number;
  /**
   * Seed for choosing the checked entries.
   * @defaultValue 0
   */
  readonly seed?: RngSeed;
}

/** What {@link checkGradient} measured over all checked entries. */
export interface GradientCheckResult {
  /** Largest |analytic − numeric|. */
  readonly maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|), counting 0 when both are 0. */
  readonly maxRelError: number;
  /** Number of entries checked, over all inputs. */
  readonly checked: number;
}

/** Details of a {@link GradientMismatchError}. */
export interface GradientMismatchDetails {
  /** Position of the input in the `inputs` array. */
  readonly inputIndex: number;
  /** Row-major flat index of the element within that input. */
  readonly flatIndex: number;
  /** Coordinates of the element within that input. */
  readonly coordinates: readonly number[];
  /** Gradient from `tf.grads`. */
  readonly analytic: number;
  /** Gradient from central finite differences. */
  readonly numeric: number;
  /** atol + rtol·|numeric| for this element. */
  readonly tolerance: number;
  /** How many checked entries were out of tolerance. */
  readonly mismatches: number;
  /** How many entries were checked. */
  readonly checked: number;
}

/**
 * An analytic gradient disagreed with finite differences. Describes the worst entry: the one furthest
 * out of tolerance.
 */
export class GradientMismatchError extends TopkError {
  readonly inputIndex: number;
  readonly flatIndex: number;
  readonly coordinates: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  readonly tolerance: number;
  readonly mismatches: number;
  readonly checked: number;

  constructor(details: GradientMismatchDetails) {
    const { inputIndex, flatIndex, coordinates, analytic, numeric, tolerance, mismatches, checked } = details;
    super(
      'GRADIENT_MISMATCH',
      `checkGradient: gradient of input ${inputIndex} at element [${coordinates.join(', ')}] (flat index ` +
        `${flatIndex}) is ${analytic} analytically but ${numeric} numerically: |difference| ` +
        `${Math.abs(analytic - numeric)} exceeds the tolerance ${tolerance} ` +
        `(${mismatches} of ${checked} checked entries out of tolerance)`,
    );
    this.inputIndex = inputIndex;
    this.flatIndex = flatIndex;
    this.coordinates = Object.freeze([...coordinates]);
    this.analytic = analytic;
    this.numeric = numeric;
    this.tolerance = tolerance;
    this.mismatches = mismatches;
    this.checked = checked;
  }
}

type Differentiable = (...xs: tf.Tensor[]) => tf.Scalar | tf.Tensor;

function unravel(flatIndex: number, shape: readonly number[]): number[] {
  const coordinates = new Array<number>(shape.length).fill(0);
  let rest = flatIndex;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    coordinates[axis] = rest % size;
    rest = Math.floor(rest / size);
  }
  return coordinates;
}

function checkTolerance(argument: string, value: number, positive: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (positive ? value > 0 : value >= 0);
  if (!ok) {
    throw new InvalidArgumentError(
      'checkGradient',
      argument,
      positive ? 'a finite number > 0' : 'a finite number >= 0',
      value,
    );
  }
}

/**
 * Checks the gradients that tfjs computes for `f` (with `tf.grads`; of the sum of the output when it is
 * not a scalar) against central finite differences, and throws a {@link GradientMismatchError} for the
 * worst entry when any is out of tolerance.
 *
 * The numeric side perturbs one float32 input entry at a time, reruns `f`, and takes the difference of
 * the outputs element by element in float64, divided by the step actually taken after float32 rounding.
 * `f` must be deterministic (no dropout, no sampling). Creates no lasting tensors.
 *
 * @example
 * ```ts
 * checkGradient((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [x, w]);
 * ```
 * @param f - the function to differentiate.
 * @param inputs - float32 tensors to differentiate with respect to; not modified.
 */
export function checkGradient(
  f: Differentiable,
  inputs: readonly tf.Tensor[],
  options: CheckGradientOptions = {},
): GradientCheckResult {
  const fn = 'checkGradient';
  if (typeof f !== 'function') throw new InvalidArgumentError(fn, 'f', 'a function', f);
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidArgumentError(fn, 'inputs', 'a non-empty array of tensors', inputs);
  }
  inputs.forEach((x: unknown, i) => {
    if (!(x instanceof tf.Tensor) || x.isDisposed) {
      throw new InvalidArgumentError(fn, `inputs[${i}]`, 'a live tensor', x);
    }
    if (x.dtype !== 'float32') {
      throw new InvalidArgumentError(fn, `inputs[${i}]`, 'a float32 tensor', `a ${x.dtype} tensor`);
    }
  });
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
  const { epsilon = 1e-3, rtol = 1e-2, atol = 1e-3, samples = 64, seed = 0 } = options;
  checkTolerance('options.epsilon', epsilon, true);
  checkTolerance('options.rtol', rtol, false);
  checkTolerance('options.atol', atol, false);
  if (!Number.isSafeInteger(samples) || samples < 1) {
    throw new InvalidArgumentError(fn, 'options.samples', 'a positive integer', samples);
  }
  const rng = new Rng(seed);

  const evaluate = (inputIndex: number, values: Float32Array | null): Float32Array =>
    tf.tidy(() => {
      const args = inputs.map((x, k) =>
        k === inputIndex && values !== null ? tf.tensor(values, x.shape, 'float32') : x,
      );
      const y: unknown = f(...args);
      if (!(y instanceof tf.Tensor))
        throw new InvalidArgumentError(fn, 'f', 'a function returning a tensor', y);
      if (y.dtype !== 'float32') {
        throw new InvalidArgumentError(
          fn,
          'f',
          'a function returning a float32 tensor',
          `a ${y.dtype} tensor`,
        );
      }
      // Copy: on the cpu backend dataSync returns the tensor's own buffer, which tidy is about to free.
      return (y.dataSync() as Float32Array).slice();
    });

  // A first plain forward pass validates what f returns before tf.grads can fail less clearly.
  evaluate(-1, null);
  const analytic = tf.tidy(() =>
    tf
      .grads(f)([...inputs])
      .map((g) => (g.dataSync() as Float32Array).slice()),
  );

  let maxAbsError = 0;
  let maxRelError = 0;
  let checked = 0;
  let mismatches = 0;
  let worst: { ratio: number; details: Omit<GradientMismatchDetails, 'mismatches' | 'checked'> } | null =
    null;

  for (const [inputIndex, x] of inputs.entries()) {
    const original = (x.dataSync() as Float32Array).slice();
    const gradient = analytic[inputIndex]!;
    const size = original.length;
    const positions =
      size <= samples
        ? Array.from({ length: size }, (_, k) => k)
        : rng
            .sample(
              Array.from({ length: size }, (_, k) => k),
              samples,
            )
            .sort((a, b) => a - b);
    for (const flatIndex of positions) {
      const x0 = original[flatIndex]!;
      const plus = Math.fround(x0 + epsilon);
      const minus = Math.fround(x0 - epsilon);
      const step = plus - minus; // exact in float64: the step the forward pass really saw
      if (step === 0) {
        throw new InvalidArgumentError(
          fn,
          'options.epsilon',
          `large enough to change inputs[${inputIndex}] element ${flatIndex} (${x0}) in float32`,
          epsilon,
        );
      }
      const perturbed = original.slice();
      perturbed[flatIndex] = plus;
      const yPlus = evaluate(inputIndex, perturbed);
      perturbed[flatIndex] = minus;
      const yMinus = evaluate(inputIndex, perturbed);
      // Differences element by element: outputs that x0 does not touch cancel exactly.
      let difference = 0;
      for (let k = 0; k < yPlus.length; k++) difference += yPlus[k]! - yMinus[k]!;
      const numeric = difference / step;
      const value = gradient[flatIndex]!;
      const absError = Math.abs(value - numeric);
      const scale = Math.max(Math.abs(value), Math.abs(numeric));
      const relError = scale === 0 ? 0 : absError / scale;
      maxAbsError = Math.max(maxAbsError, absError);
      maxRelError = Math.max(maxRelError, relError);
      checked++;
      const tolerance = atol + rtol * Math.abs(numeric);
      // Written so that NaN on either side counts as a mismatch.
      if (!(absError <= tolerance)) {
        mismatches++;
        const ratio = Number.isNaN(absError) ? Number.POSITIVE_INFINITY : absError / tolerance;
        if (worst === null || ratio > worst.ratio) {
          const coordinates = unravel(flatIndex, x.shape);
          worst = {
            ratio,
            details: { inputIndex, flatIndex, coordinates, analytic: value, numeric, tolerance },
          };
        }
      }
    }
  }

  if (worst !== null) throw new GradientMismatchError({ ...worst.details, mismatches, checked });
  return { maxAbsError, maxRelError, checked };
}
