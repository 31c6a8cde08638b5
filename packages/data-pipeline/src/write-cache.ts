import { InvalidArgumentError } from '@topk/core';
import {
  type CacheImageFormat,
  type CacheLine,
  type CacheManifest,
  ITEMS,
  MANIFEST,
  QUARANTINE,
} from './cache-manifest.js';
import { assertDataset } from './dataset.js';
import { createDecodePool, type DecodePool, machineWorkerCount } from './decode-pool.js';
import { defaultDecoder } from './default-decoder.js';
import type { QuarantinedItem } from './image-decode-error.js';
import { DEFAULT_LIMIT_INPUT_PIXELS, type ImageDecoder } from './image-decoder.js';
import { type CachedDataset, openCache } from './open-cache.js';
import { type ResizeOptions, resolveResizeOptions } from './resize-plan.js';
import { type DecodeTask, runTask, type TaskOutcome } from './run-task.js';
import type { Dataset } from './types.js';

/** Options of {@link writeCache}. */
export interface WriteCacheOptions {
  /** The cache folder (created if needed). */
  readonly dir: string;
  /** The resize applied once, for good: `squish`, `center-crop` or `pad` (random modes belong in the stream). */
  readonly resize: ResizeOptions;
  /** @defaultValue 'jpeg' */
  readonly format?: CacheImageFormat;
  /** JPEG quality (the iMaterialist write-up cached at 85). @defaultValue 85 */
  readonly quality?: number;
  /** 1 or 3 for JPEG, 1, 3 or 4 for raw. @defaultValue 3 */
  readonly channels?: 1 | 3 | 4;
  /** Raw: records per shard file. @defaultValue 4096 */
  readonly shardSize?: number;
  /** Worker threads; 0 decodes in this thread. @defaultValue {@link defaultWorkerCount} of this machine */
  readonly workers?: number;
  /** A shared pool (not closed afterwards). */
  readonly pool?: DecodePool;
  /** In-thread decoder when `workers` is 0 (must implement `encodeJpeg` for JPEG caches). @defaultValue sharp */
  readonly decoder?: ImageDecoder;
  /** @defaultValue 89_478_485 */
  readonly limitInputPixels?: number;
  /** @defaultValue true */
  readonly autoOrient?: boolean;
  /** Images processed at once. @defaultValue 64 */
  readonly concurrency?: number;
  /** Progress, after each image: `(done, total)`. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for each item that cannot be cached; it is also listed in the report. */
  readonly onQuarantine?: (item: QuarantinedItem) => void;
}

/** What {@link writeCache} did. */
export interface CacheReport {
  /** The cached dataset, as {@link openCache} will read it back. */
  readonly dataset: CachedDataset;
  /** Items left out, with their reasons. */
  readonly quarantined: readonly QuarantinedItem[];
  /** Items listed: cached + quarantined. */
  readonly listed: number;
}

/**
 * Resizes a dataset once and stores it (iMaterialist write-up: resize and pad every image once, keep them
 * as JPEG at quality 85), so that later epochs stream small files instead of decoding large ones: JPEG
 * files, or raw uint8 records in shard files that need no decoding at all. Labels, groups and the
 * vocabulary go into the cache's manifest; bad files are quarantined, not cached. Item boxes are applied
 * and not kept. Stream the result with {@link createBatchStream} at the cached size (or another: it is
 * resized again). Node only.
 *
 * @param dataset - the dataset to cache.
 */
