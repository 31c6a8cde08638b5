import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Rng } from '@topk/core';
import { IDENTITY, type Matrix3, multiply } from './geometry.js';
import { applyToSubset, checkRecord, LeafTransform } from './leaf.js';
import { warpProjective } from './resample.js';
import type {
  ApplyOptions,
  AugmentResult,
  BatchShape,
  CompositionName,
  CompositionParams,
  CompositionStep,
  JsonValue,
  ReplayOptions,
  SampleOptions,
  Stage,
  Transform,
  TransformConfig,
} from './types.js';
import {
  checkImages,
  checkMaxValue,
  checkRng,
  checkShape,
  checkTraining,
  type Fill,
  isPlainObject,
} from './validate.js';

/** Shared sampling context of a composition's plan. */
export interface PlanContext {
  readonly rng: Rng;
  readonly shape: BatchShape;
  /** Per image, whether the composition runs on it. */
  readonly selected: readonly boolean[];
  readonly training: boolean;
}

export function isTransform(value: unknown): value is Transform {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Transform).sample === 'function' &&
    typeof (value as Transform).replay === 'function' &&
    typeof (value as Transform).toConfig === 'function'
  );
}

export function checkChildren(fn: string, children: unknown): readonly Transform[] {
  if (!Array.isArray(children) || children.length === 0 || !children.every(isTransform)) {
    throw new InvalidArgumentError(fn, 'children', 'a non-empty array of transforms', children);
  }
  return [...children];
}

function sameShape(a: BatchShape, b: BatchShape): boolean {
  return a.every((d, i) => d === b[i]);
}

/** The projective spec of a step's child when it can join a fused resampling, else undefined. */
function projectiveOf(child: Transform): LeafTransform<never>['definition']['projective'] {
  if (!(child instanceof LeafTransform)) return undefined;
  const { projective, reshape } = child.definition;
  return reshape === undefined ? projective : undefined;
}

function sameFill(a: Fill, b: Fill): boolean {
  return a.interpolation === b.interpolation && a.fillMode === b.fillMode && a.fillValue === b.fillValue;
}

/**
 * The generic half of every composition: its own `p`, per-image selection, replay of the recorded steps
 * in order, and config. Subclasses decide which child runs on which image.
 */
export abstract class Composition implements Transform<CompositionParams> {
  readonly name: CompositionName;
  readonly p: number;
  readonly stage: Stage;
  readonly children: readonly Transform[];
  readonly #extra: { readonly [key: string]: JsonValue };
  readonly #fuse: boolean;

  protected constructor(
    name: CompositionName,
    children: readonly Transform[],
    p: number,
    stage: Stage,
    extra: { readonly [key: string]: JsonValue },
    fuse: boolean,
  ) {
    this.name = name;
    this.children = children;
    this.p = p;
    this.stage = stage;
    this.#extra = extra;
    this.#fuse = fuse;
  }

  /** Which child runs on which images, in execution order. */
  protected abstract plan(context: PlanContext): CompositionStep[];

  outputShape(shape: BatchShape): BatchShape {
    // Children that run on some images and not others must agree on the output shape.
    const shapes = this.children.map((child) => child.outputShape(shape));
    if (!shapes.every((s) => sameShape(s, shape))) {
      throw new InvalidArgumentError(
        this.name,
        'children',
        'transforms that keep the image shape (use compose for resizing transforms)',
        `a child that outputs [${shapes.find((s) => !sameShape(s, shape))!.join(', ')}]`,
      );
    }
    return shape;
  }

  sample(rng: Rng, shape: BatchShape, options: SampleOptions = {}): CompositionParams {
    const fn = `${this.name}.sample`;
    checkRng(fn, rng);
    checkShape(fn, shape);
    const { training = true, active, force = false } = options;
    checkTraining(fn, training);
    const n = shape[0];
    if (active !== undefined && (!Array.isArray(active) || active.length !== n)) {
      throw new InvalidArgumentError(fn, 'options.active', `an array of ${n} booleans`, active);
    }
    this.outputShape(shape);
    const runs = training || this.stage === 'always';
    const selected: boolean[] = [];
    for (let i = 0; i < n; i++) {
      selected.push(runs && (active === undefined || active[i] === true) && (force || rng.next() < this.p));
    }
    const steps = this.plan({ rng, shape, selected, training });
    return { transform: this.name, images: selected, steps };
  }

