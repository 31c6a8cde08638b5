import { InvalidArgumentError } from '@topk/core';
import { affine } from './affine.js';
import { brightness } from './brightness.js';
import { brightnessContrast } from './brightness-contrast.js';
import { channelShuffle } from './channel-shuffle.js';
import { coarseDropout } from './coarse-dropout.js';
import { compose } from './compose.js';
import { contrast } from './contrast.js';
import { cropAndPad } from './crop-and-pad.js';
import { elastic } from './elastic.js';
import { fog } from './fog.js';
import { gamma } from './gamma.js';
import { gaussianBlur } from './gaussian-blur.js';
import { gaussianNoise } from './gaussian-noise.js';
import { grayscale } from './grayscale.js';
import { gridDistortion } from './grid-distortion.js';
import { horizontalFlip } from './horizontal-flip.js';
import { hueSaturationValue } from './hue-saturation-value.js';
import { jpegQuality } from './jpeg-quality.js';
import { medianBlur } from './median-blur.js';
import { motionBlur } from './motion-blur.js';
import { oneOf } from './one-of.js';
import { perspective } from './perspective.js';
import { posterize } from './posterize.js';
import { rain } from './rain.js';
import { randomErasing } from './random-erasing.js';
import { randomOrder } from './random-order.js';
import { randomResizedCrop } from './random-resized-crop.js';
import { rgbShift } from './rgb-shift.js';
import { rotate } from './rotate.js';
import { sharpen } from './sharpen.js';
import { solarize } from './solarize.js';
import { someOf } from './some-of.js';
import type { CompositionName, JsonValue, Transform, TransformConfig, TransformName } from './types.js';
import { isPlainObject } from './validate.js';
import { verticalFlip } from './vertical-flip.js';
import { warp } from './warp.js';
import { zoom } from './zoom.js';

/** What a transform does, for listing and for choosing test references. */
export type TransformKind = 'geometric' | 'colour' | 'noise' | 'blur' | 'weather' | 'occlusion';

/** One row of {@link TRANSFORMS}. */
export interface TransformDefinition {
  readonly name: TransformName;
  readonly kind: TransformKind;
  /** One line on what it does. */
  readonly summary: string;
  /** The implementation whose meaning it follows. */
  readonly reference: string;
  /** Builds the transform from options (as in its config). */
  readonly create: (options?: { readonly [key: string]: JsonValue }) => Transform;
  /**
   * Options with `p: 1` and strong settings that make the effect plain to see (used by the conformance
   * tests and the README's contact sheet).
   */
  readonly example: { readonly [key: string]: JsonValue };
  /** Whether it needs RGB images. */
  readonly rgbOnly: boolean;
}

type Factory = (options?: never) => Transform;

function row(
  name: TransformName,
  kind: TransformKind,
  factory: Factory,
  summary: string,
  reference: string,
  example: { readonly [key: string]: JsonValue },
  rgbOnly = false,
): TransformDefinition {
  const create = factory as unknown as (options?: { readonly [key: string]: JsonValue }) => Transform;
  return { name, kind, create, summary, reference, example, rgbOnly };
}

/**
 * Every leaf transform, by name: the single table that configs, the conformance tests and the contact
 * sheet are driven by.
 */
