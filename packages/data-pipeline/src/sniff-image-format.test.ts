import { describe, expect, it } from 'vitest';
import { looksTruncated, sniffImageFormat } from './sniff-image-format.js';
import { encode, pixels } from './test-fixtures.js';

describe('sniffImageFormat', () => {
  it('recognises every format sharp writes by its signature', async () => {
    const image = pixels(8, 8, 3, (x, y) => [x * 30, y * 30, 90]);
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const) {
      expect(sniffImageFormat(await encode(image, format))).toBe(format);
    }
  });

  it('recognises signatures written by hand', () => {
    const bytes = (...values: (number | string)[]) =>
      Uint8Array.from(
        values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])),
      );
    expect(sniffImageFormat(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffImageFormat(bytes('GIF87a'))).toBe('gif');
    expect(sniffImageFormat(bytes('MM', 0, 42))).toBe('tiff');
    expect(sniffImageFormat(bytes('II', 43, 0))).toBe('tiff'); // BigTIFF
    expect(sniffImageFormat(bytes(0, 0, 0, 24, 'ftypheic', 0, 0, 0, 0, 'mif1heic'))).toBe('heif');
    expect(sniffImageFormat(bytes(0, 0, 0, 24, 'ftypmif1', 0, 0, 0, 0, 'avifmif1'))).toBe('avif');
  });

  it('finds no image in text, HTML, SVG, BMP or too few bytes', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffImageFormat(text('hello, this is text'))).toBeUndefined();
    expect(sniffImageFormat(text('<!DOCTYPE html><html>404 Not Found</html>'))).toBeUndefined();
    expect(sniffImageFormat(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageFormat(text('BM6\0\0\0'))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array(0))).toBeUndefined();
  });
});

describe('looksTruncated', () => {
  it('spots files cut before their end marker, and not whole ones', async () => {
    const image = pixels(16, 16, 3, (x, y) => [x * 16, y * 16, 0]);
    for (const format of ['jpeg', 'png', 'gif', 'webp'] as const) {
      const whole = await encode(image, format);
      expect(looksTruncated(whole, format)).toBe(false);
      expect(looksTruncated(whole.subarray(0, whole.length - 3), format)).toBe(true);
    }
    // TIFF has no end marker: never reported truncated by this test.
    const tiff = await encode(image, 'tiff');
    expect(looksTruncated(tiff.subarray(0, 20), 'tiff')).toBe(false);
  });
});
