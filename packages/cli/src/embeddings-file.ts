import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '@topk/core';
import { createEmbeddings, type Embeddings } from '@topk/ensembling';

/**
 * The first 8 bytes of a topk embeddings file, as ASCII: `TOPKEMB` and a zero byte.
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

const MAGIC_BYTES = new TextEncoder().encode(EMBEDDINGS_MAGIC);

/** Version written by {@link encodeEmbeddings}. */
export const EMBEDDINGS_FORMAT_VERSION = 1;

const HEADER_BYTES = 24;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkEmbeddings(fn: string, embeddings: Embeddings): Embeddings {
  if (typeof embeddings !== 'object' || embeddings === null) {
    throw new InvalidArgumentError(fn, 'embeddings', 'Embeddings from createEmbeddings', embeddings);
  }
  // createEmbeddings checks ids, dim, length and finiteness; it does not copy a Float32Array.
  return createEmbeddings(embeddings.ids, embeddings.dim, embeddings.vectors);
}

function header(embeddings: Embeddings): { readonly head: Uint8Array; readonly dataOffset: number } {
  const ids = new TextEncoder().encode(JSON.stringify(embeddings.ids));
  const dataOffset = Math.ceil((HEADER_BYTES + ids.length) / 4) * 4;
  const head = new Uint8Array(dataOffset);
  head.set(MAGIC_BYTES, 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, EMBEDDINGS_FORMAT_VERSION, true);
  view.setUint32(12, embeddings.ids.length, true);
  view.setUint32(16, embeddings.dim, true);
  view.setUint32(20, ids.length, true);
  head.set(ids, HEADER_BYTES);
  return { head, dataOffset };
}

function vectorBytes(vectors: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const out = new Uint8Array(vectors.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < vectors.length; i++) view.setFloat32(i * 4, vectors[i]!, true);
  return out;
}

/** The bytes of an embeddings file (layout in {@link EMBEDDINGS_MAGIC}). */
export function encodeEmbeddings(embeddings: Embeddings): Uint8Array {
  const checked = checkEmbeddings('encodeEmbeddings', embeddings);
  const { head, dataOffset } = header(checked);
  const out = new Uint8Array(dataOffset + checked.vectors.byteLength);
  out.set(head, 0);
  out.set(vectorBytes(checked.vectors), dataOffset);
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
  const fail = (expected: string, received: unknown): never => {
    throw new InvalidArgumentError(fn, name, expected, received);
  };
  if (bytes.length < HEADER_BYTES)
    fail(`a topk embeddings file of at least ${HEADER_BYTES} bytes`, `${bytes.length} bytes`);
  if (!MAGIC_BYTES.every((b, i) => bytes[i] === b)) {
    fail(
      'a topk embeddings file (magic "TOPKEMB\\0")',
      `magic ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== EMBEDDINGS_FORMAT_VERSION)
    fail(`format version ${EMBEDDINGS_FORMAT_VERSION}`, `version ${version}`);
  const count = view.getUint32(12, true);
  const dim = view.getUint32(16, true);
  const idsLength = view.getUint32(20, true);
  if (dim < 1) fail('a dim of at least 1', `dim ${dim}`);
  const dataOffset = Math.ceil((HEADER_BYTES + idsLength) / 4) * 4;
  const expected = dataOffset + count * dim * 4;
  if (bytes.length !== expected) {
    fail(
      `${expected} bytes for ${count} × ${dim} float32 values after ${idsLength} bytes of ids`,
      `${bytes.length} bytes`,
    );
  }
  let ids: unknown;
  try {
    ids = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(HEADER_BYTES, HEADER_BYTES + idsLength),
      ),
    );
  } catch (error) {
    fail('ids as UTF-8 JSON', (error as Error).message);
  }
  if (!Array.isArray(ids) || ids.length !== count) fail(`ids: a JSON array of ${count} strings`, ids);
  const start = bytes.byteOffset + dataOffset;
  let vectors: Float32Array;
  if (LITTLE_ENDIAN && start % 4 === 0) vectors = new Float32Array(bytes.buffer, start, count * dim);
  else {
    vectors = new Float32Array(count * dim);
    for (let i = 0; i < vectors.length; i++) vectors[i] = view.getFloat32(dataOffset + i * 4, true);
  }
  return createEmbeddings(ids as string[], dim, vectors);
}

/**
 * Writes an embeddings file: the header, then the vectors straight from their array (no copy into one
 * buffer), into a temporary file renamed into place. Missing parent folders are created.
 *
 * @param path - the file to write.
 */
export async function writeEmbeddingsFile(path: string, embeddings: Embeddings): Promise<void> {
  const checked = checkEmbeddings('writeEmbeddingsFile', embeddings);
  const { head } = header(checked);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(head);
    await handle.write(vectorBytes(checked.vectors));
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/** Reads an embeddings file written by {@link writeEmbeddingsFile} (or anything following the layout). */
export async function readEmbeddingsFile(path: string): Promise<Embeddings> {
  const buffer = await readFile(path);
  return decodeEmbeddings(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path);
}
