import { InvalidArgumentError } from '@topk/core';
import { affine } from './affine.js';
import { brightness } from './brightness.js';
import { brightnessContrast } from './brightness-contrast.js';
import { coarseDropout } from './coarse-dropout.js';
import { compose } from './compose.js';
import { contrast } from './contrast.js';
import { elastic } from './elastic.js';
import { gaussianBlur } from './gaussian-blur.js';
import { gaussianNoise } from './gaussian-noise.js';
import { horizontalFlip } from './horizontal-flip.js';
import { hueSaturationValue } from './hue-saturation-value.js';
import { motionBlur } from './motion-blur.js';
import { oneOf } from './one-of.js';
import { perspective } from './perspective.js';
import { rain } from './rain.js';
import { rgbShift } from './rgb-shift.js';
import { rotate } from './rotate.js';
import { sharpen } from './sharpen.js';
import type { CompositionParams, Transform } from './types.js';
import { checkNumber, checkOptions, checkProbability } from './validate.js';
import { warp } from './warp.js';
import { zoom } from './zoom.js';

/**
 * A light pipeline for clean, plentiful data: horizontal flip, a small shift-scale-rotate and a little
 * brightness/contrast, each with probability 0.5 (albumentations' classic starter set).
 */
export function light(): Transform<CompositionParams> {
  return compose([
    horizontalFlip({ p: 0.5 }),
    affine({ translate: 0.0625, scale: [0.9, 1.1], rotate: 10, shear: 0, p: 0.5 }),
    brightnessContrast({ brightness: 0.1, contrast: 0.1, p: 0.5 }),
  ]);
}

/** Options of {@link standard}: fastai `aug_transforms`' arguments. */
export interface StandardOptions {
  /** Random horizontal flip with probability 0.5. @defaultValue true */
  readonly doFlip?: boolean;
  /** @defaultValue 10 */
  readonly maxRotate?: number;
  /** @defaultValue 1 */
  readonly minZoom?: number;
  /** @defaultValue 1.1 */
  readonly maxZoom?: number;
  /** @defaultValue 0.2 */
  readonly maxLighting?: number;
  /** @defaultValue 0.2 */
  readonly maxWarp?: number;
  /** Probability of each of warp, rotate and zoom. @defaultValue 0.75 */
  readonly pAffine?: number;
  /** Probability of each of brightness and contrast. @defaultValue 0.75 */
  readonly pLighting?: number;
  /** Multiplies `maxRotate`, `maxLighting` and `maxWarp`. @defaultValue 1 */
  readonly mult?: number;
  /** @defaultValue 'reflect' (fastai's `pad_mode=Reflection`) */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
}

/**
 * fastai's `aug_transforms()` with its defaults: flip (p 0.5), warp 0.2, rotate ±10°, zoom 1–1.1 (each p
 * 0.75, reflection padding, bilinear, fused into one resampling as fastai does), brightness and contrast
 * 0.2 in logit space (each p 0.75).
 */
export function standard(options: StandardOptions = {}): Transform<CompositionParams> {
  const fn = 'standard';
  checkOptions(fn, options, [
    'doFlip',
    'maxRotate',
    'minZoom',
    'maxZoom',
    'maxLighting',
    'maxWarp',
    'pAffine',
    'pLighting',
    'mult',
    'fillMode',
  ]);
  const { doFlip = true, minZoom = 1, maxZoom = 1.1, fillMode = 'reflect' } = options;
  if (typeof doFlip !== 'boolean') throw new InvalidArgumentError(fn, 'doFlip', 'a boolean', doFlip);
  const mult = checkNumber(fn, 'mult', options.mult ?? 1, 0);
  const maxRotate = checkNumber(fn, 'maxRotate', options.maxRotate ?? 10, 0, 180) * mult;
  const maxLighting = checkNumber(fn, 'maxLighting', options.maxLighting ?? 0.2, 0, 0.999) * mult;
  const maxWarp = checkNumber(fn, 'maxWarp', options.maxWarp ?? 0.2, 0, 0.9) * mult;
  const pAffine = checkProbability(fn, options.pAffine ?? 0.75, 'pAffine');
  const pLighting = checkProbability(fn, options.pLighting ?? 0.75, 'pLighting');
  // The same order as fastai (flip, warp, rotate, zoom), so the fused matrix is fastai's composition.
  const children: Transform[] = [];
  if (doFlip) children.push(horizontalFlip({ p: 0.5 }));
  if (maxWarp > 0) children.push(warp({ magnitude: maxWarp, fillMode, p: pAffine }));
  if (maxRotate > 0) children.push(rotate({ limit: maxRotate, fillMode, p: pAffine }));
  if (minZoom < 1 || maxZoom > 1) children.push(zoom({ minZoom, maxZoom, fillMode, p: pAffine }));
  if (maxLighting > 0) {
    children.push(brightness({ maxLighting, p: pLighting }), contrast({ maxLighting, p: pLighting }));
  }
  if (children.length === 0)
    throw new InvalidArgumentError(fn, 'options', 'options that leave some transform on', options);
  return compose(children);
}

/**
 * The heavy pipeline of the winning whale-fluke identification solution (field note 002): noise, blur or
 * motion blur or rain; colour shift or brightness/contrast or hue/saturation; sharpen; perspective or
 * elastic; rotation ±20° or an affine with translation and shear; random occlusion. Probabilities follow
 * its albumentations script; its CLAHE and emboss have no equivalent here and are left out.
 */
export function heavy(): Transform<CompositionParams> {
  return compose([
    oneOf(
      [
        rain({ p: 0.1 }),
        gaussianNoise({ mean: 15 / 255, p: 0.5 }),
        gaussianBlur({ blurLimit: [3, 9], p: 0.4 }),
        motionBlur({ p: 0.2 }),
      ],
      { p: 0.5 },
    ),
    oneOf(
      [
        rgbShift({ red: 10 / 255, green: 10 / 255, blue: 10 / 255, p: 1 }),
        brightnessContrast({ brightness: 0.3, contrast: 0.1, p: 1 }),
        hueSaturationValue({ hue: 20, p: 1 }),
      ],
      { p: 0.6 },
    ),
    sharpen({ p: 0.5 / 3 }),
    oneOf([perspective({ p: 0.3 }), elastic({ p: 0.1 })], { p: 0.5 }),
    oneOf(
      [
        rotate({ limit: 20, p: 0.6 }),
        affine({ translate: 15 / 224, scale: [0.9, 1], rotate: 20, shear: 10, p: 0.5 }),
      ],
      { p: 1 },
    ),
    coarseDropout({ holes: 1, height: [0.2, 0.2], width: [0.2, 0.2], p: 0.2 }),
  ]);
}
