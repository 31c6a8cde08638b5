import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageSize } from './read-image-size.js';
import { encode, hugeDeclaredPng, pixels } from './test-fixtures.js';

describe('readImageSize', () => {
  it('reads the declared size of PNG, GIF, JPEG and WebP headers', async () => {
    const image = pixels(37, 21, 3, (x, y) => [x, y, 0]);
    for (const format of ['png', 'gif', 'jpeg', 'webp'] as const) {
      expect(readImageSize(await encode(image, format), format)).toEqual({ width: 37, height: 21 });
    }
    // Lossless WebP (VP8L) and extended WebP with alpha (VP8X).
    const lossless = new Uint8Array(
      await sharp(image.data, { raw: { width: 37, height: 21, channels: 3 } })
        .webp({ lossless: true })
        .toBuffer(),
    );
    expect(readImageSize(lossless, 'webp')).toEqual({ width: 37, height: 21 });
    const alpha = pixels(37, 21, 4, (x) => [x, 0, 0, x * 5]);
    const extended = new Uint8Array(
      await sharp(alpha.data, { raw: { width: 37, height: 21, channels: 4 } })
        .webp()
        .toBuffer(),
    );
    expect(readImageSize(extended, 'webp')).toEqual({ width: 37, height: 21 });
    // A JPEG with EXIF before its frame header.
    const exif = new Uint8Array(
      await sharp(image.data, { raw: { width: 37, height: 21, channels: 3 } })
        .withMetadata({ orientation: 3 })
        .jpeg()
        .toBuffer(),
    );
    expect(readImageSize(exif, 'jpeg')).toEqual({ width: 37, height: 21 });
    expect(readImageSize(await hugeDeclaredPng(100_000, 70_000), 'png')).toEqual({
      width: 100_000,
      height: 70_000,
    });
  });

  it('gives up on formats and headers it cannot read', async () => {
    expect(
      readImageSize(
        await encode(
          pixels(4, 4, 3, () => [0, 0, 0]),
          'tiff',
        ),
        'tiff',
      ),
    ).toBeUndefined();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff]), 'jpeg')).toBeUndefined();
    expect(readImageSize(new Uint8Array(10), 'png')).toBeUndefined();
  });
});
