import { InvalidArgumentError } from '@topk/core';
import { isImageSource } from './dataset.js';
import { defaultDecoder } from './default-decoder.js';
import type { DecodeRequest, ImageDecoder } from './image-decoder.js';
import { readRawRecord, readSourceBytes } from './read-source.js';
import type { DecodedImage, ImageSource } from './types.js';

/** Options of {@link decodeImage}: a {@link DecodeRequest} and the decoder to use. */
export interface DecodeImageOptions extends DecodeRequest {
  /** @defaultValue sharp in Node, the browser decoder elsewhere */
  readonly decoder?: ImageDecoder;
}

/**
 * Reads and decodes one image (a file path, encoded bytes, pixels or a raw record) outside a stream, e.g.
 * to predict on a single upload. Throws {@link ImageDecodeError} for an unusable image, with the same
 * codes a stream would quarantine it with.
 *
 * @param source - where the image is.
 */
export async function decodeImage(
  source: ImageSource,
  options: DecodeImageOptions = {},
): Promise<DecodedImage> {
  if (!isImageSource(source)) {
    throw new InvalidArgumentError(
      'decodeImage',
      'source',
      'a path, encoded bytes, a decoded image or a raw record',
      source,
    );
  }
  const { decoder, ...request } = options;
  const input =
    typeof source === 'string'
      ? await readSourceBytes(source)
      : source instanceof Uint8Array
        ? source
        : 'kind' in source
          ? await readRawRecord(source)
          : source;
  return (decoder ?? (await defaultDecoder())).decode(input, request);
}
