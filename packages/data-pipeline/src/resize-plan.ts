import { InvalidArgumentError, type Rng } from '@topk/core';
import { ImageDecodeError } from './image-decode-error.js';
import type { BoundingBox } from './types.js';

/**
 * How an image of any size and aspect ratio becomes `size`:
 * - `squish`: stretch the whole image (fastai's `ResizeMethod.Squish`, "CropType.NO" in the T-shirt
 *   write-up: the whole shirt stays in view);
 * - `center-crop`: the largest centred region with the target aspect ratio (times `cropFraction`), scaled;
 * - `random-crop`: the same region at a uniformly random position;
 * - `pad`: scale to fit inside, keeping the aspect ratio, and pad the rest (white by default: product
 *   photos have white backgrounds, iMaterialist write-up);
 * - `random-resized-crop`: torchvision's `RandomResizedCrop` (random area fraction in `scale`, random
 *   aspect ratio in `ratio`, log-uniform), then squish.
 */
export type ResizeMode = 'squish' | 'center-crop' | 'random-crop' | 'pad' | 'random-resized-crop';

/**
 * What fills the border in `pad` mode: a constant `fill`, the image mirrored at its edge with the edge
 * pixel repeated (`[c b a | a b c | c b a]`, numpy's "symmetric"), or the edge pixel repeated.
 */
export type PadMode = 'constant' | 'mirror' | 'edge';

/** Interpolation kernel of the resize (sharp's names; a browser canvas only knows nearest or smooth). */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

/** A fixed crop box given as pixels to cut off each edge, e.g. `{ top: 400, bottom: 100, left: 50, right: 50 }`. */
export interface CropMargins {
  /** @defaultValue 0 */
  readonly top?: number;
  /** @defaultValue 0 */
  readonly right?: number;
  /** @defaultValue 0 */
  readonly bottom?: number;
  /** @defaultValue 0 */
  readonly left?: number;
}

/**
 * How to resize an image: plain JSON, so it can be saved with a model, sent to a worker thread and
 * written into a cache's manifest.
 */
export interface ResizeOptions {
  /** Output size: a square side, or `[height, width]`. */
  readonly size: number | readonly [number, number];
  /** @defaultValue 'squish' */
  readonly mode?: ResizeMode;
  /**
   * A fixed crop box applied first, in source pixels (T-shirt write-up: "400 px off the top, 100 off the
   * bottom, 50 off each side"). An image that these margins leave empty is quarantined as `too-small`.
   */
  readonly margins?: CropMargins;
  /**
   * Crop to the item's `box` first when it has one (intersected with `margins`); a box outside the image
   * quarantines the item as `invalid-box`.
   * @defaultValue true
   */
  readonly useBox?: boolean;
  /**
   * Colour of constant padding and of the background that transparent pixels are flattened onto: a grey
   * level or `[r, g, b]`, each in [0, 255].
   * @defaultValue 255 (white)
   */
  readonly fill?: number | readonly [number, number, number];
  /** @defaultValue 'constant' */
  readonly padMode?: PadMode;
  /**
   * `center-crop` and `random-crop`: fraction of the largest region of the target aspect ratio kept on
   * each side (timm's `crop_pct`, e.g. 0.875).
   * @defaultValue 1
   */
  readonly cropFraction?: number;
  /**
   * `random-resized-crop`: range of the crop's area as a fraction of the image's.
   * @defaultValue [0.08, 1]
   */
  readonly scale?: readonly [number, number];
  /**
   * `random-resized-crop`: range of the crop's aspect ratio (width / height), sampled log-uniformly.
   * @defaultValue [3 / 4, 4 / 3]
   */
  readonly ratio?: readonly [number, number];
  /**
   * Interpolation (bilinear, as torchvision's `Resize` and fastai).
   * @defaultValue 'linear'
   */
  readonly kernel?: ResizeKernel;
}

