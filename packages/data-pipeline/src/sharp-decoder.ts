import { InvalidArgumentError, TopkError } from '@topk/core';
import type { Sharp, SharpOptions } from 'sharp';
import { ImageDecodeError } from './image-decode-error.js';
import {
  checkDecodedImage,
  classifyDecodeFailure,
  type DecodeRequest,
  type DecoderInput,
  type ImageDecoder,
  type ResolvedDecodeRequest,
  resolveDecodeRequest,
  sniffOrThrow,
  tooLarge,
} from './image-decoder.js';
import { convertChannels, isIdentityPlan } from './pixels.js';
import { identityPlan, planResize, type ResizePlan } from './resize-plan.js';
import type { DecodedImage } from './types.js';

type SharpFactory = typeof import('sharp').default;

/**
 * When sharp gives up on damaged data (its `failOn`): `'warning'` (sharp's default, and the safe choice
 * for untrusted files) also rejects a JPEG that stops early, which `'error'` would pad with grey.
 */
export type SharpFailOn = 'none' | 'truncated' | 'error' | 'warning';

/** Options of {@link createSharpDecoder}. */
export interface SharpDecoderOptions {
  /** @defaultValue 'warning' */
  readonly failOn?: SharpFailOn;
  /**
   * libvips threads per image (`sharp.concurrency`). It is a process-wide setting, worker threads
   * included; left alone (libvips' default, the number of cores) when absent.
   */
  readonly concurrency?: number;
}

let sharpModule: Promise<SharpFactory> | undefined;

/**
 * Loads sharp on first use, through a dynamic import so that a browser bundle of this package never
 * pulls it in.
 */
export function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then(
    // The CommonJS build reaches here as a namespace whose default is sharp itself.
    (module) => (module.default ?? (module as unknown as SharpFactory)) as SharpFactory,
    (error: unknown) => {
      sharpModule = undefined;
      throw new TopkError(
        'MISSING_DEPENDENCY',
        `sharp could not be loaded (${error instanceof Error ? error.message : String(error)}); ` +
          'install it with `npm i sharp`, or use createBrowserDecoder() in a browser',
        { cause: error },
      );
    },
  );
  return sharpModule;
}

const KERNEL_EXTEND = { constant: 'background', mirror: 'mirror', edge: 'copy' } as const;

