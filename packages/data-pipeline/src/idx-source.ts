import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { createDataset } from './dataset.js';
import { isNode, readSourceBytes } from './read-source.js';
import type { Dataset, DatasetItem } from './types.js';

/** Element types of the IDX format, by their type byte. */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX file: its element type, its dimensions and its values. */
export interface IdxArray {
  readonly dataType: IdxDataType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { readonly type: IdxDataType; readonly bytes: number }> = {
  8: { type: 'uint8', bytes: 1 },
  9: { type: 'int8', bytes: 1 },
  11: { type: 'int16', bytes: 2 },
  12: { type: 'int32', bytes: 4 },
  13: { type: 'float32', bytes: 4 },
  14: { type: 'float64', bytes: 8 },
};

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (isNode()) {
    const { gunzip: gunzipCallback } = await import('node:zlib');
    const { promisify } = await import('node:util');
    const out = await promisify(gunzipCallback)(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Parses an IDX file (the MNIST / Fashion-MNIST format, LeCun et al.): two zero bytes, a type byte, the
 * number of dimensions, the dimensions as big-endian 32-bit integers, then the values, big-endian.
 * Gzipped files (as distributed, `.gz`) are recognised by their magic bytes and inflated first.
 *
 * @param source - a file path (a URL in a browser) or the file's bytes.
 */
export async function readIdx(source: string | Uint8Array): Promise<IdxArray> {
  const fn = 'readIdx';
  if (!(typeof source === 'string' && source.length > 0) && !(source instanceof Uint8Array)) {
    throw new InvalidArgumentError(fn, 'source', 'a file path or the bytes of an IDX file', source);
  }
  let bytes = typeof source === 'string' ? await readSourceBytes(source) : source;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes);
  const name = typeof source === 'string' ? source : 'source';
  const type = bytes.length >= 4 ? TYPES[bytes[2]!] : undefined;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || bytes[3] === 0) {
    throw new InvalidArgumentError(
      fn,
      name,
      'an IDX file (magic 00 00 <type> <dims>)',
      bytes.length < 4
        ? `${bytes.length} bytes`
        : `magic ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    );
  }
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new InvalidArgumentError(fn, name, `a header of ${headerBytes} bytes`, `${bytes.length} bytes`);
  const shape = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    throw new InvalidArgumentError(
      fn,
      name,
      `${expected} bytes for shape [${shape.join(', ')}] of ${type.type}`,
      `${bytes.length} bytes`,
    );
  }
  const body = bytes.subarray(headerBytes);
  let data: IdxArray['data'];
  switch (type.type) {
    case 'uint8':
      data = body;
      break;
    case 'int8':
      data = new Int8Array(body.buffer, body.byteOffset, count);
      break;
    default: {
      // Multi-byte values are big-endian; typed arrays use the platform's order, so read them one by one.
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
        type.type
      ];
      const read = {
        int16: (o: number) => view.getInt16(o, false),
        int32: (o: number) => view.getInt32(o, false),
        float32: (o: number) => view.getFloat32(o, false),
        float64: (o: number) => view.getFloat64(o, false),
      }[type.type];
      const out = new Ctor(count);
      for (let i = 0; i < count; i++) out[i] = read(headerBytes + i * type.bytes);
      data = out;
    }
  }
  return { dataType: type.type, shape, data };
}

/** Options of {@link fromIdx}. */
export interface IdxSourceOptions {
  /**
   * Names of the label values 0, 1, 2, … (e.g. Fashion-MNIST's `'T-shirt/top'`, `'Trouser'`, …). The
   * vocabulary keeps the file's order, so class `i` stays label `i`.
   * @defaultValue `'0'`, `'1'`, … up to the largest label
   */
  readonly classNames?: readonly string[];
  /** Prefix of the item ids (`${idPrefix}${index}`), to keep ids of a train and a test file apart. @defaultValue '' */
  readonly idPrefix?: string;
}

/**
 * A dataset from an IDX image file (`[N, H, W]` or `[N, H, W, C]` uint8) and an optional IDX label file
 * (`[N]` uint8), gzipped or not. The pixels stay in one buffer that items view into.
 *
 * @param images - the images file (path or bytes).
 * @param labels - the labels file (path or bytes); without it the dataset is unlabelled.
 *
 * @example
 * ```ts
 * const train = await fromIdx(
 *   '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz',
 *   '/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz',
 *   { idPrefix: 'train-' },
 * );
 * ```
 */
export async function fromIdx(
  images: string | Uint8Array,
  labels?: string | Uint8Array,
  options: IdxSourceOptions = {},
): Promise<Dataset> {
  const fn = 'fromIdx';
  const { classNames, idPrefix = '' } = options;
  if (typeof idPrefix !== 'string')
    throw new InvalidArgumentError(fn, 'options.idPrefix', 'a string', idPrefix);
  const pixels = await readIdx(images);
  if (pixels.dataType !== 'uint8' || (pixels.shape.length !== 3 && pixels.shape.length !== 4)) {
    throw new InvalidArgumentError(
      fn,
      'images',
      'IDX uint8 images of shape [N, H, W] or [N, H, W, C]',
      `${pixels.dataType} [${pixels.shape.join(', ')}]`,
    );
  }
  const [n, height, width, channels = 1] = pixels.shape as [number, number, number, number?];
  if (channels < 1 || channels > 4) throw new InvalidArgumentError(fn, 'images', '1 to 4 channels', channels);
  let labelValues: Uint8Array | undefined;
  if (labels !== undefined) {
    const parsed = await readIdx(labels);
    if (parsed.dataType !== 'uint8' || parsed.shape.length !== 1 || parsed.shape[0] !== n) {
      throw new InvalidArgumentError(
        fn,
        'labels',
        `IDX uint8 labels of shape [${n}]`,
        `${parsed.dataType} [${parsed.shape.join(', ')}]`,
      );
    }
    labelValues = parsed.data as Uint8Array;
  }
  let vocabulary: ClassVocabulary | undefined;
  if (labelValues !== undefined) {
    const largest = labelValues.reduce((a, b) => Math.max(a, b), 0);
    if (classNames !== undefined) {
      if (!Array.isArray(classNames) || classNames.length <= largest) {
        throw new InvalidArgumentError(
          fn,
          'options.classNames',
          `at least ${largest + 1} names (labels go up to ${largest})`,
          classNames,
        );
      }
      vocabulary = new ClassVocabulary(classNames, { sort: false });
    } else {
      vocabulary = new ClassVocabulary(
        Array.from({ length: largest + 1 }, (_, i) => String(i)),
        { sort: false },
      );
    }
  }
  const data = pixels.data as Uint8Array;
  const size = height * width * channels;
  const items: DatasetItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const source = { data: data.subarray(i * size, (i + 1) * size), height, width, channels };
    items[i] = labelValues
      ? { id: `${idPrefix}${i}`, source, label: labelValues[i]! }
      : { id: `${idPrefix}${i}`, source };
  }
  return createDataset(items, vocabulary ? { vocabulary } : {});
}
