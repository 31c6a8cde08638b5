import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@topk/core';
import type { ShardItem } from '../run-layout.js';
import { encodePng } from './png.js';

/** Options of {@link writeTestImages}. */
export interface TestImagesOptions {
  readonly count: number;
  /** Side of the square images. @defaultValue 16 */
  readonly size?: number;
  /** Number of classes the labels cycle through. @defaultValue 5 */
  readonly classes?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
}

/**
 * Writes `count` small random PNGs into `dir` (in folders of 500) and returns their listing, labelled
 * round-robin. Each image has its own base colour plus noise, so channel statistics differ between images.
 */
export async function writeTestImages(dir: string, options: TestImagesOptions): Promise<ShardItem[]> {
  const { count, size = 16, classes = 5, seed = 1 } = options;
  const rng = new Rng(seed);
  const items: ShardItem[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const folder = join(dir, String(Math.floor(i / 500)));
    if (i % 500 === 0) await mkdir(folder, { recursive: true });
    const base = [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)];
    const pixels = new Uint8Array(size * size * 3);
    for (let p = 0; p < pixels.length; p++) {
      pixels[p] = Math.max(0, Math.min(255, base[p % 3]! + rng.int(-40, 41)));
    }
    const path = join(folder, `img-${String(i).padStart(6, '0')}.png`);
    writes.push(writeFile(path, encodePng(size, size, pixels)));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
    items.push({ id: `img-${String(i).padStart(6, '0')}`, source: path, label: i % classes });
  }
  await Promise.all(writes);
  return items;
}
