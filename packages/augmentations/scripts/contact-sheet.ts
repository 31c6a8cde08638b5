/**
 * Renders docs/contact-sheet.png: one synthetic scene under every transform of the table (with its
 * `example` options) and under the three presets, in a grid. Run from the repository root:
 *
 *   node --conditions=source --import tsx packages/augmentations/scripts/contact-sheet.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { heavy, light, listTransforms, standard, TRANSFORMS, type Transform } from '../src/index.js';

const SIZE = 96;
const GAP = 4;
const COLUMNS = 7;

/** A small scene with edges, gradients, colours and texture, so every kind of transform shows. */
function scene(): tf.Tensor4D {
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = (y * SIZE + x) * 3;
      const t = y / (SIZE - 1);
      // Sky: deep blue at the top to pale near the horizon; sea: dark teal with waves.
      let rgb: [number, number, number] =
        y < SIZE * 0.55
          ? [0.25 + 0.55 * t, 0.45 + 0.45 * t, 0.85 + 0.1 * t]
          : [0.05, 0.3 + 0.08 * Math.sin(x / 3 + y), 0.4];
      // Sun.
      if ((x - 70) ** 2 + (y - 20) ** 2 < 121) rgb = [1, 0.85, 0.2];
      // A red and white checkered sail.
      if (x > 18 && x < 46 && y > 22 && y < 50 && x - 18 > (50 - y) * 0.6) {
        rgb = ((x >> 2) + (y >> 2)) % 2 === 0 ? [0.9, 0.15, 0.1] : [0.95, 0.95, 0.95];
      }
      // Hull.
      if (y >= 50 && y < 58 && x > 12 + (y - 50) && x < 56 - (y - 50)) rgb = [0.35, 0.2, 0.1];
      data.set(rgb, i);
    }
  }
  return tf.tensor4d(data, [1, SIZE, SIZE, 3]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** An 8-bit RGB PNG (PNG specification, ISO/IEC 15948): signature, IHDR, one IDAT, IEND. */
function png(width: number, height: number, rgb: Uint8Array): Buffer {
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), no interlace
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

await tf.setBackend('cpu');
const image = scene();
const tiles: [string, Transform | null][] = [
  ['original', null],
  ...listTransforms().map((name): [string, Transform] => [
    name,
    TRANSFORMS[name].create(TRANSFORMS[name].example),
  ]),
  ['light', light()],
  ['standard', standard()],
  ['heavy', heavy()],
];
const rows = Math.ceil(tiles.length / COLUMNS);
const width = COLUMNS * SIZE + (COLUMNS + 1) * GAP;
const height = rows * SIZE + (rows + 1) * GAP;
const sheet = new Uint8Array(width * height * 3).fill(255);
tiles.forEach(([, transform], k) => {
  const out = transform === null ? image : transform.apply(image, new Rng(k + 3)).images;
  const values = out.dataSync();
  const left = GAP + (k % COLUMNS) * (SIZE + GAP);
  const top = GAP + Math.floor(k / COLUMNS) * (SIZE + GAP);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        sheet[((top + y) * width + left + x) * 3 + c] = Math.round(255 * values[(y * SIZE + x) * 3 + c]!);
      }
    }
  }
  if (out !== image) out.dispose();
});
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'contact-sheet.png');
writeFileSync(target, png(width, height, sheet));
console.log(`wrote ${target}: ${tiles.map(([name]) => name).join(', ')}`);