/** An integer region of an image. */
export interface PixelRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Pixels added on each side. */
export interface Padding {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/**
 * The geometry of one resize, as every decoder executes it: cut `crop` out of the (EXIF-oriented)
 * source, scale it to `resize`, then add `pad`. `output` is `resize` plus `pad`, always the requested size.
 */
export interface ResizePlan {
  readonly crop: PixelRegion;
  readonly resize: { readonly width: number; readonly height: number };
  readonly pad: Padding;
  readonly output: { readonly width: number; readonly height: number };
}

/** Per-image inputs of {@link planResize}. */
export interface PlanResizeContext {
  /** The item's bounding box, used when `useBox` is on. */
  readonly box?: BoundingBox;
  /** Source of randomness for `random-crop` and `random-resized-crop`. */
  readonly rng?: Rng;
}

/** {@link ResizeOptions} with every default filled in and `size` as `[height, width]`. */
export interface ResolvedResizeOptions {
  readonly size: readonly [number, number];
  readonly mode: ResizeMode;
  readonly margins: Required<CropMargins>;
  readonly useBox: boolean;
  readonly fill: readonly [number, number, number];
  readonly padMode: PadMode;
  readonly cropFraction: number;
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];
  readonly kernel: ResizeKernel;
}

const MODES: readonly ResizeMode[] = ['squish', 'center-crop', 'random-crop', 'pad', 'random-resized-crop'];
const PAD_MODES: readonly PadMode[] = ['constant', 'mirror', 'edge'];
const KERNELS: readonly ResizeKernel[] = ['nearest', 'linear', 'cubic', 'mitchell', 'lanczos2', 'lanczos3'];
/** sharp (libvips) accepts at most this many pixels per side in extract, resize and extend. */
const MAX_SIDE = 16384;

function isSide(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_SIDE;
}

function isPair(value: unknown): value is readonly [number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

function isLevel(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 255;
}

/**
 * Checks `options` and fills in the defaults. Every entry point that takes {@link ResizeOptions} calls it
 * up front, so a bad option fails fast instead of quarantining every image.
 *
 * @param fn - the public function, for the error message.
 * @param options - the user's options.
 * @param argument - the options' name in that function.
 */
export function resolveResizeOptions(
  fn: string,
  options: ResizeOptions,
  argument = 'options.resize',
): ResolvedResizeOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, argument, 'resize options { size, mode?, ... }', options);
  }
  const {
    size,
    mode = 'squish',
    margins = {},
    useBox = true,
    fill = 255,
    padMode = 'constant',
    cropFraction = 1,
    scale = [0.08, 1],
    ratio = [3 / 4, 4 / 3],
    kernel = 'linear',
  } = options;
  let resolvedSize: [number, number];
  if (isSide(size)) resolvedSize = [size, size];
  else if (Array.isArray(size) && size.length === 2 && size.every(isSide)) resolvedSize = [size[0], size[1]];
  else {
    throw new InvalidArgumentError(
      fn,
      `${argument}.size`,
      `an integer in [1, ${MAX_SIDE}] or [height, width] of such integers`,
      size,
    );
  }
  if (!MODES.includes(mode)) {
    throw new InvalidArgumentError(fn, `${argument}.mode`, `one of ${MODES.join(', ')}`, mode);
  }
  if (typeof margins !== 'object' || margins === null) {
    throw new InvalidArgumentError(
      fn,
      `${argument}.margins`,
      'an object { top?, right?, bottom?, left? }',
      margins,
    );
  }
  const resolvedMargins = { top: 0, right: 0, bottom: 0, left: 0, ...margins };
  for (const side of ['top', 'right', 'bottom', 'left'] as const) {
    const value = resolvedMargins[side];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(fn, `${argument}.margins.${side}`, 'a non-negative integer', value);
    }
  }
  if (typeof useBox !== 'boolean') {
    throw new InvalidArgumentError(fn, `${argument}.useBox`, 'a boolean', useBox);
  }
  let resolvedFill: [number, number, number];
  if (isLevel(fill)) resolvedFill = [fill, fill, fill];
  else if (Array.isArray(fill) && fill.length === 3 && fill.every(isLevel))
    resolvedFill = [fill[0], fill[1], fill[2]];
  else {
    throw new InvalidArgumentError(
      fn,
      `${argument}.fill`,
      'a level in [0, 255] or [r, g, b] of such levels',
      fill,
    );
  }
  if (!PAD_MODES.includes(padMode)) {
    throw new InvalidArgumentError(fn, `${argument}.padMode`, `one of ${PAD_MODES.join(', ')}`, padMode);
  }
  if (typeof cropFraction !== 'number' || !(cropFraction > 0 && cropFraction <= 1)) {
    throw new InvalidArgumentError(fn, `${argument}.cropFraction`, 'a number in (0, 1]', cropFraction);
  }
  if (!isPair(scale) || !(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)) {
    throw new InvalidArgumentError(fn, `${argument}.scale`, '[low, high] with 0 < low <= high <= 1', scale);
  }
  if (!isPair(ratio) || !(ratio[0] > 0 && ratio[0] <= ratio[1])) {
    throw new InvalidArgumentError(fn, `${argument}.ratio`, '[low, high] with 0 < low <= high', ratio);
  }
  if (!KERNELS.includes(kernel)) {
    throw new InvalidArgumentError(fn, `${argument}.kernel`, `one of ${KERNELS.join(', ')}`, kernel);
  }
  return {
    size: resolvedSize,
    mode,
    margins: resolvedMargins,
    useBox,
    fill: resolvedFill,
    padMode,
    cropFraction,
    scale: [scale[0], scale[1]],
    ratio: [ratio[0], ratio[1]],
    kernel,
  };
}

