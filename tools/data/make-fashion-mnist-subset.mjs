#!/usr/bin/env node
// Builds the Fashion-MNIST subset that topk ships for its demo and tests: N_TRAIN training and N_TEST test
// images, the same number per class, drawn with a fixed seed from the Debian package dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist), written as gzipped IDX files like the originals.
// usage: node tools/data/make-fashion-mnist-subset.mjs [source-dir] [out-dir]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const out = process.argv[3] ?? new URL('../../packages/cli/assets/fashion-mnist/', import.meta.url).pathname;
const PER_CLASS = { train: 300, t10k: 100 };

// Small deterministic generator (mulberry32): this script must give the same subset on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

mkdirSync(out, { recursive: true });
for (const [split, perClass] of Object.entries(PER_CLASS)) {
  const images = gunzipSync(readFileSync(join(source, `${split}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(join(source, `${split}-labels-idx1-ubyte.gz`)));
  const count = labels.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const cols = images.readUInt32BE(12);
  const random = rng(split === 'train' ? 1 : 2);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const taken = new Array(10).fill(0);
  const picked = order
    .filter((i) => taken[labels[8 + i]] < perClass && ++taken[labels[8 + i]])
    .sort((a, b) => a - b);
  const n = picked.length;
  const imgOut = Buffer.alloc(16 + n * rows * cols);
  imgOut.writeUInt32BE(2051, 0);
  imgOut.writeUInt32BE(n, 4);
  imgOut.writeUInt32BE(rows, 8);
  imgOut.writeUInt32BE(cols, 12);
  const lblOut = Buffer.alloc(8 + n);
  lblOut.writeUInt32BE(2049, 0);
  lblOut.writeUInt32BE(n, 4);
  picked.forEach((src, k) => {
    images.copy(imgOut, 16 + k * rows * cols, 16 + src * rows * cols, 16 + (src + 1) * rows * cols);
    lblOut[8 + k] = labels[8 + src];
  });
  writeFileSync(join(out, `${split}-images-idx3-ubyte.gz`), gzipSync(imgOut, { level: 9 }));
  writeFileSync(join(out, `${split}-labels-idx1-ubyte.gz`), gzipSync(lblOut, { level: 9 }));
  console.log(`${split}: ${n} images (${perClass} per class) from ${count}`);
}
