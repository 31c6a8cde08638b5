import { InvalidArgumentError } from '@topk/core';
import type { Matrix3 } from './geometry.js';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { warpProjective } from './resample.js';
import type { BatchShape, CommonOptions } from './types.js';
import { checkChoice, checkOptions, checkRange } from './validate.js';

/** Options of {@link randomResizedCrop}. */
export interface RandomResizedCropOptions extends CommonOptions {
  /** Output `[height, width]`. @defaultValue the input size */
  readonly size?: readonly [number, number];
  /**
   * Range of the crop area as a fraction of the image area.
   * @defaultValue [0.08, 1] (torchvision `RandomResizedCrop`)
   */
  readonly scale?: readonly [number, number];
  /**
   * Range of the crop's width / height, drawn log-uniformly.
   * @defaultValue [3/4, 4/3]
   */
  readonly ratio?: readonly [number, number];
  /** @defaultValue 'bilinear' */
  readonly interpolation?: 'bilinear' | 'nearest';
  /** @defaultValue 1 */
  readonly p?: number;
}

/** Parameters {@link randomResizedCrop} records per image: the crop box, as fractions of the image. */
export type CropBoxParams = {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
};

/** Output-to-source matrix of a crop box resized to `outHeight × outWidth`, pixel centres aligned. */
export function cropBoxMatrix(
  box: CropBoxParams,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Matrix3 {
  const sx = (box.width * width) / outWidth;
  const sy = (box.height * height) / outHeight;
  return [sx, 0, box.left * width + 0.5 * sx - 0.5, 0, sy, box.top * height + 0.5 * sy - 0.5, 0, 0, 1];
}

/**
 * torchvision's `RandomResizedCrop.get_params`: ten tries at a box of random area and aspect ratio, else a
 * centred crop clamped to the ratio range. Returned in pixels.
 */
export function drawCropBox(
  rng: { uniform(low: number, high: number): number; int(low: number, high: number): number },
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): [number, number, number, number] {
  const area = height * width;
  const logRatio: [number, number] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scale[1] > scale[0] ? rng.uniform(scale[0], scale[1]) : scale[0]);
    const aspect = Math.exp(logRatio[1] > logRatio[0] ? rng.uniform(logRatio[0], logRatio[1]) : logRatio[0]);
    const w = Math.round(Math.sqrt(targetArea * aspect));
    const h = Math.round(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return [rng.int(0, height - h + 1), rng.int(0, width - w + 1), h, w];
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}

/**
 * A crop of random area and aspect ratio, resized to `size` (torchvision / timm `RandomResizedCrop`,
 * fastai `RandomResizedCropGPU`). Resizing is plain bilinear, without antialiasing.
 */
export function randomResizedCrop(options: RandomResizedCropOptions = {}): LeafTransform<CropBoxParams> {
  const fn = 'randomResizedCrop';
  checkOptions(fn, options, ['size', 'scale', 'ratio', 'interpolation', 'p', 'stage']);
  const { p, stage } = common(fn, options, 1);
  const { size } = options;
  if (
    size !== undefined &&
    !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isSafeInteger(d) && d >= 1))
  ) {
    throw new InvalidArgumentError(fn, 'size', '[height, width] of positive integers', size);
  }
  const scale = checkRange(fn, 'scale', options.scale ?? [0.08, 1], 1e-6, 1, false);
  const ratio = checkRange(fn, 'ratio', options.ratio ?? [3 / 4, 4 / 3], 1e-3, 1e3, false);
  const interpolation = checkChoice(fn, 'interpolation', options.interpolation ?? 'bilinear', [
    'bilinear',
    'nearest',
  ] as const);
  const fill = { interpolation, fillMode: 'edge', fillValue: 0 } as const;
  const outputShape = (shape: BatchShape): BatchShape =>
    size === undefined ? shape : [shape[0], size[0], size[1], shape[3]];
  return defineLeaf<CropBoxParams>({
    name: fn,
    options: {
      ...(size === undefined ? {} : { size: [...size] }),
      scale: [...scale],
      ratio: [...ratio],
      interpolation,
    },
    p,
    stage,
    sampleImage: (rng, shape) => {
      const [, height, width] = shape;
      const [top, left, h, w] = drawCropBox(rng, height, width, scale, ratio);
      return { top: top / height, left: left / width, height: h / height, width: w / width };
    },
    kernel: (images, params, { maxValue }) => {
      const [, height, width] = images.shape;
      const [, outHeight, outWidth] = outputShape(images.shape as unknown as BatchShape);
      const matrices = params.map((box) => cropBoxMatrix(box, height, width, outHeight, outWidth));
      return warpProjective(images, matrices, outHeight, outWidth, fill, maxValue);
    },
    reshape: { outputShape, neutral: () => ({ top: 0, left: 0, height: 1, width: 1 }) },
  });
}
