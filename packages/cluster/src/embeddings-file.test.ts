import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddings } from '@topk/ensembling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEmbeddings,
  EMBEDDINGS_FORMAT_VERSION,
  EMBEDDINGS_MAGIC,
  encodeEmbeddings,
  encodeEmbeddingsHeader,
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

// Worked example, laid out by hand from the format table: ids ["a","bc"] are the 10 JSON bytes
// `["a","bc"]`, so the header is 24 + 10 = 34 bytes, padded to 36; then 2 × 2 float32 values.
// 1.0 = 00 00 80 3f, -2.0 = 00 00 00 c0, 0.5 = 00 00 00 3f, 0.25 = 00 00 80 3e (IEEE 754, little-endian).
// biome-ignore format: one header field per line
const EXPECTED = new Uint8Array([
  0x54, 0x4f, 0x50, 0x4b, 0x45, 0x4d, 0x42, 0x00, // TOPKEMB\0
  1, 0, 0, 0, // version 1
  2, 0, 0, 0, // count 2
  2, 0, 0, 0, // dim 2
  10, 0, 0, 0, // 10 bytes of ids
  ...new TextEncoder().encode('["a","bc"]'),
  0, 0, // padding to 36
  0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, // 1, -2
  0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0x3e, // 0.5, 0.25
]);