/** Whether `options` draw random numbers per image (so their results differ between epochs). */
export function isRandomResize(options: ResizeOptions): boolean {
  return options.mode === 'random-crop' || options.mode === 'random-resized-crop';
}

/** Uniform in [low, high), or `low` when the range is empty (a fixed scale or ratio). */
function draw(rng: Rng, low: number, high: number): number {
  return high > low ? rng.uniform(low, high) : low;
}

/** The region of the source left by the margins and the box, before any mode-specific crop. */
function baseRegion(
  options: ResolvedResizeOptions,
  width: number,
  height: number,
  box: BoundingBox | undefined,
): PixelRegion {
  const { margins } = options;
  let left = margins.left;
  let top = margins.top;
  let right = width - margins.right;
  let bottom = height - margins.bottom;
  if (right <= left || bottom <= top) {
    throw new ImageDecodeError(
      'too-small',
      `image of ${width}x${height} is too small for crop margins top ${margins.top}, right ${margins.right}, ` +
        `bottom ${margins.bottom}, left ${margins.left}`,
    );
  }
  if (box !== undefined && options.useBox) {
    // Fractional boxes (detector output) grow to whole pixels so that nothing inside is cut.
    left = Math.max(left, Math.floor(box.left));
    top = Math.max(top, Math.floor(box.top));
    right = Math.min(right, Math.ceil(box.left + box.width));
    bottom = Math.min(bottom, Math.ceil(box.top + box.height));
    if (right <= left || bottom <= top) {
      throw new ImageDecodeError(
        'invalid-box',
        `box { left: ${box.left}, top: ${box.top}, width: ${box.width}, height: ${box.height} } lies outside ` +
          `the ${width}x${height} image${margins.top + margins.right + margins.bottom + margins.left > 0 ? ' (after crop margins)' : ''}`,
      );
    }
  }
  return { left, top, width: right - left, height: bottom - top };
}

/** The largest region of aspect `outW / outH` inside `regionW × regionH`, times `fraction` per side. */
function aspectCropSize(
  regionW: number,
  regionH: number,
  outW: number,
  outH: number,
  fraction: number,
): [number, number] {
  let cropW: number;
  let cropH: number;
  if (regionW * outH > regionH * outW) {
    cropH = regionH;
    cropW = Math.min(regionW, Math.max(1, Math.round((regionH * outW) / outH)));
  } else {
    cropW = regionW;
    cropH = Math.min(regionH, Math.max(1, Math.round((regionW * outH) / outW)));
  }
  return [Math.max(1, Math.round(cropW * fraction)), Math.max(1, Math.round(cropH * fraction))];
}

