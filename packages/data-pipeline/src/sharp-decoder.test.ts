import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Rng } from '@topk/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, type QuarantineCode } from './image-decode-error.js';
import { padPixels } from './pixels.js';
import { planResize } from './resize-plan.js';
import { createSharpDecoder } from './sharp-decoder.js';
import {
  type Corpus,
  encode,
  hugeDeclaredPng,
  pixels,
  png,
  solid,
  tempDir,
  writeCorpus,
} from './test-fixtures.js';
import type { DecodedImage } from './types.js';

const A: [number, number, number] = [10, 20, 30];
const B: [number, number, number] = [200, 150, 100];
const C: [number, number, number] = [0, 255, 0];
const decoder = createSharpDecoder();

/** The pixel at (x, y). */
function at(image: DecodedImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * image.channels;
  return Array.from(image.data.subarray(i, i + image.channels));
}

/** Every pixel, row by row. */
function rows(image: DecodedImage): number[][][] {
  return Array.from({ length: image.height }, (_, y) =>
    Array.from({ length: image.width }, (_, x) => at(image, x, y)),
  );
}

async function expectCode(promise: Promise<unknown>, code: QuarantineCode): Promise<ImageDecodeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).quarantineCode).toBe(code);
    return error as ImageDecodeError;
  }
  throw new Error(`expected ImageDecodeError ${code}`);
}

describe('createSharpDecoder: geometry on synthetic images', () => {
  it('squish: an 8 × 4 image with halves A | B becomes 4 × 4 with columns A A B B', async () => {
    const halves = await png(pixels(8, 4, 3, (x) => (x < 4 ? A : B)));
    const out = await decoder.decode(halves, { resize: { size: 4, kernel: 'nearest' } });
    expect([out.width, out.height, out.channels]).toEqual([4, 4, 3]);
    for (const row of rows(out)) expect(row).toEqual([A, A, B, B]);
  });

  it('squish with the default (linear) kernel keeps block interiors exact', async () => {
    const halves = await png(pixels(32, 8, 3, (x) => (x < 16 ? A : B)));
    const out = await decoder.decode(halves, { resize: { size: [4, 8] } });
    for (const row of rows(out)) {
      expect(row[0]).toEqual(A);
      expect(row[7]).toEqual(B);
    }
  });

  it('center-crop of three bands A | B | C keeps the middle one', async () => {
    const bands = await png(pixels(12, 4, 3, (x) => (x < 4 ? A : x < 8 ? B : C)));
    const out = await decoder.decode(bands, { resize: { size: 2, mode: 'center-crop' } });
    for (const row of rows(out)) expect(row).toEqual([B, B]);
  });

  it('pad: an 8 × 4 image into 4 × 4 gets a white row above and below', async () => {
    const out = await decoder.decode(await png(solid(8, 4, A)), { resize: { size: 4, mode: 'pad' } });
    const W = [255, 255, 255];
    expect(rows(out)).toEqual([
      [W, W, W, W],
      [A, A, A, A],
      [A, A, A, A],
      [W, W, W, W],
    ]);
    const black = await decoder.decode(await png(solid(4, 8, A)), {
      resize: { size: 4, mode: 'pad', fill: [0, 0, 0] },
    });
    for (const row of rows(black)) expect(row).toEqual([[0, 0, 0], A, A, [0, 0, 0]]);
  });

  it('pad with mirror and edge borders, as padPixels computes them', async () => {
    // 4 × 2 into 4 × 6: no scaling, 2 rows above and 2 below.
    const image = pixels(4, 2, 3, (x, y) => [x * 40 + y * 5, 100 + x, 200 - y * 50]);
    for (const padMode of ['mirror', 'edge', 'constant'] as const) {
      const out = await decoder.decode(await png(image), {
        resize: { size: [6, 4], mode: 'pad', padMode, fill: [1, 2, 3] },
      });
      const expected = padPixels(image, { top: 2, right: 0, bottom: 2, left: 0 }, padMode, [1, 2, 3]);
      expect(Array.from(out.data)).toEqual(Array.from(expected.data));
    }
    // Mirror repeats the edge row: rows read 1 0 | 0 1 | 1 0.
    const mirrored = await decoder.decode(await png(image), {
      resize: { size: [6, 4], mode: 'pad', padMode: 'mirror' },
    });
    expect(rows(mirrored).map((row) => row[0]![2])).toEqual([150, 200, 200, 150, 150, 200]);
  });

  it('crop margins cut exactly the requested pixels', async () => {
    const gradient = pixels(10, 8, 3, (x, y) => [x * 20, y * 20, 7]);
    const out = await decoder.decode(await png(gradient), {
      resize: { size: [3, 6], margins: { top: 4, bottom: 1, left: 3, right: 1 } },
    });
    expect([out.width, out.height]).toEqual([6, 3]);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 6; x++) expect(at(out, x, y)).toEqual([(x + 3) * 20, (y + 4) * 20, 7]);
  });

  it('crops to the item box', async () => {
    const gradient = pixels(10, 8, 3, (x, y) => [x * 20, y * 20, 7]);
    const out = await decoder.decode(await png(gradient), {
      resize: { size: [2, 3] },
      box: { left: 5, top: 1, width: 3, height: 2 },
    });
    expect(rows(out)).toEqual([
      [
        [100, 20, 7],
        [120, 20, 7],
        [140, 20, 7],
      ],
      [
        [100, 40, 7],
        [120, 40, 7],
        [140, 40, 7],
      ],
    ]);
  });

  it('random-crop and random-resized-crop cut where planResize says, for the same seed', async () => {
    const gradient = pixels(20, 20, 3, (x, y) => [x * 10, y * 10, 0]);
    const bytes = await png(gradient);
    for (const resize of [
      { size: [20, 10] as [number, number], mode: 'random-crop' as const },
      {
        size: 10,
        mode: 'random-resized-crop' as const,
        scale: [0.25, 0.25] as [number, number],
        ratio: [1, 1] as [number, number],
      },
    ]) {
      for (const seed of [1, 2, 3]) {
        const { crop } = planResize(resize, 20, 20, { rng: new Rng(seed) });
        const out = await decoder.decode(bytes, { resize, rng: new Rng(seed) });
        // No scaling happens (crop size = output size), so the output is the crop itself.
        expect([crop.width, crop.height]).toEqual([out.width, out.height]);
        expect(at(out, 0, 0)).toEqual([crop.left * 10, crop.top * 10, 0]);
        expect(at(out, out.width - 1, out.height - 1)).toEqual([
          (crop.left + crop.width - 1) * 10,
          (crop.top + crop.height - 1) * 10,
          0,
        ]);
      }
    }
  });

  it('resizes raw pixels, and passes them through when nothing changes', async () => {
    const gray = pixels(4, 2, 1, (x) => [x * 50]);
    const same = await decoder.decode(gray, { channels: 1 });
    expect(Array.from(same.data)).toEqual([0, 50, 100, 150, 0, 50, 100, 150]);
    expect(same.data).not.toBe(gray.data);
    const rgb = await decoder.decode(gray);
    expect(at(rgb, 3, 1)).toEqual([150, 150, 150]);
    const half = await decoder.decode(
      pixels(4, 4, 3, (x) => (x < 2 ? A : B)),
      { resize: { size: 2, kernel: 'nearest' } },
    );
    expect(rows(half)).toEqual([
      [A, B],
      [A, B],
    ]);
  });
});

