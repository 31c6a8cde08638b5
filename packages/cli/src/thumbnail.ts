import type { ImageSource } from '@topk/data-pipeline';

/** Options of {@link thumbnailDataUri}. */
export interface ThumbnailOptions {
  /** Longest side in pixels; smaller images keep their size (the page scales them). @defaultValue 96 */
  readonly size?: number;
}

/**
 * A small PNG of an image as a `data:` URI, to embed in a self-contained page. The image is decoded by
 * the data pipeline (so paths, encoded bytes, IDX pixels and cache records all work, EXIF orientation
 * applied, transparency flattened on white) and shrunk with sharp to fit `size`. Resolves to
 * `undefined` when the image cannot be decoded (the report then says so instead of failing).
 *
 * @param source - the item's source, as listed by a dataset.
 */
export async function thumbnailDataUri(
  source: ImageSource,
  options: ThumbnailOptions = {},
): Promise<string | undefined> {
  const { size = 96 } = options;
  const { decodeImage } = await import('@topk/data-pipeline');
  const { default: sharp } = await import('sharp');
  let image: Awaited<ReturnType<typeof decodeImage>>;
  try {
    image = await decodeImage(source, { channels: 3 });
  } catch {
    return undefined;
  }
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
