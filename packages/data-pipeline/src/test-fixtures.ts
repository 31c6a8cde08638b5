/**
 * Test-only helpers: tiny synthetic images and a corpus of bad files, written with sharp into a temporary
 * folder. Not part of the package's entry point.
 *
 * @packageDocumentation
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { DecodedImage } from './types.js';

/** A fresh temporary folder and a function that removes it. */
export async function tempDir(prefix = 'topk-data-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Pixels whose value at `(x, y)` is `colour(x, y)` (one entry per channel). */
export function pixels(
  width: number,
  height: number,
  channels: number,
  colour: (x: number, y: number) => readonly number[],
): DecodedImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colour(x, y).slice(0, channels), (y * width + x) * channels);
  }
  return { data, width, height, channels };
}

/** A solid-colour image. */
export function solid(width: number, height: number, rgb: readonly [number, number, number]): DecodedImage {
  return pixels(width, height, 3, () => rgb);
}

/** Encodes pixels losslessly as PNG. */
export async function png(image: DecodedImage): Promise<Uint8Array> {
  const { data, width, height, channels } = image;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } })
      .png()
      .toBuffer(),
  );
}

/** Encodes pixels in `format` (lossy for JPEG, WebP and AVIF). */
export async function encode(
  image: DecodedImage,
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif',
): Promise<Uint8Array> {
  const { data, width, height, channels } = image;
  const s = sharp(data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  return new Uint8Array(await s.toFormat(format).toBuffer());
}

/** A PNG whose header declares `width × height` pixels while its data is that of a 4 × 4 image. */
export async function hugeDeclaredPng(width: number, height: number): Promise<Uint8Array> {
  const bytes = Buffer.from(await png(solid(4, 4, [0, 0, 0])));
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  // The IHDR CRC covers the chunk type and data (bytes 12..28).
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return new Uint8Array(bytes);
}

/** The 16-bit samples of the corpus's 2 × 1 RGB PNG. */
export const PNG16_VALUES = new Uint16Array([0x8080, 0xffff, 0x0000, 0x1234, 0x00ff, 0xff00]);

/** The bad-file corpus of the issue, plus good files that need conversion (CMYK, 16-bit). */
export interface Corpus {
  readonly dir: string;
  readonly good: string;
  readonly truncatedJpeg: string;
  readonly empty: string;
  readonly text: string;
  readonly cmykJpeg: string;
  readonly png16: string;
  readonly huge: string;
  readonly missing: string;
  readonly folder: string;
}

/** Writes the corpus into `dir` (created if needed). */
export async function writeCorpus(dir: string): Promise<Corpus> {
  await mkdir(dir, { recursive: true });
  const noisy = pixels(64, 48, 3, (x, y) => [(x * 37 + y * 11) % 256, (x * 7) % 256, (y * 13) % 256]);
  const jpeg = await encode(noisy, 'jpeg');
  const path = (name: string) => join(dir, name);
  const corpus: Corpus = {
    dir,
    good: path('good.png'),
    truncatedJpeg: path('truncated.jpg'),
    empty: path('empty.jpg'),
    text: path('text.jpg'),
    cmykJpeg: path('cmyk.jpg'),
    png16: path('16bit.png'),
    huge: path('huge.png'),
    missing: path('missing.jpg'),
    folder: path('folder.jpg'),
  };
  await writeFile(corpus.good, await png(solid(8, 8, [200, 100, 50])));
  await writeFile(corpus.truncatedJpeg, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await writeFile(corpus.empty, new Uint8Array(0));
  await writeFile(corpus.text, 'this is not an image, it only has a .jpg name\n');
  const red = solid(8, 8, [255, 0, 0]);
  await writeFile(
    corpus.cmykJpeg,
    await sharp(red.data, { raw: { width: 8, height: 8, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer(),
  );
  await writeFile(
    corpus.png16,
    await sharp(PNG16_VALUES, { raw: { width: 2, height: 1, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer(),
  );
  await writeFile(corpus.huge, await hugeDeclaredPng(100_000, 100_000));
  await mkdir(corpus.folder);
  return corpus;
}