/** torchvision `RandomResizedCrop.get_params`: 10 attempts, then a centre crop clamped to `ratio`. */
function randomResizedCropSize(
  options: ResolvedResizeOptions,
  regionW: number,
  regionH: number,
  rng: Rng,
): PixelRegion {
  const area = regionW * regionH;
  const [s0, s1] = options.scale;
  const [r0, r1] = options.ratio;
  const logR0 = Math.log(r0);
  const logR1 = Math.log(r1);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * draw(rng, s0, s1);
    const aspect = Math.exp(draw(rng, logR0, logR1));
    const w = Math.round(Math.sqrt(targetArea * aspect));
    const h = Math.round(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= regionW && h > 0 && h <= regionH) {
      const top = rng.int(0, regionH - h + 1);
      const left = rng.int(0, regionW - w + 1);
      return { left, top, width: w, height: h };
    }
  }
  const inRatio = regionW / regionH;
  let w = regionW;
  let h = regionH;
  if (inRatio < r0) h = Math.min(regionH, Math.max(1, Math.round(w / r0)));
  else if (inRatio > r1) w = Math.min(regionW, Math.max(1, Math.round(h * r1)));
  return { left: Math.floor((regionW - w) / 2), top: Math.floor((regionH - h) / 2), width: w, height: h };
}

/**
 * The crop, scale and padding that turn a `width × height` image into `options.size`. A pure function of
 * its inputs (and of `context.rng`'s draws for the random modes), so every decoder (sharp, the browser,
 * a worker thread) produces the same geometry, and tests can check it exactly.
 *
 * Rounding: crop sizes round to the nearest pixel; centred offsets round down (`floor((W - w) / 2)`),
 * so an odd leftover pixel goes to the right and bottom.
 *
 * @param options - the resize, checked as by {@link resolveResizeOptions}.
 * @param width - the source width (after EXIF orientation).
 * @param height - the source height.
 * @throws ImageDecodeError `too-small` or `invalid-box` when margins or box leave nothing.
 */
export function planResize(
  options: ResizeOptions | ResolvedResizeOptions,
  width: number,
  height: number,
  context: PlanResizeContext = {},
): ResizePlan {
  const fn = 'planResize';
  const resolved = resolveResizeOptions(fn, options as ResizeOptions, 'options');
  if (!Number.isSafeInteger(width) || width < 1)
    throw new InvalidArgumentError(fn, 'width', 'a positive integer', width);
  if (!Number.isSafeInteger(height) || height < 1) {
    throw new InvalidArgumentError(fn, 'height', 'a positive integer', height);
  }
  const { rng, box } = context;
  const [outH, outW] = resolved.size;
  const random = resolved.mode === 'random-crop' || resolved.mode === 'random-resized-crop';
  if (random && rng === undefined) {
    throw new InvalidArgumentError(fn, 'context.rng', `an Rng for mode "${resolved.mode}"`, rng);
  }
  const region = baseRegion(resolved, width, height, box);
  const noPad: Padding = { top: 0, right: 0, bottom: 0, left: 0 };
  const output = { width: outW, height: outH };
  switch (resolved.mode) {
    case 'squish':
      return { crop: region, resize: output, pad: noPad, output };
    case 'center-crop':
    case 'random-crop': {
      const [cropW, cropH] = aspectCropSize(region.width, region.height, outW, outH, resolved.cropFraction);
      const dx = random ? rng!.int(0, region.width - cropW + 1) : Math.floor((region.width - cropW) / 2);
      const dy = random ? rng!.int(0, region.height - cropH + 1) : Math.floor((region.height - cropH) / 2);
      return {
        crop: { left: region.left + dx, top: region.top + dy, width: cropW, height: cropH },
        resize: output,
        pad: noPad,
        output,
      };
    }
    case 'pad': {
      const factor = Math.min(outW / region.width, outH / region.height);
      const w = Math.min(outW, Math.max(1, Math.round(region.width * factor)));
      const h = Math.min(outH, Math.max(1, Math.round(region.height * factor)));
      const left = Math.floor((outW - w) / 2);
      const top = Math.floor((outH - h) / 2);
      return {
        crop: region,
        resize: { width: w, height: h },
        pad: { top, right: outW - w - left, bottom: outH - h - top, left },
        output,
      };
    }
    case 'random-resized-crop': {
      const crop = randomResizedCropSize(resolved, region.width, region.height, rng!);
      return {
        crop: { ...crop, left: region.left + crop.left, top: region.top + crop.top },
        resize: output,
        pad: noPad,
        output,
      };
    }
  }
}

/** The plan that keeps a `width × height` image as it is. */
export function identityPlan(width: number, height: number): ResizePlan {
  return {
    crop: { left: 0, top: 0, width, height },
    resize: { width, height },
    pad: { top: 0, right: 0, bottom: 0, left: 0 },
    output: { width, height },
  };
}