export const TRANSFORMS: { readonly [K in TransformName]: TransformDefinition } = {
  horizontalFlip: row(
    'horizontalFlip',
    'geometric',
    horizontalFlip,
    'mirror left to right',
    'albumentations HorizontalFlip, fastai Flip',
    { p: 1 },
  ),
  verticalFlip: row(
    'verticalFlip',
    'geometric',
    verticalFlip,
    'mirror top to bottom',
    'albumentations VerticalFlip',
    { p: 1 },
  ),
  rotate: row(
    'rotate',
    'geometric',
    rotate,
    'rotation about the centre',
    'albumentations Rotate, fastai Rotate',
    { limit: [20, 40], p: 1 },
  ),
  affine: row(
    'affine',
    'geometric',
    affine,
    'translation, scale, rotation and shear',
    'albumentations Affine / ShiftScaleRotate',
    { translate: [0.05, 0.1], scale: [0.8, 0.9], rotate: [10, 20], shear: [5, 10], p: 1 },
  ),
  perspective: row(
    'perspective',
    'geometric',
    perspective,
    'random four-corner perspective',
    'albumentations Perspective',
    { scale: [0.1, 0.15], p: 1 },
  ),
  elastic: row(
    'elastic',
    'geometric',
    elastic,
    'smooth random displacement field',
    'Simard et al. 2003, albumentations ElasticTransform',
    { alpha: 0.08, p: 1 },
  ),
  gridDistortion: row(
    'gridDistortion',
    'geometric',
    gridDistortion,
    'cells stretched and squeezed',
    'albumentations GridDistortion',
    { distortLimit: [0.3, 0.5], p: 1 },
  ),
  randomResizedCrop: row(
    'randomResizedCrop',
    'geometric',
    randomResizedCrop,
    'random crop resized back',
    'torchvision RandomResizedCrop',
    { scale: [0.3, 0.6], p: 1 },
  ),
  cropAndPad: row(
    'cropAndPad',
    'geometric',
    cropAndPad,
    'crop or pad each side, resize back',
    'albumentations / imgaug CropAndPad',
    { percent: [0.1, 0.2], p: 1 },
  ),
  zoom: row('zoom', 'geometric', zoom, 'zoom towards a random point', 'fastai Zoom', {
    minZoom: 1.3,
    maxZoom: 1.5,
    p: 1,
  }),
  warp: row('warp', 'geometric', warp, 'symmetric perspective warp', 'fastai Warp', { magnitude: 0.4, p: 1 }),
  brightnessContrast: row(
    'brightnessContrast',
    'colour',
    brightnessContrast,
    'linear brightness and contrast',
    'albumentations RandomBrightnessContrast',
    { brightness: [0.15, 0.25], contrast: [0.2, 0.3], p: 1 },
  ),
  brightness: row('brightness', 'colour', brightness, 'brightness in logit space', 'fastai Brightness', {
    maxLighting: 0.6,
    p: 1,
  }),
  contrast: row('contrast', 'colour', contrast, 'contrast in logit space', 'fastai Contrast', {
    maxLighting: 0.6,
    p: 1,
  }),
  hueSaturationValue: row(
    'hueSaturationValue',
    'colour',
    hueSaturationValue,
    'shift hue, saturation and value',
    'albumentations HueSaturationValue',
    { hue: [60, 90], saturation: [-0.3, -0.2], value: 0, p: 1 },
    true,
  ),
  rgbShift: row(
    'rgbShift',
    'colour',
    rgbShift,
    'add a constant per channel',
    'albumentations RGBShift',
    { red: [0.1, 0.2], green: [-0.2, -0.1], blue: [0.05, 0.1], p: 1 },
    true,
  ),
  gamma: row('gamma', 'colour', gamma, 'gamma curve', 'albumentations RandomGamma', {
    gamma: [1.8, 2.2],
    p: 1,
  }),
  grayscale: row(
    'grayscale',
    'colour',
    grayscale,
    'BT.601 luma in every channel',
    'albumentations ToGray',
    { p: 1 },
    true,
  ),
  channelShuffle: row(
    'channelShuffle',
    'colour',
    channelShuffle,
    'permute the channels',
    'albumentations ChannelShuffle',
    { p: 1 },
  ),
  sharpen: row('sharpen', 'colour', sharpen, 'unsharp 3x3 kernel', 'albumentations Sharpen', {
    alpha: [0.8, 1],
    p: 1,
  }),
  posterize: row(
    'posterize',
    'colour',
    posterize,
    'keep the top bits of each channel',
    'albumentations Posterize, PIL',
    { bits: 2, p: 1 },
  ),
  solarize: row('solarize', 'colour', solarize, 'invert above a threshold', 'albumentations Solarize, PIL', {
    threshold: 0.5,
    p: 1,
  }),
  jpegQuality: row(
    'jpegQuality',
    'noise',
    jpegQuality,
    'JPEG block-DCT quantisation',
    'ITU-T T.81, IJG quality scaling',
    { quality: [5, 10], p: 1 },
    true,
  ),
  gaussianNoise: row(
    'gaussianNoise',
    'noise',
    gaussianNoise,
    'additive Gaussian noise',
    'albumentations GaussNoise',
    { std: [0.08, 0.1], p: 1 },
  ),
  gaussianBlur: row('gaussianBlur', 'blur', gaussianBlur, 'Gaussian blur', 'albumentations GaussianBlur', {
    blurLimit: [5, 7],
    p: 1,
  }),
  motionBlur: row('motionBlur', 'blur', motionBlur, 'blur along a line', 'albumentations MotionBlur', {
    blurLimit: [7, 9],
    p: 1,
  }),
  medianBlur: row('medianBlur', 'blur', medianBlur, 'median of each window', 'albumentations MedianBlur', {
    blurLimit: 5,
    p: 1,
  }),
  rain: row('rain', 'weather', rain, 'slanted rain streaks', 'albumentations RandomRain', {
    density: 0.02,
    dropLength: 0.25,
    blur: 3,
    p: 1,
  }),
  fog: row('fog', 'weather', fog, 'smooth white haze', 'albumentations RandomFog (approximated)', {
    intensity: [0.8, 1],
    p: 1,
  }),
  randomErasing: row(
    'randomErasing',
    'occlusion',
    randomErasing,
    'erase one random box',
    'torchvision RandomErasing',
    { scale: [0.1, 0.2], p: 1 },
  ),
  coarseDropout: row(
    'coarseDropout',
    'occlusion',
    coarseDropout,
    'drop several rectangles',
    'albumentations CoarseDropout',
    { holes: [3, 5], height: [0.1, 0.2], width: [0.1, 0.2], p: 1 },
  ),
};

