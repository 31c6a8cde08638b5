import { InvalidArgumentError, TopkError } from '@topk/core';
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
import { convertChannels, isIdentityPlan, padPixels } from './pixels.js';
import { readImageSize } from './read-image-size.js';
import { identityPlan, planResize, type ResizePlan } from './resize-plan.js';
import type { ImageFormat } from './sniff-image-format.js';
import type { DecodedImage } from './types.js';

/** The part of an `ImageBitmap` the decoder uses. */
export interface ImageBitmapLike {
  readonly width: number;
  readonly height: number;
  close?(): void;
}

/** The part of `ImageData` the decoder uses. */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** The part of a 2D canvas context the decoder uses. */
export interface Canvas2DLike {
  fillStyle: unknown;
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: 'low' | 'medium' | 'high';
  fillRect(x: number, y: number, width: number, height: number): void;
  clearRect(x: number, y: number, width: number, height: number): void;
  drawImage(
    image: ImageBitmapLike | CanvasLike,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
  getImageData(x: number, y: number, width: number, height: number): ImageDataLike;
  createImageData(width: number, height: number): ImageDataLike;
  putImageData(data: ImageDataLike, x: number, y: number): void;
}

/** The part of an `OffscreenCanvas` the decoder uses. */
export interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(type: '2d'): Canvas2DLike | null;
}

/** Options of {@link createBrowserDecoder}: the platform functions, replaceable for tests and workers. */
export interface BrowserDecoderOptions {
  /** @defaultValue `globalThis.createImageBitmap` */
  readonly createImageBitmap?: (
    image: Blob,
    options?: { imageOrientation?: 'from-image' | 'none'; premultiplyAlpha?: 'none' },
  ) => Promise<ImageBitmapLike>;
  /** @defaultValue `(w, h) => new OffscreenCanvas(w, h)` */
  readonly createCanvas?: (width: number, height: number) => CanvasLike;
}

const MIME: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
};

function context2d(canvas: CanvasLike): Canvas2DLike {
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new ImageDecodeError('decode-error', 'could not get a 2D context from the canvas');
  return ctx;
}

class BrowserDecoder implements ImageDecoder {
  readonly name = 'browser';
  readonly #createImageBitmap: NonNullable<BrowserDecoderOptions['createImageBitmap']>;
  readonly #createCanvas: NonNullable<BrowserDecoderOptions['createCanvas']>;

  constructor(
    createImageBitmap: NonNullable<BrowserDecoderOptions['createImageBitmap']>,
    createCanvas: NonNullable<BrowserDecoderOptions['createCanvas']>,
  ) {
    this.#createImageBitmap = createImageBitmap;
    this.#createCanvas = createCanvas;
  }

  async decode(input: DecoderInput, request: DecodeRequest = {}): Promise<DecodedImage> {
    const fn = 'BrowserDecoder.decode';
    const resolved = resolveDecodeRequest(fn, request);
    if (input instanceof Uint8Array) return this.#decodeBytes(input, resolved);
    if (typeof input !== 'object' || input === null) {
      throw new InvalidArgumentError(fn, 'input', 'encoded bytes or decoded pixels', input);
    }
    checkDecodedImage(fn, input);
    return this.#resizePixels(input, resolved);
  }

