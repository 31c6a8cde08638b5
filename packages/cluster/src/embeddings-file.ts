import { dirname } from 'node:path';
import { InvalidArgumentError } from '@topk/core';
import { createEmbeddings, type Embeddings } from '@topk/ensembling';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The first 8 bytes of a topk embeddings file, as ASCII: `TOPKEMB` and a zero byte. `topk embed` writes
 * this format, `topk retrieve` and {@link mergeEmbeddings} read it.
 *
 * The whole layout (every integer an unsigned 32-bit little-endian number):
 *
 * | offset | bytes | field |
 * | --- | --- | --- |
 * | 0 | 8 | magic `54 4f 50 4b 45 4d 42 00` (`TOPKEMB\0`) |
 * | 8 | 4 | format version, 1 |
 * | 12 | 4 | `count`: rows |
 * | 16 | 4 | `dim`: values per row, at least 1 |
 * | 20 | 4 | `idsLength`: bytes of the ids |
 * | 24 | `idsLength` | the ids: a UTF-8 JSON array of `count` unique non-empty strings |
 * | … | 0–3 | zero bytes, so the vectors start at a multiple of 4 |
 * | … | `count × dim × 4` | the vectors: float32 little-endian, row-major (row `i` is the vector of id `i`) |
 *
 * Nothing follows the vectors. The header is small and the vectors are one aligned block, so a reader
 * maps them straight into a `Float32Array` (and numpy reads them with `np.frombuffer(..., '<f4', offset=...)`).
 */
export const EMBEDDINGS_MAGIC = 'TOPKEMB\u0000';

/** The format version {@link encodeEmbeddings} writes. */
export const EMBEDDINGS_FORMAT_VERSION = 1;

const MAGIC_BYTES = new TextEncoder().encode(EMBEDDINGS_MAGIC);
const HEADER_BYTES = 24;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An embeddings file's header: what {@link readEmbeddingsHeader} reads without touching the vectors. */
export interface EmbeddingsHeader {
  readonly count: number;
  readonly dim: number;
  readonly ids: readonly string[];
  /** Byte offset of the first float. */
  readonly dataOffset: number;
}

function dataOffsetAfter(idsLength: number): number {
  return Math.ceil((HEADER_BYTES + idsLength) / 4) * 4;
}

function checkPath(fn: string, path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(fn, 'path', 'a file path', path);
  }
  return path;
}

function checkEmbeddings(fn: string, embeddings: Embeddings): Embeddings {
  if (typeof embeddings !== 'object' || embeddings === null) {
    throw new InvalidArgumentError(fn, 'embeddings', 'Embeddings from createEmbeddings', embeddings);
  }
  // createEmbeddings checks ids, dim, length and finiteness; it does not copy a Float32Array.
  return createEmbeddings(embeddings.ids, embeddings.dim, embeddings.vectors);
}

function vectorBytes(vectors: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const out = new Uint8Array(vectors.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < vectors.length; i++) view.setFloat32(i * 4, vectors[i]!, true);
  return out;
}

/**
 * The header bytes (padding included) of a file holding `ids` with vectors of `dim` floats, for writers
 * that stream the vectors after it (as {@link mergeEmbeddings} does shard by shard).
 */
export function encodeEmbeddingsHeader(ids: readonly string[], dim: number): Uint8Array {
  const idBytes = new TextEncoder().encode(JSON.stringify(ids));
  const head = new Uint8Array(dataOffsetAfter(idBytes.length));
  head.set(MAGIC_BYTES, 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, EMBEDDINGS_FORMAT_VERSION, true);
  view.setUint32(12, ids.length, true);
  view.setUint32(16, dim, true);
  view.setUint32(20, idBytes.length, true);
  head.set(idBytes, HEADER_BYTES);
  return head;
}

/**
 * Checks the header of a file of `size` bytes whose first bytes are `head` (at least the 24 fixed bytes
 * and the ids, or the whole file when it is shorter). Errors name `fn` and `name` (the file).
 */
