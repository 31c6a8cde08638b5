import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddings } from '@topk/ensembling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEmbeddings,
  EMBEDDINGS_FORMAT_VERSION,
  EMBEDDINGS_MAGIC,
  encodeEmbeddings,
  readEmbeddingsFile,
  readEmbeddingsHeader,
  writeEmbeddingsFile,
} from './embeddings-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topk-emb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embeddings file', () => {
  it('lays out magic, version, count, dim, id length, ids JSON, padding and little-endian float32', () => {
    const bytes = encodeEmbeddings(createEmbeddings(['a', 'é'], 2, [1, -2, 0.5, 3]));
    // ids JSON '["a","é"]' is 10 UTF-8 bytes (é takes 2): header 24 + 10 = 34, padded to 36.
    expect([...bytes.subarray(0, 8)]).toEqual([0x54, 0x4f, 0x50, 0x4b, 0x45, 0x4d, 0x42, 0]);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(EMBEDDINGS_MAGIC);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([8, 12, 16, 20].map((offset) => view.getUint32(offset, true))).toEqual([
      EMBEDDINGS_FORMAT_VERSION,
      2,
      2,
      10,
    ]);
    expect(EMBEDDINGS_FORMAT_VERSION).toBe(1);
    expect(new TextDecoder().decode(bytes.subarray(24, 34))).toBe('["a","é"]');
    expect([...bytes.subarray(34, 36)]).toEqual([0, 0]);
    expect(bytes.length).toBe(36 + 16);
    expect(view.getFloat32(36, true)).toBe(1);
    expect(view.getFloat32(40, true)).toBe(-2);
    expect(view.getFloat32(48, true)).toBe(3);
  });

  it('round-trips through bytes and files, and reads headers alone', async () => {
    const embeddings = createEmbeddings(
      ['x', 'y', 'z'],
      3,
      Float32Array.from([0.1, 0.2, 0.3, 1e-8, -1e8, 7, 0, 0, 1]),
    );
    const back = decodeEmbeddings(encodeEmbeddings(embeddings));
    expect(back.ids).toEqual(['x', 'y', 'z']);
    expect(back.dim).toBe(3);
    expect([...back.vectors]).toEqual([...embeddings.vectors]);
    const path = join(dir, 'e.bin');
    await writeEmbeddingsFile(path, embeddings);
    expect([...(await readEmbeddingsFile(path)).vectors]).toEqual([...embeddings.vectors]);
    const header = await readEmbeddingsHeader(path);
    expect(header).toEqual({ count: 3, dim: 3, ids: ['x', 'y', 'z'], dataOffset: 40 });
    const empty = decodeEmbeddings(encodeEmbeddings(createEmbeddings([], 4, [])));
    expect(empty.ids).toEqual([]);
    expect(empty.dim).toBe(4);
  });

  it('rejects files that are not embeddings, truncated or inconsistent', async () => {
    const good = encodeEmbeddings(createEmbeddings(['a'], 2, [1, 2]));
    // '["a"]' is 5 bytes: header 24 + 5, padded to 32, then 2 floats: 40 bytes.
    expect(good.length).toBe(40);
    expect(() => decodeEmbeddings(good.subarray(0, good.length - 1))).toThrow(
      'Error in decodeEmbeddings: bytes must be a topk embeddings file of 40 bytes (1 × 2 floats), got Uint8Array of length 39',
    );
    const wrongMagic = good.slice();
    wrongMagic[0] = 0x58;
    expect(() => decodeEmbeddings(wrongMagic)).toThrow(
      'a topk embeddings file (starting with TOPKEMB and a zero byte), got "XOPKEMB\\u0000"',
    );
    const wrongVersion = good.slice();
    new DataView(wrongVersion.buffer).setUint32(8, 2, true);
    expect(() => decodeEmbeddings(wrongVersion)).toThrow('a topk embeddings file (format version 1), got 2');
    expect(() => decodeEmbeddings(new Uint8Array(4))).toThrow('at least 24 bytes');
    expect(() => decodeEmbeddings('x' as never)).toThrow('bytes must be a Uint8Array');
    const wrongCount = good.slice();
    new DataView(wrongCount.buffer).setUint32(12, 2, true);
    expect(() => decodeEmbeddings(wrongCount)).toThrow('2 string ids');
    expect(() => encodeEmbeddings({ ids: ['a'], dim: 2, vectors: new Float32Array(3) })).toThrow(
      'vectors must be of length ids.length × dim',
    );
    const path = join(dir, 'short.bin');
    await writeFile(path, good.subarray(0, 30));
    await expect(readEmbeddingsHeader(path)).rejects.toThrow('a topk embeddings file of 40 bytes, got 30');
    await expect(readEmbeddingsFile('')).rejects.toThrow('path must be a file path');
  });
});
