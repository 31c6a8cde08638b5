import { join } from 'node:path';
import { InvalidArgumentError } from '@topk/core';
import type { DecodedImage, ImageDecoder, QuarantinedItem } from '@topk/data-pipeline';
import { createEmbeddings, type Embeddings } from '@topk/ensembling';
import { moveIntoPlace, temporaryPath } from './atomic-file.js';
import { checkBatchSize, type ItemDecodeRequest, rowsOfItems } from './decode-items.js';
import { encodeEmbeddings, encodeEmbeddingsHeader, readEmbeddingsHeader } from './embeddings-file.js';
import { type ModelHandlerOptions, modelJobHandler } from './model-job-handler.js';
import { readShardItems, type ShardItemInput } from './run-layout.js';
import type { ShardedRunReport } from './run-sharded-job.js';
import type { JobHandler } from './start-worker.js';

/** A model as the `embed` job sees it: vector length, input decoding and a batch function. */
export interface Embedder {
  /** Floats per vector. */
  readonly dim: number;
  /** Channels and resize of the model's input. @defaultValue `{ channels: 3 }` (no resize) */
  readonly decode?: ItemDecodeRequest;
  /** Vectors for a batch: `images.length × dim` finite values, row-major. */
  embed(images: readonly DecodedImage[]): Promise<Float32Array> | Float32Array;
  /** Frees the model once its run is over. */
  dispose?(): unknown;
}

/** Options of {@link embedItems}. */
export interface EmbedItemsOptions {
  /** Images per `embed` call. @defaultValue 32 */
  readonly batchSize?: number;
  /** @defaultValue sharp */
  readonly decoder?: ImageDecoder;
  /** Items done (embedded or quarantined) so far. */
  readonly onProgress?: (done: number) => void;
}

/**
 * Embeds a list of items in one process (what each `embed` shard runs): decodes them in batches, bad
 * images quarantined, and returns their vectors in the items' order.
 *
 * @param items - items with image paths (in this process, also encoded bytes or decoded pixels).
 * @param embedder - the model.
 */
