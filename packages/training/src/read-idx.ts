import { InvalidArgumentError } from '@topk/core';

/** An array read by {@link readIdx}. */
export interface IdxData {
  /** Dimensions, outermost first (e.g. `[3000, 28, 28]` for images, `[3000]` for labels). */
  readonly shape: readonly number[];
  /** The values, row-major. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

type IdxArrayType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Readonly<Record<number, readonly [IdxArrayType, number]>> = {
  8: ['uint8', 1],
  9: ['int8', 1],
  11: ['int16', 2],
  12: ['int32', 4],
  13: ['float32', 4],
  14: ['float64', 8],
};

/**
 * Parses an IDX file (LeCun's MNIST format, also Fashion-MNIST's): magic `0 0 type rank`, `rank` big-endian
 * uint32 dimensions, then big-endian values. Gzipped bytes (`.gz`, magic `1f 8b`) are inflated first with
 * Node's zlib. `@topk/data-pipeline` has a streaming IDX source; this small reader is for in-memory data.
 * @param bytes - the file's content.
 */
export async function readIdx(bytes: Uint8Array): Promise<IdxData> {
  const fn = 'readIdx';
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(fn, 'bytes', 'a Uint8Array', bytes);
  let raw = bytes;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    const { gunzipSync } = await import('node:zlib');
    raw = new Uint8Array(gunzipSync(raw));
  }
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    throw new InvalidArgumentError(fn, 'bytes', 'IDX data starting with two zero bytes', raw);
  }
  const type = TYPES[raw[2]!];
  if (type === undefined) {
    throw new InvalidArgumentError(fn, 'bytes[2]', 'an IDX type code (0x08, 0x09, 0x0b-0x0e)', raw[2]);
  }
  const rank = raw[3]!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || raw.length < headerLength) {
    throw new InvalidArgumentError(fn, 'bytes', `an IDX header of ${rank} dimensions`, raw);
  }
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const [name, width] = type;
  if (raw.length !== headerLength + count * width) {
    throw new InvalidArgumentError(
      fn,
      'bytes',
      `${headerLength + count * width} bytes for shape [${shape}] of ${name}`,
      `${raw.length} bytes`,
    );
  }
  const at = (i: number) => headerLength + i * width;
  let data: IdxData['data'];
  switch (name) {
    case 'uint8':
      data = raw.slice(headerLength);
      break;
    case 'int8':
      data = new Int8Array(raw.slice(headerLength).buffer);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => view.getInt16(at(i), false));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => view.getInt32(at(i), false));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(at(i), false));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(at(i), false));
      break;
  }
  return { shape, data };
}