describe('embeddings file', () => {
  const example = createEmbeddings(['a', 'bc'], 2, [1, -2, 0.5, 0.25]);

  it('encodes the documented layout byte for byte', () => {
    expect(EMBEDDINGS_MAGIC).toBe('TOPKEMB\u0000');
    expect(EMBEDDINGS_FORMAT_VERSION).toBe(1);
    expect(encodeEmbeddings(example)).toEqual(EXPECTED);
    expect(encodeEmbeddingsHeader(['a', 'bc'], 2)).toEqual(EXPECTED.subarray(0, 36));
  });

  it('counts ids in UTF-8 bytes, not characters', () => {
    const bytes = encodeEmbeddings(createEmbeddings(['a', 'é'], 2, [1, -2, 0.5, 3]));
    // ids JSON '["a","é"]' is 10 UTF-8 bytes (é takes 2): header 24 + 10 = 34, padded to 36.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([8, 12, 16, 20].map((offset) => view.getUint32(offset, true))).toEqual([1, 2, 2, 10]);
    expect(new TextDecoder().decode(bytes.subarray(24, 34))).toBe('["a","é"]');
    expect([...bytes.subarray(34, 36)]).toEqual([0, 0]);
    expect(bytes.length).toBe(36 + 16);
    expect(view.getFloat32(48, true)).toBe(3);
  });

  it('decodes it back, viewing the vectors without a copy when aligned', () => {
    const decoded = decodeEmbeddings(EXPECTED);
    expect(decoded.ids).toEqual(['a', 'bc']);
    expect(decoded.dim).toBe(2);
    expect(Array.from(decoded.vectors)).toEqual([1, -2, 0.5, 0.25]);
    expect(decoded.vectors.buffer).toBe(EXPECTED.buffer);
    // An odd offset is copied instead.
    const shifted = new Uint8Array(EXPECTED.length + 1);
    shifted.set(EXPECTED, 1);
    const copy = decodeEmbeddings(shifted.subarray(1));
    expect(Array.from(copy.vectors)).toEqual([1, -2, 0.5, 0.25]);
    expect(copy.vectors.buffer).not.toBe(shifted.buffer);
  });

  it('round-trips through a file, with unicode ids, a new folder and an empty set, and reads headers alone', async () => {
    const values = Float32Array.from({ length: 5 * 7 }, (_, i) => Math.fround(Math.sin(i) * 3));
    const ids = ['Ünïcode/1.jpg', 'x,y', 'quote"d', 'b', '鯨'];
    const path = join(dir, 'nested', 'emb.bin');
    await writeEmbeddingsFile(path, createEmbeddings(ids, 7, values));
    const back = await readEmbeddingsFile(path);
    expect(back.ids).toEqual(ids);
    expect(back.dim).toBe(7);
    expect(back.vectors).toEqual(values);
    expect(new Uint8Array(await readFile(path))).toEqual(encodeEmbeddings(createEmbeddings(ids, 7, values)));
    expect(await readdir(join(dir, 'nested'))).toEqual(['emb.bin']);
    const idsLength = new TextEncoder().encode(JSON.stringify(ids)).length;
    expect(await readEmbeddingsHeader(path)).toEqual({
      count: 5,
      dim: 7,
      ids,
      dataOffset: Math.ceil((24 + idsLength) / 4) * 4,
    });
    await writeEmbeddingsFile(join(dir, 'e.bin'), example);
    expect(await readEmbeddingsHeader(join(dir, 'e.bin'))).toEqual({
      count: 2,
      dim: 2,
      ids: ['a', 'bc'],
      dataOffset: 36,
    });
    const empty = decodeEmbeddings(encodeEmbeddings(createEmbeddings([], 3, [])));
    expect(empty.ids).toEqual([]);
    expect(empty.dim).toBe(3);
  });

  it('rejects files that do not follow the layout, naming the file and the problem', async () => {
    const bad = (mutate: (bytes: Uint8Array) => Uint8Array) => () =>
      decodeEmbeddings(mutate(EXPECTED.slice()), 'e.bin');
    expect(bad((b) => b.subarray(0, 10))).toThrow(
      'Error in decodeEmbeddings: e.bin must be a topk embeddings file of at least 24 bytes, got "10 bytes"',
    );
    expect(
      bad((b) => {
        b[0] = 0x50;
        return b;
      }),
    ).toThrow('must be a topk embeddings file (magic "TOPKEMB\\0"), got "magic 50 4f 50 4b 45 4d 42 00"');
    expect(
      bad((b) => {
        b[8] = 2;
        return b;
      }),
    ).toThrow('must be format version 1, got "version 2"');
    expect(
      bad((b) => {
        b[16] = 0;
        return b;
      }),
    ).toThrow('must be a dim of at least 1, got "dim 0"');
    expect(bad((b) => b.subarray(0, b.length - 4))).toThrow(
      'must be 52 bytes for 2 × 2 float32 values after 10 bytes of ids, got "48 bytes"',
    );
    expect(
      bad((b) => {
        b[12] = 3; // count 3 but only 2 rows of data
        return b;
      }),
    ).toThrow('must be 60 bytes for 3 × 2');
    expect(
      bad((b) => {
        b[25] = 0x7b; // `[{a","bc"]`
        return b;
      }),
    ).toThrow('must be ids as UTF-8 JSON');
    expect(
      bad((b) => {
        b.set(new TextEncoder().encode('["a",12]  '), 24);
        return b;
      }),
    ).toThrow('must be ids: a JSON array of 2 strings, got array of length 2');
    const twoIdsOneRow = encodeEmbeddings(createEmbeddings(['a', 'bc'], 1, [1, 2]));
    twoIdsOneRow[12] = 1;
    expect(() => decodeEmbeddings(twoIdsOneRow.subarray(0, twoIdsOneRow.length - 4), 'e.bin')).toThrow(
      'must be ids: a JSON array of 1 strings, got array of length 2',
    );
    const duplicate = encodeEmbeddings(createEmbeddings(['a', 'b'], 1, [1, 2]));
    duplicate.set(new TextEncoder().encode('["a","a"]'), 24);
    expect(() => decodeEmbeddings(duplicate)).toThrow('Error in createEmbeddings: ids[1] must be unique');
    const nan = EXPECTED.slice();
    nan.set([0, 0, 0xc0, 0x7f], 36);
    expect(() => decodeEmbeddings(nan)).toThrow('must be a finite number, got NaN');
    expect(() => decodeEmbeddings('x' as never)).toThrow(
      'Error in decodeEmbeddings: bytes must be a Uint8Array, got "x"',
    );
    expect(() => decodeEmbeddings(EXPECTED.subarray(0, 4))).toThrow(
      'Error in decodeEmbeddings: bytes must be a topk embeddings file of at least 24 bytes',
    );
    const text = join(dir, 'text.bin');
    await writeFile(text, 'id,a\n1,2\n');
    await expect(readEmbeddingsFile(text)).rejects.toThrow(
      `Error in decodeEmbeddings: ${text} must be a topk embeddings file`,
    );
    await expect(readEmbeddingsFile('')).rejects.toThrow(
      'Error in readEmbeddingsFile: path must be a file path, got ""',
    );
  });

  it('checks the header and the size of a file without reading its vectors', async () => {
    const short = join(dir, 'short.bin');
    await writeFile(short, EXPECTED.subarray(0, 30));
    await expect(readEmbeddingsHeader(short)).rejects.toThrow(
      `Error in readEmbeddingsHeader: ${short} must be 52 bytes for 2 × 2 float32 values after 10 bytes of ids, got "30 bytes"`,
    );
    const tiny = join(dir, 'tiny.bin');
    await writeFile(tiny, EXPECTED.subarray(0, 3));
    await expect(readEmbeddingsHeader(tiny)).rejects.toThrow('of at least 24 bytes, got "3 bytes"');
    const wrongMagic = EXPECTED.slice();
    wrongMagic[0] = 0x58;
    await writeFile(join(dir, 'magic.bin'), wrongMagic);
    await expect(readEmbeddingsHeader(join(dir, 'magic.bin'))).rejects.toThrow(
      'got "magic 58 4f 50 4b 45 4d 42 00"',
    );
    await expect(readEmbeddingsHeader('')).rejects.toThrow(
      'Error in readEmbeddingsHeader: path must be a file path',
    );
  });

  it('checks embeddings and the path before writing', async () => {
    const forged = { ids: ['a'], dim: 2, vectors: new Float32Array(3) };
    expect(() => encodeEmbeddings(forged)).toThrow(
      'Error in createEmbeddings: vectors must be of length ids.length × dim',
    );
    await expect(writeEmbeddingsFile(join(dir, 'x.bin'), forged)).rejects.toThrow(
      'vectors must be of length',
    );
    expect(() => encodeEmbeddings(null as never)).toThrow(
      'Error in encodeEmbeddings: embeddings must be Embeddings from createEmbeddings, got null',
    );
    await expect(writeEmbeddingsFile('', example)).rejects.toThrow(
      'Error in writeEmbeddingsFile: path must be a file path',
    );
    expect((await readdir(dir)).filter((name) => name.startsWith('x.bin'))).toEqual([]);
  });
});