function toUint8(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

class SharpDecoder implements ImageDecoder {
  readonly name = 'sharp';
  readonly #failOn: SharpFailOn;

  constructor(failOn: SharpFailOn) {
    this.#failOn = failOn;
  }

  async decode(input: DecoderInput, request: DecodeRequest = {}): Promise<DecodedImage> {
    const fn = 'SharpDecoder.decode';
    const resolved = resolveDecodeRequest(fn, request);
    if (input instanceof Uint8Array) return this.#decodeBytes(input, resolved);
    if (typeof input !== 'object' || input === null) {
      throw new InvalidArgumentError(fn, 'input', 'encoded bytes or decoded pixels', input);
    }
    checkDecodedImage(fn, input);
    return this.#resizePixels(input, resolved);
  }

  async encodeJpeg(image: DecodedImage, quality: number): Promise<Uint8Array> {
    const fn = 'SharpDecoder.encodeJpeg';
    checkDecodedImage(fn, image, 'image');
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
      throw new InvalidArgumentError(fn, 'quality', 'an integer in [1, 100]', quality);
    }
    const sharp = await loadSharp();
    const { data, width, height, channels } = image;
    const buffer = await sharp(data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } })
      .jpeg({ quality })
      .toBuffer();
    return toUint8(buffer);
  }

  async #decodeBytes(bytes: Uint8Array, request: ResolvedDecodeRequest): Promise<DecodedImage> {
    const format = sniffOrThrow(bytes);
    const sharp = await loadSharp();
    const options: SharpOptions = {
      failOn: this.#failOn,
      limitInputPixels: request.limitInputPixels,
      autoOrient: request.autoOrient,
    };
    let width: number;
    let height: number;
    let hasAlpha: boolean;
    try {
      const meta = await sharp(bytes, options).metadata();
      const oriented = request.autoOrient ? meta.autoOrient : undefined;
      width = oriented?.width ?? meta.width;
      height = oriented?.height ?? meta.height;
      hasAlpha = meta.hasAlpha;
    } catch (error) {
      throw classifyDecodeFailure(error, bytes, format);
    }
    if (width * height > request.limitInputPixels) throw tooLarge(width, height, request.limitInputPixels);
    const plan = this.#plan(request, width, height);
    try {
      return await this.#run(sharp(bytes, options), plan, request, hasAlpha, width, height);
    } catch (error) {
      throw classifyDecodeFailure(error, bytes, format);
    }
  }

  async #resizePixels(image: DecodedImage, request: ResolvedDecodeRequest): Promise<DecodedImage> {
    const { width, height, channels } = image;
    if (width * height > request.limitInputPixels) throw tooLarge(width, height, request.limitInputPixels);
    const plan = this.#plan(request, width, height);
    const fill = request.resize?.fill ?? [255, 255, 255];
    // Pixels that need no resize (IDX digits at their own size, a raw cache read at its size) skip sharp.
    if (isIdentityPlan(plan, width, height) && (channels === request.channels || channels === 1)) {
      const data = convertChannels(image.data, width * height, channels, request.channels, fill);
      return { data: data === image.data ? data.slice() : data, width, height, channels: request.channels };
    }
    const sharp = await loadSharp();
    const pipeline = sharp(image.data, {
      raw: { width, height, channels: channels as 1 | 2 | 3 | 4 },
      limitInputPixels: request.limitInputPixels,
    });
    try {
      return await this.#run(pipeline, plan, request, channels === 2 || channels === 4, width, height);
    } catch (error) {
      throw new ImageDecodeError('decode-error', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }

  #plan(request: ResolvedDecodeRequest, width: number, height: number): ResizePlan {
    if (request.resize === undefined) return identityPlan(width, height);
    const context = {
      ...(request.box ? { box: request.box } : {}),
      ...(request.rng ? { rng: request.rng } : {}),
    };
    return planResize(request.resize, width, height, context);
  }

  async #run(
    pipeline: Sharp,
    plan: ResizePlan,
    request: ResolvedDecodeRequest,
    hasAlpha: boolean,
    width: number,
    height: number,
  ): Promise<DecodedImage> {
    const { crop, resize, pad, output } = plan;
    const [r, g, b] = request.resize?.fill ?? [255, 255, 255];
    const background = { r, g, b, alpha: 1 };
    if (crop.left !== 0 || crop.top !== 0 || crop.width !== width || crop.height !== height) {
      pipeline = pipeline.extract(crop);
    }
    if (resize.width !== crop.width || resize.height !== crop.height) {
      pipeline = pipeline.resize(resize.width, resize.height, {
        fit: 'fill',
        kernel: request.resize?.kernel ?? 'linear',
      });
    }
    if (pad.top + pad.right + pad.bottom + pad.left > 0) {
      pipeline = pipeline.extend({
        ...pad,
        background,
        extendWith: KERNEL_EXTEND[request.resize?.padMode ?? 'constant'],
      });
    }
    if (request.channels === 4) {
      pipeline = pipeline.ensureAlpha().toColourspace('srgb');
    } else {
      if (hasAlpha) pipeline = pipeline.flatten({ background });
      pipeline = pipeline.toColourspace(request.channels === 1 ? 'b-w' : 'srgb');
    }
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== output.width || info.height !== output.height || info.channels !== request.channels) {
      throw new ImageDecodeError(
        'decode-error',
        `sharp produced ${info.width}x${info.height}x${info.channels}, expected ` +
          `${output.width}x${output.height}x${request.channels}`,
      );
    }
    return { data: toUint8(data), width: info.width, height: info.height, channels: info.channels };
  }
}

/**
 * The Node decoder, backed by sharp (libvips): JPEG, PNG, WebP, GIF (first frame), TIFF, AVIF and HEIF;
 * grey, RGBA, palette, CMYK and 16-bit inputs become 8-bit grey, RGB or RGBA; EXIF orientation applied;
 * the pixel limit checked from the header before any pixel is decoded. sharp is loaded on first use.
 */
export function createSharpDecoder(options: SharpDecoderOptions = {}): ImageDecoder {
  const fn = 'createSharpDecoder';
  const { failOn = 'warning', concurrency } = options;
  if (!['none', 'truncated', 'error', 'warning'].includes(failOn)) {
    throw new InvalidArgumentError(fn, 'options.failOn', 'one of none, truncated, error, warning', failOn);
  }
  if (concurrency !== undefined) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(fn, 'options.concurrency', 'a positive integer', concurrency);
    }
    void loadSharp().then(
      (sharp) => sharp.concurrency(concurrency),
      () => undefined,
    );
  }
  return new SharpDecoder(failOn);
}