describe('createSharpDecoder: formats and colour', () => {
  let corpus: Corpus;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    corpus = await writeCorpus(temp.dir);
  });
  afterAll(() => cleanup());

  it('decodes JPEG, PNG, WebP, GIF, TIFF and AVIF to 8-bit RGB', async () => {
    const image = solid(16, 8, [200, 40, 40]);
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const) {
      const out = await decoder.decode(await encode(image, format));
      expect([out.width, out.height, out.channels]).toEqual([16, 8, 3]);
      const [r, g, b] = at(out, 8, 4);
      // Lossy formats move colours a little; lossless ones keep them.
      expect(Math.abs(r! - 200)).toBeLessThanOrEqual(12);
      expect(Math.abs(g! - 40)).toBeLessThanOrEqual(12);
      expect(Math.abs(b! - 40)).toBeLessThanOrEqual(12);
    }
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = new Uint8Array(4 * 8 * 3);
    frames.set(solid(4, 4, [255, 0, 0]).data, 0);
    frames.set(solid(4, 4, [0, 0, 255]).data, 4 * 4 * 3);
    const gif = await sharp(frames, { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const out = await decoder.decode(new Uint8Array(gif));
    expect([out.width, out.height]).toEqual([4, 4]);
    expect(at(out, 1, 1)).toEqual([255, 0, 0]);
  });

  it('converts grey to RGB, flattens transparency onto the fill colour, and keeps alpha when asked', async () => {
    const grey = await decoder.decode(await png(pixels(2, 1, 1, (x) => [x === 0 ? 17 : 230])));
    expect(Array.from(grey.data)).toEqual([17, 17, 17, 230, 230, 230]);
    const rgba = await png(pixels(2, 1, 4, (x) => (x === 0 ? [255, 0, 0, 0] : [0, 128, 0, 255])));
    expect(Array.from((await decoder.decode(rgba)).data)).toEqual([255, 255, 255, 0, 128, 0]);
    expect(
      Array.from((await decoder.decode(rgba, { resize: { size: [1, 2], fill: [9, 9, 9] } })).data),
    ).toEqual([9, 9, 9, 0, 128, 0]);
    expect(Array.from((await decoder.decode(rgba, { channels: 4 })).data)).toEqual([
      255, 0, 0, 0, 0, 128, 0, 255,
    ]);
    const opaque = await decoder.decode(await png(solid(2, 2, [100, 100, 100])), { channels: 4 });
    expect(at(opaque, 1, 1)).toEqual([100, 100, 100, 255]);
    const grey1 = await decoder.decode(await png(solid(2, 2, [100, 100, 100])), { channels: 1 });
    expect(Array.from(grey1.data)).toEqual([100, 100, 100, 100]);
  });

  it('turns a 16-bit PNG into 8 bits by its high byte (libvips ushort → uchar)', async () => {
    const out = await decoder.decode(new Uint8Array(await readFile(corpus.png16)));
    // 0x8080, 0xffff, 0x0000 | 0x1234, 0x00ff, 0xff00 → 0x80, 0xff, 0x00 | 0x12, 0x00, 0xff.
    expect(Array.from(out.data)).toEqual([128, 255, 0, 18, 0, 255]);
  });

  it('turns a CMYK JPEG into RGB', async () => {
    const out = await decoder.decode(new Uint8Array(await readFile(corpus.cmykJpeg)));
    expect(out.channels).toBe(3);
    const [r, g, b] = at(out, 4, 4);
    // Pure red through a CMYK round trip: libvips' default CMYK profile gives about (232, 0, 0).
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(40);
    expect(b).toBeLessThan(40);
  });

  it('applies the EXIF orientation unless told not to', async () => {
    const jpeg = new Uint8Array(
      await sharp(solid(20, 10, [0, 0, 200]).data, { raw: { width: 20, height: 10, channels: 3 } })
        .withMetadata({ orientation: 6 })
        .jpeg()
        .toBuffer(),
    );
    const upright = await decoder.decode(jpeg);
    expect([upright.width, upright.height]).toEqual([10, 20]);
    const asStored = await decoder.decode(jpeg, { autoOrient: false });
    expect([asStored.width, asStored.height]).toEqual([20, 10]);
  });

  it('rejects bad input with a quarantine code', async () => {
    const bytes = async (path: string) => new Uint8Array(await readFile(path));
    await expectCode(decoder.decode(await bytes(corpus.truncatedJpeg)), 'truncated');
    await expectCode(decoder.decode(await bytes(corpus.empty)), 'empty');
    const text = await expectCode(decoder.decode(await bytes(corpus.text)), 'not-an-image');
    expect(text.message).toContain('"this is');
    const huge = await expectCode(decoder.decode(await bytes(corpus.huge)), 'too-large');
    expect(huge.message).toContain('Input image exceeds pixel limit');
    await expectCode(decoder.decode(await png(solid(8, 8, A)), { limitInputPixels: 63 }), 'too-large');
    await expectCode(decoder.decode(solid(8, 8, A), { limitInputPixels: 63 }), 'too-large');
    await expectCode(decoder.decode(await hugeDeclaredPng(10, 10)), 'decode-error');
    const good = await png(pixels(16, 16, 3, (x, y) => [x * 16, y * 16, 0]));
    await expectCode(decoder.decode(good.subarray(0, good.length - 20)), 'truncated');
    const corrupt = good.slice();
    corrupt.fill(0xaa, 40, 60); // inside the image data; IEND is intact
    await expectCode(decoder.decode(corrupt), 'decode-error');
    await expectCode(decoder.decode(good, { resize: { size: 4, margins: { top: 20 } } }), 'too-small');
  });

  it('encodes JPEG for caches', async () => {
    const jpeg = await decoder.encodeJpeg!(solid(6, 4, [50, 60, 70]), 85);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 6, 4]);
    await expect(decoder.encodeJpeg!(solid(2, 2, A), 0)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('rejects bad arguments', async () => {
    await expect(decoder.decode('x' as unknown as Uint8Array)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      decoder.decode({ data: new Uint8Array(3), width: 2, height: 2, channels: 3 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(decoder.decode(new Uint8Array(4), { channels: 2 as 3 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(decoder.decode(new Uint8Array(4), { limitInputPixels: 0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(() => createSharpDecoder({ failOn: 'never' as 'none' })).toThrow(InvalidArgumentError);
    expect(() => createSharpDecoder({ concurrency: 0 })).toThrow(InvalidArgumentError);
  });
});
