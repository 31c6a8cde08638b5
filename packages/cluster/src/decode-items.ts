import { InvalidArgumentError } from '@topk/core';
import {
  type DecodedImage,
  type DecodeRequest,
  decodeImage,
  type ImageDecoder,
  type ImageSource,
  type QuarantineCode,
  type QuarantinedItem,
} from '@topk/data-pipeline';
import type { ShardItemInput } from './run-layout.js';

/** How a model wants its images decoded: channels and a deterministic resize (no random crops). */
export type ItemDecodeRequest = Omit<DecodeRequest, 'rng' | 'box'>;

/** Decoded images of a batch, with the items that could not be decoded set aside. */
export interface DecodedBatch {
  readonly ids: string[];
  readonly images: DecodedImage[];
  readonly quarantined: QuarantinedItem[];
}

function quarantineCode(error: unknown): QuarantineCode | undefined {
  const e = error as { code?: unknown; quarantineCode?: unknown } | null;
  // By code rather than instanceof: a worker may load the data pipeline from source and from dist.
  return e !== null &&
    typeof e === 'object' &&
    e.code === 'IMAGE_DECODE' &&
    typeof e.quarantineCode === 'string'
    ? (e.quarantineCode as QuarantineCode)
    : undefined;
}

/**
 * Decodes a batch of items in parallel. A bad image (missing, truncated, not an image, …) is
 * quarantined with the data pipeline's code and reason; any other error (a bad request) is thrown.
 */
export async function decodeItems(
  items: readonly ShardItemInput[],
  request: ItemDecodeRequest,
  decoder: ImageDecoder | undefined,
): Promise<DecodedBatch> {
  const outcomes = await Promise.all(
    items.map(async (item): Promise<DecodedImage | QuarantinedItem> => {
      const { source } = item;
      if (source === undefined || source === '') {
        return { id: item.id, code: 'missing', reason: 'the item has no source' };
      }
      try {
        return await decodeImage(source as ImageSource, {
          ...request,
          ...(item.box !== undefined ? { box: item.box } : {}),
          ...(decoder !== undefined ? { decoder } : {}),
        });
      } catch (error) {
        const code = quarantineCode(error);
        if (code === undefined) throw error;
        const reason = (error as Error).message;
        return typeof source === 'string'
          ? { id: item.id, path: source, code, reason }
          : { id: item.id, code, reason };
      }
    }),
  );
  const batch: DecodedBatch = { ids: [], images: [], quarantined: [] };
  outcomes.forEach((outcome, i) => {
    if ('data' in outcome) {
      batch.ids.push(items[i]!.id);
      batch.images.push(outcome);
    } else batch.quarantined.push(outcome as QuarantinedItem);
  });
  return batch;
}

/** Checks a batch size option. */
export function checkBatchSize(fn: string, batchSize: unknown): number {
  if (!Number.isSafeInteger(batchSize) || (batchSize as number) < 1) {
    throw new InvalidArgumentError(fn, 'options.batchSize', 'a positive integer', batchSize);
  }
  return batchSize as number;
}

/** A batch function over decoded images, returning `width` floats per image (row-major). */
export interface RowModel {
  /** What to call the function in an error message, e.g. `Predictor.predict`. */
  readonly name: string;
  /** What its values are, for the error message, e.g. `probabilities`. */
  readonly unit: string;
  readonly width: number;
  readonly decode: ItemDecodeRequest;
  run(images: readonly DecodedImage[]): Promise<Float32Array> | Float32Array;
}

/**
 * Decodes items in batches (bad images quarantined), runs `model` on each batch and concatenates its rows
 * in the items' order: the loop behind `predictItems` and `embedItems`.
 */
export async function rowsOfItems(
  items: readonly ShardItemInput[],
  model: RowModel,
  options: {
    readonly batchSize: number;
    readonly decoder?: ImageDecoder;
    readonly onProgress?: (done: number) => void;
  },
): Promise<{ readonly ids: string[]; readonly rows: Float32Array; readonly quarantined: QuarantinedItem[] }> {
  const { batchSize, decoder, onProgress } = options;
  const ids: string[] = [];
  const chunks: Float32Array[] = [];
  const quarantined: QuarantinedItem[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = await decodeItems(items.slice(start, start + batchSize), model.decode, decoder);
    quarantined.push(...batch.quarantined);
    if (batch.images.length > 0) {
      const values = await model.run(batch.images);
      if (!(values instanceof Float32Array) || values.length !== batch.images.length * model.width) {
        throw new InvalidArgumentError(
          model.name,
          'its result',
          `a Float32Array of ${batch.images.length} × ${model.width} ${model.unit}`,
          values,
        );
      }
      ids.push(...batch.ids);
      chunks.push(values);
    }
    onProgress?.(Math.min(items.length, start + batchSize));
  }
  const rows = new Float32Array(ids.length * model.width);
  let offset = 0;
  for (const chunk of chunks) {
    rows.set(chunk, offset);
    offset += chunk.length;
  }
  return { ids, rows, quarantined };
}
