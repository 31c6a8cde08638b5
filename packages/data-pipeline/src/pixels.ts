import type { Padding, PadMode, ResizePlan } from './resize-plan.js';
import type { DecodedImage } from './types.js';

/** Whether `plan` leaves a `width × height` image untouched. */
export function isIdentityPlan(plan: ResizePlan, width: number, height: number): boolean {
  const { crop, resize, pad } = plan;
  return (
    crop.left === 0 &&
    crop.top === 0 &&
    crop.width === width &&
    crop.height === height &&
    resize.width === width &&
    resize.height === height &&
    pad.top + pad.right + pad.bottom + pad.left === 0
  );
}

/**
 * Converts between channel counts in plain JS: grey is replicated to RGB, RGB(A) becomes grey by Rec. 601
 * luma (`0.299 R + 0.587 G + 0.114 B`, as Pillow's `convert('L')`), alpha is composited onto `background`
 * or added as opaque.
 */
export function convertChannels(
  data: Uint8Array | Uint8ClampedArray,
  pixels: number,
  from: number,
  to: number,
  background: readonly [number, number, number],
): Uint8Array {
  if (from === to)
    return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint8Array(pixels * to);
  const hasAlpha = from === 2 || from === 4;
  const colour = from >= 3;
  for (let p = 0; p < pixels; p++) {
    const i = p * from;
    let r = data[i]!;
    let g = colour ? data[i + 1]! : r;
    let b = colour ? data[i + 2]! : r;
    let alpha = 255;
    if (hasAlpha) alpha = data[i + from - 1]!;
    if (hasAlpha && to !== 4 && alpha !== 255) {
      const a = alpha / 255;
      r = Math.round(r * a + background[0] * (1 - a));
      g = Math.round(g * a + background[1] * (1 - a));
      b = Math.round(b * a + background[2] * (1 - a));
    }
    const o = p * to;
    if (to === 1) {
      out[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (to === 4) out[o + 3] = alpha;
    }
  }
  return out;
}

/** Index into `[0, size)` of position `i` outside it: mirrored with the edge repeated, or clamped to the edge. */
function sourceIndex(i: number, size: number, mode: 'mirror' | 'edge'): number {
  if (mode === 'edge') return Math.min(size - 1, Math.max(0, i));
  const period = 2 * size;
  const m = ((i % period) + period) % period;
  return m < size ? m : period - 1 - m;
}

/**
 * Adds `pad` around `image` in `mode` (constant `fill`, mirror with the edge repeated, or edge copy).
 * The same border as sharp's `extend` with `background`, `mirror` and `copy`.
 */
export function padPixels(
  image: DecodedImage,
  pad: Padding,
  mode: PadMode,
  fill: readonly [number, number, number],
): DecodedImage {
  const { data, width, height, channels } = image;
  const outW = width + pad.left + pad.right;
  const outH = height + pad.top + pad.bottom;
  if (outW === width && outH === height) return image;
  const out = new Uint8Array(outW * outH * channels);
  const fillPixel = Uint8Array.from({ length: channels }, (_, c) =>
    channels >= 3
      ? c < 3
        ? fill[c]!
        : 255
      : c === 0
        ? Math.round(0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2])
        : 255,
  );
  for (let y = 0; y < outH; y++) {
    const sy = y - pad.top;
    for (let x = 0; x < outW; x++) {
      const sx = x - pad.left;
      const o = (y * outW + x) * channels;
      const inside = sx >= 0 && sx < width && sy >= 0 && sy < height;
      if (!inside && mode === 'constant') {
        out.set(fillPixel, o);
        continue;
      }
      const m = mode === 'constant' ? 'edge' : mode;
      const i = (sourceIndex(sy, height, m) * width + sourceIndex(sx, width, m)) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = data[i + c]!;
    }
  }
  return { data: out, width: outW, height: outH, channels };
}