function parseHeader(fn: string, name: string, head: Uint8Array, size: number): EmbeddingsHeader {
  const fail = (expected: string, received: unknown): never => {
    throw new InvalidArgumentError(fn, name, expected, received);
  };
  if (size < HEADER_BYTES) fail(`a topk embeddings file of at least ${HEADER_BYTES} bytes`, `${size} bytes`);
  if (!MAGIC_BYTES.every((b, i) => head[i] === b)) {
    fail(
      'a topk embeddings file (magic "TOPKEMB\\0")',
      `magic ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    );
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(8, true);
  if (version !== EMBEDDINGS_FORMAT_VERSION)
    fail(`format version ${EMBEDDINGS_FORMAT_VERSION}`, `version ${version}`);
  const count = view.getUint32(12, true);
  const dim = view.getUint32(16, true);
  const idsLength = view.getUint32(20, true);
  if (dim < 1) fail('a dim of at least 1', `dim ${dim}`);
  const dataOffset = dataOffsetAfter(idsLength);
  const expected = dataOffset + count * dim * 4;
  if (size !== expected) {
    fail(
      `${expected} bytes for ${count} × ${dim} float32 values after ${idsLength} bytes of ids`,
      `${size} bytes`,
    );
  }
  let ids: unknown;
  try {
    ids = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(HEADER_BYTES, HEADER_BYTES + idsLength)),
    );
  } catch (error) {
    fail('ids as UTF-8 JSON', (error as Error).message);
  }
  if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => typeof id === 'string')) {
    fail(`ids: a JSON array of ${count} strings`, ids);
  }
  return { count, dim, ids: ids as string[], dataOffset };
}

/**
 * The bytes of an embeddings file (layout in {@link EMBEDDINGS_MAGIC}).
 *
 * @param embeddings - from `createEmbeddings` of `@topk/ensembling`; checked again here.
 */
export function encodeEmbeddings(embeddings: Embeddings): Uint8Array {
  const checked = checkEmbeddings('encodeEmbeddings', embeddings);
  const head = encodeEmbeddingsHeader(checked.ids, checked.dim);
  const out = new Uint8Array(head.length + checked.vectors.byteLength);
  out.set(head, 0);
  out.set(vectorBytes(checked.vectors), head.length);
  return out;
}

/**
 * Reads the bytes of an embeddings file, checking every field. On little-endian machines the vectors
 * are a view into `bytes` when it is 4-byte aligned (no copy).
 *
 * @param bytes - the whole file.
 * @param name - the file's name, for messages. @defaultValue 'bytes'
 */
export function decodeEmbeddings(bytes: Uint8Array, name = 'bytes'): Embeddings {
  const fn = 'decodeEmbeddings';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', 'a Uint8Array', bytes);
  const { count, dim, ids, dataOffset } = parseHeader(fn, name, bytes, bytes.length);
  const start = bytes.byteOffset + dataOffset;
  let vectors: Float32Array;
  if (LITTLE_ENDIAN && start % 4 === 0) vectors = new Float32Array(bytes.buffer, start, count * dim);
  else {
    vectors = new Float32Array(count * dim);
    const view = new DataView(bytes.buffer, start, count * dim * 4);
    for (let i = 0; i < vectors.length; i++) vectors[i] = view.getFloat32(i * 4, true);
  }
  return createEmbeddings(ids, dim, vectors);
}

/**
 * Reads only the header (count, dim, ids) of an embeddings file, checking it and the file's size, e.g. to
 * merge files without loading their vectors.
 *
 * @param path - the file to read.
 */
export async function readEmbeddingsHeader(path: string): Promise<EmbeddingsHeader> {
  const fn = 'readEmbeddingsHeader';
  checkPath(fn, path);
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const fixed = new Uint8Array(HEADER_BYTES);
    await handle.read(fixed, 0, Math.min(size, HEADER_BYTES), 0);
    const idsLength = new DataView(fixed.buffer).getUint32(20, true);
    const head = new Uint8Array(Math.min(size, HEADER_BYTES + idsLength));
    await handle.read(head, 0, head.length, 0);
    return parseHeader(fn, path, head, size);
  } finally {
    await handle.close();
  }
}

/**
 * Reads an embeddings file written by {@link writeEmbeddingsFile} (or anything following the layout);
 * errors name the file.
 *
 * @param path - the file to read.
 */
export async function readEmbeddingsFile(path: string): Promise<Embeddings> {
  checkPath('readEmbeddingsFile', path);
  const { readFile } = await import('node:fs/promises');
  const buffer = await readFile(path);
  return decodeEmbeddings(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
}

/**
 * Writes an embeddings file: the header, then the vectors straight from their array (not copied into
 * one buffer), under a temporary name renamed into place, so readers never see half a file. Missing
 * parent folders are created.
 *
 * @param path - the file to write.
 */
export async function writeEmbeddingsFile(path: string, embeddings: Embeddings): Promise<void> {
  const fn = 'writeEmbeddingsFile';
  checkPath(fn, path);
  const checked = checkEmbeddings(fn, embeddings);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, [
    encodeEmbeddingsHeader(checked.ids, checked.dim),
    vectorBytes(checked.vectors),
  ]);
}