  async #decodeBytes(bytes: Uint8Array, request: ResolvedDecodeRequest): Promise<DecodedImage> {
    const format = sniffOrThrow(bytes);
    // createImageBitmap decodes everything at once: refuse bombs from the header first.
    const declared = readImageSize(bytes, format);
    if (declared && declared.width * declared.height > request.limitInputPixels) {
      throw tooLarge(declared.width, declared.height, request.limitInputPixels);
    }
    let bitmap: ImageBitmapLike;
    try {
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: MIME[format] });
      bitmap = await this.#createImageBitmap(blob, {
        imageOrientation: request.autoOrient ? 'from-image' : 'none',
        premultiplyAlpha: 'none',
      });
    } catch (error) {
      throw classifyDecodeFailure(error, bytes, format);
    }
    try {
      const { width, height } = bitmap;
      if (width * height > request.limitInputPixels) throw tooLarge(width, height, request.limitInputPixels);
      return this.#draw(bitmap, this.#plan(request, width, height), request);
    } finally {
      bitmap.close?.();
    }
  }

  #resizePixels(image: DecodedImage, request: ResolvedDecodeRequest): DecodedImage {
    const { width, height, channels } = image;
    if (width * height > request.limitInputPixels) throw tooLarge(width, height, request.limitInputPixels);
    const plan = this.#plan(request, width, height);
    const fill = request.resize?.fill ?? [255, 255, 255];
    if (isIdentityPlan(plan, width, height)) {
      const data = convertChannels(image.data, width * height, channels, request.channels, fill);
      return { data: data === image.data ? data.slice() : data, width, height, channels: request.channels };
    }
    const source = this.#createCanvas(width, height);
    const ctx = context2d(source);
    const imageData = ctx.createImageData(width, height);
    imageData.data.set(convertChannels(image.data, width * height, channels, 4, fill));
    ctx.putImageData(imageData, 0, 0);
    return this.#draw(source, plan, request);
  }

  #plan(request: ResolvedDecodeRequest, width: number, height: number): ResizePlan {
    if (request.resize === undefined) return identityPlan(width, height);
    const context = {
      ...(request.box ? { box: request.box } : {}),
      ...(request.rng ? { rng: request.rng } : {}),
    };
    return planResize(request.resize, width, height, context);
  }

  #draw(image: ImageBitmapLike | CanvasLike, plan: ResizePlan, request: ResolvedDecodeRequest): DecodedImage {
    const { crop, resize, pad } = plan;
    const fill = request.resize?.fill ?? [255, 255, 255];
    const canvas = this.#createCanvas(resize.width, resize.height);
    const ctx = context2d(canvas);
    if (request.channels === 4) {
      ctx.clearRect(0, 0, resize.width, resize.height);
    } else {
      // Drawing over the fill colour flattens transparency onto it, as sharp's flatten does.
      ctx.fillStyle = `rgb(${fill[0]}, ${fill[1]}, ${fill[2]})`;
      ctx.fillRect(0, 0, resize.width, resize.height);
    }
    const kernel = request.resize?.kernel ?? 'linear';
    ctx.imageSmoothingEnabled = kernel !== 'nearest';
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image, crop.left, crop.top, crop.width, crop.height, 0, 0, resize.width, resize.height);
    const rgba = ctx.getImageData(0, 0, resize.width, resize.height).data;
    const data = convertChannels(rgba, resize.width * resize.height, 4, request.channels, fill);
    const resized: DecodedImage = {
      data: data === (rgba as unknown) ? Uint8Array.from(rgba) : data,
      width: resize.width,
      height: resize.height,
      channels: request.channels,
    };
    return padPixels(resized, pad, request.resize?.padMode ?? 'constant', fill);
  }
}

/**
 * The browser decoder, behind the same {@link ImageDecoder} interface as sharp's: `createImageBitmap`
 * decodes (JPEG, PNG, GIF, WebP, and AVIF where the browser has it), an `OffscreenCanvas` crops and
 * scales by the same {@link planResize} geometry, borders are added in JS. Grey output uses Rec. 601
 * luma, so it can differ from sharp's by a level or two.
 */
export function createBrowserDecoder(options: BrowserDecoderOptions = {}): ImageDecoder {
  const fn = 'createBrowserDecoder';
  const global = globalThis as {
    createImageBitmap?: BrowserDecoderOptions['createImageBitmap'];
    OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
  };
  const createImageBitmap = options.createImageBitmap ?? global.createImageBitmap?.bind(globalThis);
  const Offscreen = global.OffscreenCanvas;
  const createCanvas =
    options.createCanvas ?? (Offscreen ? (w: number, h: number) => new Offscreen(w, h) : undefined);
  if (typeof createImageBitmap !== 'function' || typeof createCanvas !== 'function') {
    throw new TopkError(
      'MISSING_DEPENDENCY',
      `Error in ${fn}: createImageBitmap and OffscreenCanvas are not available here; ` +
        'pass options.createImageBitmap and options.createCanvas, or use createSharpDecoder() in Node',
    );
  }
  return new BrowserDecoder(createImageBitmap, createCanvas);
}
