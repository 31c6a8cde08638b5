import { TopkError } from '@topk/core';

/**
 * Why an item could not be used:
 * - `missing`: the file does not exist;
 * - `unreadable`: it exists but cannot be read (a directory, no permission);
 * - `empty`: zero bytes;
 * - `not-an-image`: the bytes are no image format the decoder reads (text, HTML error pages, SVG);
 * - `truncated`: an image format whose data stops early (interrupted downloads);
 * - `too-large`: more pixels than `limitInputPixels` (decompression bombs);
 * - `too-small`: nothing is left after the fixed crop margins;
 * - `invalid-box`: the item's bounding box lies outside the image;
 * - `decode-error`: anything else the decoder rejects (corrupt data, unsupported variants).
 */
export type QuarantineCode =
  | 'missing'
  | 'unreadable'
  | 'empty'
  | 'not-an-image'
  | 'truncated'
  | 'too-large'
  | 'too-small'
  | 'invalid-box'
  | 'decode-error';

/** Every {@link QuarantineCode}, for reports that count by code. */
export const QUARANTINE_CODES: readonly QuarantineCode[] = Object.freeze([
  'missing',
  'unreadable',
  'empty',
  'not-an-image',
  'truncated',
  'too-large',
  'too-small',
  'invalid-box',
  'decode-error',
]);

/** An item set aside instead of used: which one, and why. */
export interface QuarantinedItem {
  /** The item's id. */
  readonly id: string;
  /** The file (or cache shard) it was read from; absent for in-memory sources. */
  readonly path?: string;
  /** Machine-readable reason. */
  readonly code: QuarantineCode;
  /** Human-readable reason, usually the decoder's own message. */
  readonly reason: string;
}

/**
 * An image could not be read, decoded or cropped. Decoders throw it; streams, checks and caches catch it
 * and quarantine the item instead of failing.
 */
export class ImageDecodeError extends TopkError {
  /** Why, as a {@link QuarantineCode}. */
  readonly quarantineCode: QuarantineCode;

  constructor(quarantineCode: QuarantineCode, message: string, options?: { cause?: unknown }) {
    super('IMAGE_DECODE', message, options);
    this.quarantineCode = quarantineCode;
  }
}