  replay(images: tf.Tensor4D, params: CompositionParams, options: ReplayOptions = {}): tf.Tensor4D {
    const fn = `${this.name}.replay`;
    checkImages(fn, images);
    const n = images.shape[0];
    checkRecord(fn, params, this.name, n, (e) => typeof e === 'boolean');
    const steps: unknown = params.steps;
    if (
      !Array.isArray(steps) ||
      !steps.every(
        (s) =>
          isPlainObject(s) &&
          Number.isSafeInteger(s.child) &&
          (s.child as number) >= 0 &&
          (s.child as number) < this.children.length,
      )
    ) {
      throw new InvalidArgumentError(
        fn,
        'params.steps',
        `steps naming children 0..${this.children.length - 1}`,
        steps,
      );
    }
    const maxValue = checkMaxValue(fn, options.maxValue ?? 1);
    return tf.tidy(() => {
      let current = images;
      const advance = (next: tf.Tensor4D): void => {
        if (current !== images) current.dispose();
        current = next;
      };
      const list = steps as CompositionStep[];
      for (let k = 0; k < list.length; ) {
        const group = this.#fuse ? this.#fusibleRun(list, k) : 1;
        if (group >= 2) {
          advance(this.#fused(current, list.slice(k, k + group), maxValue));
        } else {
          const step = list[k]!;
          advance(this.children[step.child]!.replay(current, step.params, { maxValue }));
        }
        k += group;
      }
      return current === images ? tf.clone(images) : current;
    });
  }

  /** Length of the run of fusible projective steps starting at `start` (1 when none). */
  #fusibleRun(steps: readonly CompositionStep[], start: number): number {
    let fill: Fill | null = null;
    let k = start;
    for (; k < steps.length; k++) {
      const spec = projectiveOf(this.children[steps[k]!.child]!);
      if (spec === undefined) break;
      if (spec.fill !== null) {
        if (fill !== null && !sameFill(fill, spec.fill)) break;
        fill = spec.fill;
      }
    }
    return Math.max(1, k - start);
  }

  /**
   * Several homographies in one resampling, as fastai composes its affine and warp transforms: one
   * interpolation instead of one per step, and reflection reads the original image.
   */
  #fused(images: tf.Tensor4D, steps: readonly CompositionStep[], maxValue: number): tf.Tensor4D {
    const [n, height, width] = images.shape;
    let fill: Fill = { interpolation: 'bilinear', fillMode: 'edge', fillValue: 0 };
    const matrices: Matrix3[] = Array.from({ length: n }, () => IDENTITY);
    const touched = new Array<boolean>(n).fill(false);
    for (const step of steps) {
      const spec = projectiveOf(this.children[step.child]!)!;
      if (spec.fill !== null) fill = spec.fill;
      const record = step.params;
      checkRecord(
        `${this.name}.replay`,
        record,
        this.children[step.child]!.name,
        n,
        (e) => e === null || isPlainObject(e),
      );
      record.images.forEach((entry, i) => {
        if (entry === null || typeof entry === 'boolean') return;
        matrices[i] = multiply(matrices[i]!, spec.matrix(entry as never, height, width));
        touched[i] = true;
      });
    }
    const indices = touched.flatMap((t, i) => (t ? [i] : []));
    if (indices.length === 0) return tf.clone(images);
    const chosen = indices.map((i) => matrices[i]!);
    if (indices.length === n) return warpProjective(images, chosen, height, width, fill, maxValue);
    return applyToSubset(images, indices, (subset) =>
      warpProjective(subset, chosen, height, width, fill, maxValue),
    );
  }

  apply(images: tf.Tensor4D, rng: Rng, options: ApplyOptions = {}): AugmentResult<CompositionParams> {
    const fn = `${this.name}.apply`;
    checkImages(fn, images);
    const { training = true, ...replayOptions } = options;
    const params = this.sample(rng, images.shape as unknown as BatchShape, { training });
    return { images: this.replay(images, params, replayOptions), params };
  }

  toConfig(): TransformConfig {
    return {
      name: this.name,
      options: { ...this.#extra, p: this.p, stage: this.stage },
      children: this.children.map((child) => child.toConfig()),
    };
  }
}