const COMPOSITIONS: readonly CompositionName[] = ['compose', 'oneOf', 'someOf', 'randomOrder'];

/** Names of every leaf transform, in table order. */
export function listTransforms(): TransformName[] {
  return Object.keys(TRANSFORMS) as TransformName[];
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = d[j]!;
      d[j] = Math.min(
        d[j]! + 1,
        d[j - 1]! + 1,
        previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return d[b.length]!;
}

/**
 * Rebuilds a transform or composition from {@link Transform.toConfig} output (or hand-written JSON):
 * `transformFromConfig(JSON.parse(JSON.stringify(t.toConfig())))` behaves as `t`.
 */
export function transformFromConfig(config: TransformConfig): Transform {
  const fn = 'transformFromConfig';
  if (!isPlainObject(config))
    throw new InvalidArgumentError(fn, 'config', 'an object from toConfig()', config);
  const { name, options = {}, children } = config as { name: unknown; options?: unknown; children?: unknown };
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'config.options', 'an object', options);
  if (typeof name === 'string' && (COMPOSITIONS as readonly string[]).includes(name)) {
    if (!Array.isArray(children)) {
      throw new InvalidArgumentError(fn, 'config.children', `an array of configs for ${name}`, children);
    }
    const built = children.map((child) => transformFromConfig(child as TransformConfig));
    if (name === 'someOf') {
      const { n, ...rest } = options;
      return someOf(built, n as number, rest);
    }
    const factory = { compose, oneOf, randomOrder }[name as 'compose' | 'oneOf' | 'randomOrder'];
    return factory(built, options);
  }
  if (typeof name !== 'string' || !Object.hasOwn(TRANSFORMS, name)) {
    const known = [...listTransforms(), ...COMPOSITIONS];
    const nearest =
      typeof name === 'string'
        ? known.reduce((best, k) => (distance(name, k) < distance(name, best) ? k : best))
        : '';
    const hint =
      typeof name === 'string' && distance(name, nearest) <= 3 ? ` (did you mean "${nearest}"?)` : '';
    throw new InvalidArgumentError(fn, 'config.name', `the name of a transform or composition${hint}`, name);
  }
  if (children !== undefined) {
    throw new InvalidArgumentError(fn, 'config.children', `absent for the leaf transform ${name}`, children);
  }
  return TRANSFORMS[name as TransformName].create(options as { readonly [key: string]: JsonValue });
}
