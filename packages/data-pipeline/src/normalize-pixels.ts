import { InvalidArgumentError } from '@topk/core';
import type { DecodedImage } from './types.js';

/**
 * Per-channel normalisation in [0, 1] units, as in a backbone's data config (timm's `mean`/`std`, e.g.
 * ImageNet's `[0.485, 0.456, 0.406]` / `[0.229, 0.224, 0.225]`): `x = (pixel / 255 - mean[c]) / std[c]`.
 * A backbone data config `{ inputSize, mean, std }` can be passed as is.
 */
export interface NormalizeOptions {
  /** One value per channel, or one for all. */
  readonly mean: readonly number[];
  /** One positive value per channel, or one for all. */
  readonly std: readonly number[];
}

/** Scale and offset per channel: `x = pixel * scale[c] + offset[c]`. */
export interface ChannelAffine {
  readonly scale: Float64Array;
  readonly offset: Float64Array;
}

/**
 * Checks `options` against a channel count and turns them into a per-channel affine map. Without
 * options, pixels map to [0, 1].
 */
export function channelAffine(
  fn: string,
  channels: number,
  options: NormalizeOptions | undefined,
  argument = 'options.normalize',
): ChannelAffine {
  const scale = new Float64Array(channels).fill(1 / 255);
  const offset = new Float64Array(channels);
  if (options === undefined) return { scale, offset };
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, argument, 'an object { mean, std }', options);
  }
  const { mean, std } = options;
  const fits = (values: unknown): values is readonly number[] =>
    Array.isArray(values) && (values.length === 1 || values.length === channels);
  if (!fits(mean) || !mean.every((m) => typeof m === 'number' && Number.isFinite(m))) {
    throw new InvalidArgumentError(fn, `${argument}.mean`, `1 or ${channels} finite numbers`, mean);
  }
  if (!fits(std) || !std.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)) {
    throw new InvalidArgumentError(fn, `${argument}.std`, `1 or ${channels} finite numbers > 0`, std);
  }
  for (let c = 0; c < channels; c++) {
    const m = mean.length === 1 ? mean[0]! : mean[c]!;
    const s = std.length === 1 ? std[0]! : std[c]!;
    scale[c] = 1 / (255 * s);
    offset[c] = -m / s;
  }
  return { scale, offset };
}

/** Writes `data` (HWC bytes) through `affine` into `out` at `offset`. */
export function applyAffine(
  data: Uint8Array,
  channels: number,
  affine: ChannelAffine,
  out: Float32Array,
  outOffset = 0,
): void {
  const { scale, offset } = affine;
  if (channels === 3) {
    // The common case, unrolled: this loop runs over every pixel of every batch.
    const s0 = scale[0]!;
    const s1 = scale[1]!;
    const s2 = scale[2]!;
    const o0 = offset[0]!;
    const o1 = offset[1]!;
    const o2 = offset[2]!;
    for (let i = 0; i < data.length; i += 3) {
      out[outOffset + i] = data[i]! * s0 + o0;
      out[outOffset + i + 1] = data[i + 1]! * s1 + o1;
      out[outOffset + i + 2] = data[i + 2]! * s2 + o2;
    }
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    out[outOffset + i] = data[i]! * scale[c]! + offset[c]!;
  }
}

/**
 * Float32 pixels of `image`, HWC, normalised: `(pixel / 255 - mean[c]) / std[c]`, or `pixel / 255`
 * without options.
 *
 * @param image - the decoded image.
 * @param options - mean and std per channel.
 */
export function normalizePixels(image: DecodedImage, options?: NormalizeOptions): Float32Array {
  const fn = 'normalizePixels';
  if (
    typeof image !== 'object' ||
    image === null ||
    !(image.data instanceof Uint8Array) ||
    !Number.isInteger(image.channels) ||
    image.channels < 1 ||
    image.data.length !== image.height * image.width * image.channels
  ) {
    throw new InvalidArgumentError(fn, 'image', 'a decoded image { data, height, width, channels }', image);
  }
  const out = new Float32Array(image.data.length);
  applyAffine(image.data, image.channels, channelAffine(fn, image.channels, options, 'options'), out);
  return out;
}