export async function writeCache(dataset: Dataset, options: WriteCacheOptions): Promise<CacheReport> {
  const fn = 'writeCache';
  assertDataset(fn, dataset);
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError(fn, 'options', 'an object { dir, resize, ... }', options);
  const {
    dir,
    resize,
    format = 'jpeg',
    quality = 85,
    channels = 3,
    shardSize = 4096,
    workers,
    pool,
    decoder,
    limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS,
    autoOrient = true,
    concurrency = 64,
    onProgress,
    onQuarantine,
  } = options;
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidArgumentError(fn, 'options.dir', 'a folder path', dir);
  const resolved = resolveResizeOptions(fn, resize);
  if (resolved.mode === 'random-crop' || resolved.mode === 'random-resized-crop') {
    throw new InvalidArgumentError(
      fn,
      'options.resize.mode',
      'squish, center-crop or pad (random crops belong in the stream)',
      resolved.mode,
    );
  }
  if (format !== 'jpeg' && format !== 'raw')
    throw new InvalidArgumentError(fn, 'options.format', '"jpeg" or "raw"', format);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw new InvalidArgumentError(fn, 'options.quality', 'an integer in [1, 100]', quality);
  if (!(channels === 1 || channels === 3 || (channels === 4 && format === 'raw'))) {
    throw new InvalidArgumentError(
      fn,
      'options.channels',
      format === 'jpeg' ? '1 or 3 (JPEG has no alpha)' : '1, 3 or 4',
      channels,
    );
  }
  if (!Number.isSafeInteger(shardSize) || shardSize < 1)
    throw new InvalidArgumentError(fn, 'options.shardSize', 'a positive integer', shardSize);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 256)) {
    throw new InvalidArgumentError(fn, 'options.workers', 'an integer in [0, 256]', workers);
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new InvalidArgumentError(fn, 'options.concurrency', 'a positive integer', concurrency);
  if (!Number.isSafeInteger(limitInputPixels) || limitInputPixels < 1) {
    throw new InvalidArgumentError(fn, 'options.limitInputPixels', 'a positive integer', limitInputPixels);
  }
  if (typeof autoOrient !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.autoOrient', 'a boolean', autoOrient);

  const { mkdir, open, rm, rename, writeFile } = await import('node:fs/promises');
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  await mkdir(base, { recursive: true });
  // The manifest goes first and comes back last: a cache interrupted half-way is never opened.
  await rm(`${base}/${MANIFEST}`, { force: true });

  let run: (task: DecodeTask) => Promise<TaskOutcome>;
  let ownPool: DecodePool | undefined;
  const count = pool ? 0 : (workers ?? (await machineWorkerCount()));
  if (pool) run = (task) => pool.run(task);
  else if (count > 0) {
    ownPool = await createDecodePool({ workers: count });
    const started = ownPool;
    run = (task) => started.run(task);
  } else {
    const inThread = decoder ?? (await defaultDecoder());
    run = (task) => runTask(task, inThread);
  }

  const [height, width] = resolved.size;
  const recordBytes = height * width * channels;
  const { items } = dataset;
  const itemsFile = await open(`${base}/${ITEMS}`, 'w');
  const quarantineFile = await open(`${base}/${QUARANTINE}`, 'w');
  const quarantined: QuarantinedItem[] = [];
  let cached = 0;
  let shard: Awaited<ReturnType<typeof open>> | undefined;
  let shardIndex = -1;
  const madeFolders = new Set<number>();
  const inflight: Promise<TaskOutcome>[] = [];
  let started = 0;
  const start = () => {
    while (started < items.length && inflight.length < concurrency) {
      const item = items[started++]!;
      inflight.push(
        run({
          source: item.source,
          channels,
          resize: resolved,
          ...(item.box ? { box: item.box } : {}),
          limitInputPixels,
          autoOrient,
          output: format === 'jpeg' ? { kind: 'jpeg', quality } : { kind: 'uint8' },
        }),
      );
    }
  };
  try {
    start();
    for (let i = 0; i < items.length; i++) {
      const outcome = await inflight.shift()!;
      start();
      const item = items[i]!;
      if (
        !outcome.ok ||
        outcome.data === undefined ||
        (format === 'raw' && outcome.data.length !== recordBytes)
      ) {
        const { source } = item;
        const path =
          typeof source === 'string'
            ? source
            : typeof source === 'object' && 'kind' in source
              ? source.path
              : undefined;
        const code = outcome.ok ? 'decode-error' : outcome.code;
        const reason = outcome.ok
          ? `decoded to ${outcome.width}x${outcome.height}x${outcome.channels}`
          : outcome.reason;
        const record: QuarantinedItem =
          path !== undefined ? { id: item.id, path, code, reason } : { id: item.id, code, reason };
        quarantined.push(record);
        onQuarantine?.(record);
        await quarantineFile.write(`${JSON.stringify(record)}\n`);
      } else {
        const labelFields =
          item.labels !== undefined
            ? { labels: item.labels }
            : item.label !== undefined
              ? { label: item.label }
              : {};
        const groupField = item.group !== undefined ? { group: item.group } : {};
        let line: CacheLine;
        if (format === 'jpeg') {
          // Files go by listed position into folders of 1000: ids may hold any character, and one
          // folder of a million files is slow on most file systems.
          const folder = Math.floor(i / 1000);
          if (!madeFolders.has(folder)) {
            await mkdir(`${base}/images/${folder}`, { recursive: true });
            madeFolders.add(folder);
          }
          const file = `images/${folder}/${i}.jpg`;
          await writeFile(`${base}/${file}`, outcome.data as Uint8Array);
          line = { id: item.id, ...labelFields, ...groupField, file };
        } else {
          const wanted = Math.floor(cached / shardSize);
          if (wanted !== shardIndex) {
            await shard?.close();
            await mkdir(`${base}/shards`, { recursive: true });
            shardIndex = wanted;
            shard = await open(`${base}/shards/${shardName(shardIndex)}`, 'w');
          }
          const offset = (cached % shardSize) * recordBytes;
          await shard!.write(outcome.data as Uint8Array, 0, recordBytes, offset);
          line = {
            id: item.id,
            ...labelFields,
            ...groupField,
            shard: `shards/${shardName(shardIndex)}`,
            offset,
          };
        }
        await itemsFile.write(`${JSON.stringify(line)}\n`);
        cached++;
      }
      onProgress?.(i + 1, items.length);
    }
  } finally {
    await Promise.allSettled(inflight);
    await shard?.close();
    await itemsFile.close();
    await quarantineFile.close();
    await ownPool?.close();
  }
  const manifest: CacheManifest = {
    format: 'topk-image-cache',
    version: 1,
    imageFormat: format,
    height,
    width,
    channels,
    quality: format === 'jpeg' ? quality : null,
    shardSize: format === 'raw' ? shardSize : null,
    multiLabel: dataset.multiLabel,
    classes: dataset.vocabulary ? [...dataset.vocabulary.names] : null,
    count: cached,
    quarantined: quarantined.length,
    resize: resolved,
  };
  await writeFile(`${base}/${MANIFEST}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${base}/${MANIFEST}.tmp`, `${base}/${MANIFEST}`);
  const reopened = await openCache(base);
  return { dataset: reopened!, quarantined, listed: items.length };
}

function shardName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}.u8`;
}