export async function embedItems(
  items: readonly ShardItemInput[],
  embedder: Embedder,
  options: EmbedItemsOptions = {},
): Promise<{ readonly embeddings: Embeddings; readonly quarantined: readonly QuarantinedItem[] }> {
  const fn = 'embedItems';
  if (!Array.isArray(items)) throw new InvalidArgumentError(fn, 'items', 'an array of items', items);
  if (typeof embedder !== 'object' || embedder === null || typeof embedder.embed !== 'function') {
    throw new InvalidArgumentError(fn, 'embedder', 'an Embedder { dim, embed, decode? }', embedder);
  }
  const { dim } = embedder;
  if (!Number.isSafeInteger(dim) || dim < 1)
    throw new InvalidArgumentError(fn, 'embedder.dim', 'a positive integer', dim);
  const { batchSize = 32, decoder, onProgress } = options;
  checkBatchSize(fn, batchSize);
  const { ids, rows, quarantined } = await rowsOfItems(
    items,
    {
      name: 'Embedder.embed',
      unit: 'values',
      width: dim,
      decode: embedder.decode ?? { channels: 3 },
      run: (images) => embedder.embed(images),
    },
    {
      batchSize,
      ...(decoder !== undefined ? { decoder } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    },
  );
  return { embeddings: createEmbeddings(ids, dim, rows), quarantined };
}

/** Options of {@link createEmbedHandler}: `load` builds the run's Embedder. */
export type EmbedHandlerOptions<P> = ModelHandlerOptions<P, Embedder>;

/** The shard output of an `embed` job. */
export const EMBEDDINGS_FILE = 'embeddings.bin';

/**
 * The worker side of sharded embedding: each shard's vectors go to `embeddings.bin` (see
 * {@link encodeEmbeddings}) in the shard's folder. Register it as `handlers: { embed: createEmbedHandler({ load }) }`.
 */
export function createEmbedHandler<P = unknown>(options: EmbedHandlerOptions<P>): JobHandler<P> {
  return modelJobHandler('createEmbedHandler', 'Embedder', options, async (embedder, job, settings) => {
    const { embeddings, quarantined } = await embedItems(job.items, embedder, {
      ...settings,
      onProgress: (done) => job.progress(done),
    });
    for (const item of quarantined) job.quarantine(item);
    await job.writeFile(EMBEDDINGS_FILE, encodeEmbeddings(embeddings));
    return { info: { rows: embeddings.ids.length, dim: embeddings.dim } };
  });
}

/** What {@link mergeEmbeddings} wrote. */
export interface MergedEmbeddings {
  readonly out: string;
  readonly rows: number;
  readonly dim: number;
  /** Ids of shards that failed: not in the file. */
  readonly missing: readonly string[];
  /** Ids quarantined by workers: not in the file. */
  readonly quarantined: readonly string[];
}

/**
 * Merges the `embeddings.bin` of an embed run's completed shards into one embeddings file, shards in
 * order, each id once (checked). Only the headers are held in memory; vectors are copied file to file.
 *
 * @param report - what {@link runShardedJob} returned.
 */
export async function mergeEmbeddings(
  report: ShardedRunReport,
  options: { readonly out: string },
): Promise<MergedEmbeddings> {
  const fn = 'mergeEmbeddings';
  if (typeof report !== 'object' || report === null || !Array.isArray(report.shards)) {
    throw new InvalidArgumentError(fn, 'report', 'a report from runShardedJob', report);
  }
  const out = options?.out;
  if (typeof out !== 'string' || out.length === 0)
    throw new InvalidArgumentError(fn, 'options.out', 'a file path', out);
  const completed = report.shards.filter((shard) => shard.state === 'completed');
  if (completed.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'report',
      'a run with at least one completed shard',
      report.failures?.[0]?.reason,
    );
  }
  const headers = [];
  const ids: string[] = [];
  const seen = new Set<string>();
  let dim: number | undefined;
  for (const shard of completed) {
    if (!shard.files.includes(EMBEDDINGS_FILE)) {
      throw new InvalidArgumentError(
        fn,
        `report.shards[${shard.shard}]`,
        `a shard with ${EMBEDDINGS_FILE}`,
        shard.files,
      );
    }
    const path = join(shard.dir, EMBEDDINGS_FILE);
    const header = await readEmbeddingsHeader(path);
    if (dim !== undefined && header.dim !== dim) {
      throw new InvalidArgumentError(
        fn,
        `report.shards[${shard.shard}]`,
        `vectors of ${dim} floats`,
        header.dim,
      );
    }
    dim = header.dim;
    for (const id of header.ids) {
      if (seen.has(id))
        throw new InvalidArgumentError(fn, `report.shards[${shard.shard}]`, 'shards with distinct ids', id);
      seen.add(id);
      ids.push(id);
    }
    headers.push({ path, header });
  }
  const { open, rm } = await import('node:fs/promises');
  const temporary = temporaryPath(out);
  const file = await open(temporary, 'w');
  try {
    await file.write(encodeEmbeddingsHeader(ids, dim!));
    const chunk = new Uint8Array(1 << 20);
    for (const { path, header } of headers) {
      const input = await open(path, 'r');
      try {
        let position = header.dataOffset;
        let left = header.count * header.dim * 4;
        while (left > 0) {
          const { bytesRead } = await input.read(chunk, 0, Math.min(chunk.length, left), position);
          if (bytesRead === 0) throw new Error(`${path} ended early`);
          await file.write(chunk.subarray(0, bytesRead));
          position += bytesRead;
          left -= bytesRead;
        }
      } finally {
        await input.close();
      }
    }
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await moveIntoPlace(temporary, out);
  const missing: string[] = [];
  for (const shard of report.shards) {
    if (shard.state === 'failed') missing.push(...(await readShardItems(shard.dir)).map((item) => item.id));
  }
  return {
    out,
    rows: ids.length,
    dim: dim!,
    missing,
    quarantined: report.quarantined.map((item) => item.id),
  };
}
