import { InvalidArgumentError } from '@topk/core';
import { createEmbeddings, type Embeddings } from '@topk/ensembling';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The first 8 bytes of an embeddings file: `TOPKEMB` and a zero byte. The layout is the one the `topk`
 * CLI writes (all integers little-endian uint32):
 *
 * | offset | bytes | content |
 * | --- | --- | --- |
 * | 0 | 8 | `TOPKEMB\0` |
 * | 8 | 4 | format version, 1 |
 * | 12 | 4 | count (rows) |
 * | 16 | 4 | dim (floats per row) |
 * | 20 | 4 | byte length L of the ids |
 * | 24 | L | the ids as a UTF-8 JSON array of strings |
 * | 24 + L | 0–3 | zero padding to a multiple of 4 |
 * | data offset | 4 × count × dim | float32 little-endian, row-major |
 */
export const EMBEDDINGS_MAGIC = 'TOPKEMB\u0000';

/** The format version {@link encodeEmbeddings} writes. */
export const EMBEDDINGS_FORMAT_VERSION = 1;

const HEADER_BYTES = 24;

/** An embeddings file's header: what {@link readEmbeddingsHeader} reads without touching the vectors. */
export interface EmbeddingsHeader {
  readonly count: number;
  readonly dim: number;
  readonly ids: readonly string[];
  /** Byte offset of the first float. */
  readonly dataOffset: number;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function headerBytes(ids: readonly string[], dim: number): Uint8Array {
  const idBytes = new TextEncoder().encode(JSON.stringify(ids));
  const dataOffset = HEADER_BYTES + idBytes.length + ((4 - (idBytes.length % 4)) % 4);
  const header = new Uint8Array(dataOffset);
  header.set(new TextEncoder().encode(EMBEDDINGS_MAGIC), 0);
  const view = new DataView(header.buffer);
  view.setUint32(8, EMBEDDINGS_FORMAT_VERSION, true);
  view.setUint32(12, ids.length, true);
  view.setUint32(16, dim, true);
  view.setUint32(20, idBytes.length, true);
  header.set(idBytes, HEADER_BYTES);
  return header;
}

function floatBytes(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function bytesToFloats(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  if (littleEndian) new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/**
 * Encodes embeddings (ids and float32 vectors) in topk's binary embeddings format (see
 * {@link EMBEDDINGS_MAGIC} for the layout): a small header with the ids as JSON, then the vectors as
 * raw little-endian float32, so a reader can map or stream the vectors without parsing text.
 *
 * @param embeddings - from `createEmbeddings` of `@topk/ensembling`.
 */
export function encodeEmbeddings(embeddings: Embeddings): Uint8Array {
  const checked = checkEmbeddings('encodeEmbeddings', embeddings);
  const header = headerBytes(checked.ids, checked.dim);
  const out = new Uint8Array(header.length + checked.vectors.byteLength);
  out.set(header, 0);
  out.set(floatBytes(checked.vectors), header.length);
  return out;
}

function checkEmbeddings(fn: string, embeddings: Embeddings): Embeddings {
  if (typeof embeddings !== 'object' || embeddings === null) {
    throw new InvalidArgumentError(fn, 'embeddings', 'embeddings { ids, dim, vectors }', embeddings);
  }
  return createEmbeddings(embeddings.ids, embeddings.dim, embeddings.vectors);
}

function parseHeader(fn: string, bytes: Uint8Array, what: string): EmbeddingsHeader {
  const invalid = (expected: string, got: unknown) =>
    new InvalidArgumentError(fn, what, `a topk embeddings file (${expected})`, got);
  if (bytes.length < HEADER_BYTES) throw invalid(`at least ${HEADER_BYTES} bytes`, bytes);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== EMBEDDINGS_MAGIC) throw invalid('starting with TOPKEMB and a zero byte', magic);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== EMBEDDINGS_FORMAT_VERSION)
    throw invalid(`format version ${EMBEDDINGS_FORMAT_VERSION}`, version);
  const count = view.getUint32(12, true);
  const dim = view.getUint32(16, true);
  const idLength = view.getUint32(20, true);
  if (dim < 1) throw invalid('dim >= 1', dim);
  if (HEADER_BYTES + idLength > bytes.length) throw invalid(`${idLength} bytes of ids`, bytes);
  let ids: unknown;
  try {
    ids = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + idLength)));
  } catch {
    throw invalid('ids as a JSON array', 'text that is not JSON');
  }
  if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => typeof id === 'string')) {
    throw invalid(`${count} string ids`, ids);
  }
  return { count, dim, ids, dataOffset: HEADER_BYTES + idLength + ((4 - (idLength % 4)) % 4) };
}

/**
 * Decodes {@link encodeEmbeddings}' format; checks the magic, the ids and the length.
 *
 * @param bytes - a whole file.
 */
export function decodeEmbeddings(bytes: Uint8Array): Embeddings {
  const fn = 'decodeEmbeddings';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', 'a Uint8Array', bytes);
  const header = parseHeader(fn, bytes, 'bytes');
  const floats = header.count * header.dim;
  const expected = header.dataOffset + floats * 4;
  if (bytes.length !== expected) {
    throw new InvalidArgumentError(
      fn,
      'bytes',
      `a topk embeddings file of ${expected} bytes (${header.count} × ${header.dim} floats)`,
      bytes,
    );
  }
  return createEmbeddings(header.ids, header.dim, bytesToFloats(bytes.subarray(header.dataOffset), floats));
}

/** Reads only the header (count, dim, ids) of an embeddings file, e.g. to merge files without loading vectors. */
export async function readEmbeddingsHeader(path: string): Promise<EmbeddingsHeader> {
  const fn = 'readEmbeddingsHeader';
  if (typeof path !== 'string' || path.length === 0)
    throw new InvalidArgumentError(fn, 'path', 'a file path', path);
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const fixed = new Uint8Array(HEADER_BYTES);
    await handle.read(fixed, 0, HEADER_BYTES, 0);
    const idLength = new DataView(fixed.buffer).getUint32(20, true);
    const { size } = await handle.stat();
    const length = Math.min(size, HEADER_BYTES + idLength);
    const head = new Uint8Array(length);
    await handle.read(head, 0, length, 0);
    const header = parseHeader(fn, head, `the file ${path}`);
    const expected = header.dataOffset + header.count * header.dim * 4;
    if (size !== expected) {
      throw new InvalidArgumentError(
        fn,
        `the file ${path}`,
        `a topk embeddings file of ${expected} bytes`,
        size,
      );
    }
    return header;
  } finally {
    await handle.close();
  }
}

/** Reads an embeddings file written by {@link writeEmbeddingsFile}. */
export async function readEmbeddingsFile(path: string): Promise<Embeddings> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError('readEmbeddingsFile', 'path', 'a file path', path);
  }
  const { readFile } = await import('node:fs/promises');
  return decodeEmbeddings(new Uint8Array(await readFile(path)));
}

/** Writes embeddings in topk's binary format, atomically (temporary name, then rename). */
export async function writeEmbeddingsFile(path: string, embeddings: Embeddings): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError('writeEmbeddingsFile', 'path', 'a file path', path);
  }
  await writeFileAtomic(path, encodeEmbeddings(embeddings));
}

/** The header bytes of a file holding `ids` with vectors of `dim` floats, for writers that stream the vectors. */
export function encodeEmbeddingsHeader(ids: readonly string[], dim: number): Uint8Array {
  return headerBytes(ids, dim);
}
