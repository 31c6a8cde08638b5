import { InvalidArgumentError, type Rng } from '@topk/core';
import { ImageDecodeError } from './image-decode-error.js';
import { type ResizeOptions, type ResolvedResizeOptions, resolveResizeOptions } from './resize-plan.js';
import { type ImageFormat, looksTruncated, sniffImageFormat } from './sniff-image-format.js';
import type { BoundingBox, DecodedImage } from './types.js';

/** What a decoder accepts: an encoded file's bytes, or pixels to resize. */
export type DecoderInput = Uint8Array | DecodedImage;

/** Channel counts a decoder can produce: grey, RGB, RGBA. */
export type ChannelCount = 1 | 3 | 4;

/** What to make of one image. */
export interface DecodeRequest {
  /**
   * Output channels: grey, RGB or RGBA, whatever the input (grey, RGBA, CMYK, palette, 16-bit all become
   * 8-bit). Transparent pixels are flattened onto `resize.fill` (white by default) unless 4 are kept.
   * @defaultValue 3
   */
  readonly channels?: ChannelCount;
  /** The resize; without it the image keeps its size. */
  readonly resize?: ResizeOptions;
  /** The item's bounding box, for `resize.useBox`. */
  readonly box?: BoundingBox;
  /** Randomness for random resize modes. */
  readonly rng?: Rng;
  /**
   * Largest `width × height` accepted, checked from the header before decoding (decompression bombs);
   * bigger images fail with `too-large`. The default is Pillow's `MAX_IMAGE_PIXELS`.
   * @defaultValue 89_478_485
   */
  readonly limitInputPixels?: number;
  /**
   * Apply the EXIF orientation, so phone photos stand upright (boxes and margins refer to the upright image).
   * @defaultValue true
   */
  readonly autoOrient?: boolean;
}

/**
 * Decodes images for the pipeline: sharp in Node ({@link createSharpDecoder}), `createImageBitmap` and
 * `OffscreenCanvas` in a browser ({@link createBrowserDecoder}). Implementations follow
 * {@link planResize} for the geometry and throw {@link ImageDecodeError} for unusable input.
 */
export interface ImageDecoder {
  /** Short name for logs: `'sharp'`, `'browser'`. */
  readonly name: string;
  /** Decodes (and resizes) one image to 8-bit HWC pixels. */
  decode(input: DecoderInput, request?: DecodeRequest): Promise<DecodedImage>;
  /** Encodes 8-bit pixels as a JPEG, for caches; decoders that cannot encode leave it out. */
  encodeJpeg?(image: DecodedImage, quality: number): Promise<Uint8Array>;
}

/** Pillow's `Image.MAX_IMAGE_PIXELS` (about a quarter of a gigabyte of 24-bit pixels). */
export const DEFAULT_LIMIT_INPUT_PIXELS = 89_478_485;

/** {@link DecodeRequest} with defaults filled in and the resize checked. */
export interface ResolvedDecodeRequest {
  readonly channels: ChannelCount;
  readonly resize: ResolvedResizeOptions | undefined;
  readonly box: BoundingBox | undefined;
  readonly rng: Rng | undefined;
  readonly limitInputPixels: number;
  readonly autoOrient: boolean;
}

/** Checks a request once, up front. */
export function resolveDecodeRequest(
  fn: string,
  request: DecodeRequest,
  argument = 'request',
): ResolvedDecodeRequest {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidArgumentError(fn, argument, 'an object', request);
  }
  const {
    channels = 3,
    resize,
    box,
    rng,
    limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS,
    autoOrient = true,
  } = request;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InvalidArgumentError(fn, `${argument}.channels`, '1, 3 or 4', channels);
  }
  if (!Number.isSafeInteger(limitInputPixels) || limitInputPixels < 1) {
    throw new InvalidArgumentError(
      fn,
      `${argument}.limitInputPixels`,
      'a positive integer',
      limitInputPixels,
    );
  }
  if (typeof autoOrient !== 'boolean') {
    throw new InvalidArgumentError(fn, `${argument}.autoOrient`, 'a boolean', autoOrient);
  }
  return {
    channels,
    resize: resize === undefined ? undefined : resolveResizeOptions(fn, resize, `${argument}.resize`),
    box,
    rng,
    limitInputPixels,
    autoOrient,
  };
}

/** Throws unless `image` is a consistent {@link DecodedImage} with 1–4 channels. */
export function checkDecodedImage(fn: string, image: DecodedImage, argument = 'input'): void {
  const { data, height, width, channels } = image;
  if (
    !(data instanceof Uint8Array) ||
    !Number.isSafeInteger(height) ||
    height < 1 ||
    !Number.isSafeInteger(width) ||
    width < 1 ||
    !(channels === 1 || channels === 2 || channels === 3 || channels === 4) ||
    data.length !== height * width * channels
  ) {
    throw new InvalidArgumentError(
      fn,
      argument,
      'pixels { data, height, width, channels } with data.length = height × width × channels and 1–4 channels',
      image,
    );
  }
}

function hexPrefix(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(bytes.subarray(0, 8), (b) =>
    b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.',
  ).join('');
  return `${head} ("${text}")`;
}

/** Checks the bytes before decoding: empty files and non-images fail here, with a reason. */
export function sniffOrThrow(bytes: Uint8Array): ImageFormat {
  if (bytes.length === 0) throw new ImageDecodeError('empty', 'file is empty (0 bytes)');
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new ImageDecodeError(
      'not-an-image',
      `not an image: the bytes start with ${hexPrefix(bytes)}, no JPEG, PNG, GIF, WebP, TIFF, AVIF or HEIF signature`,
    );
  }
  return format;
}

/** Turns a decoder's failure on `bytes` into an {@link ImageDecodeError} with the right code. */
export function classifyDecodeFailure(
  error: unknown,
  bytes: Uint8Array,
  format: ImageFormat,
): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageDecodeError('too-large', firstLine, { cause: error });
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError('not-an-image', firstLine, { cause: error });
  }
  if (looksTruncated(bytes, format) || /premature end|truncated|unexpected end of/i.test(message)) {
    return new ImageDecodeError('truncated', `truncated ${format}: ${firstLine}`, { cause: error });
  }
  return new ImageDecodeError('decode-error', `${format}: ${firstLine}`, { cause: error });
}

/** The error for an image whose header announces more pixels than allowed. */
export function tooLarge(width: number, height: number, limit: number): ImageDecodeError {
  return new ImageDecodeError(
    'too-large',
    `Input image exceeds pixel limit: ${width}x${height} = ${width * height} pixels > limitInputPixels ${limit}`,
  );
}
