import { Composition, checkChildren, type PlanContext } from './composition.js';
import { common } from './leaf.js';
import type {
  BatchShape,
  CommonOptions,
  CompositionParams,
  CompositionStep,
  Stage,
  Transform,
} from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link compose}. */
export interface ComposeOptions extends CommonOptions {
  /** @defaultValue 1 */
  readonly p?: number;
}

class Compose extends Composition {
  constructor(children: readonly Transform[], p: number, stage: Stage) {
    super('compose', children, p, stage, {}, true);
  }

  override outputShape(shape: BatchShape): BatchShape {
    return this.children.reduce((s, child) => child.outputShape(s), shape);
  }

  protected plan({ rng, shape, selected, training }: PlanContext): CompositionStep[] {
    let current = shape;
    return this.children.map((child, index) => {
      const params = child.sample(rng, current, { training, active: selected });
      current = child.outputShape(current);
      return { child: index, params };
    });
  }
}

/**
 * Runs the children in order, each with its own `p` (albumentations `Compose`). Consecutive geometric
 * transforms that are one homography each (flips, rotate, affine, zoom, warp, perspective, cropAndPad)
 * and share their fill settings are fused into one resampling, as fastai does with `aug_transforms`: one
 * interpolation instead of several, and reflection reads the original image.
 *
 * @example
 * ```ts
 * const pipeline = compose([horizontalFlip(), rotate({ limit: 10 }), brightnessContrast()]);
 * const { images: out, params } = pipeline.apply(images, new Rng(42));
 * const again = pipeline.replay(otherImages, params); // the same draws on other images
 * ```
 */
export function compose(
  children: readonly Transform[],
  options: ComposeOptions = {},
): Transform<CompositionParams> {
  const fn = 'compose';
  const list = checkChildren(fn, children);
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 1);
  return new Compose(list, p, stage);
}
