import { join, relative, resolve } from 'node:path';
import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import {
  type CachedDataset,
  type CacheImageFormat,
  createDataset,
  type DatasetItem,
  openCache,
  type ResizeOptions,
  writeCache,
} from '@topk/data-pipeline';
import { writeFileAtomic } from './atomic-file.js';
import type { ShardedRunReport } from './run-sharded-job.js';
import { type JobHandler, ShardInputError } from './start-worker.js';

/** The payload of a `cache` run: how every image is resized and stored (as `writeCache` takes it). */
export interface CachePayload {
  /** A deterministic resize (`squish`, `center-crop`, `pad`). */
  readonly resize: ResizeOptions;
  /** @defaultValue 'jpeg' */
  readonly format?: CacheImageFormat;
  /** JPEG quality. @defaultValue 85 */
  readonly quality?: number;
  /** @defaultValue 3 */
  readonly channels?: 1 | 3 | 4;
  /** Raw format: records per shard file. @defaultValue 4096 */
  readonly shardSize?: number;
  /** Class names in index order, for labelled items (kept in the cache's manifest). */
  readonly classes?: readonly string[] | null;
  /** Items carry `labels` rather than `label`. @defaultValue false */
  readonly multiLabel?: boolean;
}

/** Options of {@link createCacheHandler}. */
export interface CacheHandlerOptions {
  /**
   * Decode threads per shard; 0 decodes in the worker's thread (sharp still decodes on libuv's pool, so
   * on a small machine this loses little, and several jobs at once do not multiply threads).
   * @defaultValue 0
   */
  readonly decodeWorkers?: number;
  /** Images decoded at once within a shard. @defaultValue 16 */
  readonly concurrency?: number;
}

/** The shard output of a `cache` job: a complete cache folder. */
export const CACHE_FOLDER = 'cache';

/**
 * The worker side of sharded caching (`topk cluster cache`): each shard is resized once with
 * `writeCache` of `@topk/data-pipeline` (JPEG at quality 85 by default, or raw records) into a temporary
 * folder that is renamed to `cache` when complete. Bad images are quarantined and listed in the run
 * report. Merge the shards with {@link mergeCaches}.
 */
export function createCacheHandler(options: CacheHandlerOptions = {}): JobHandler<CachePayload> {
  const fn = 'createCacheHandler';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
  const { decodeWorkers = 0, concurrency = 16 } = options;
  if (!Number.isSafeInteger(decodeWorkers) || decodeWorkers < 0) {
    throw new InvalidArgumentError(fn, 'options.decodeWorkers', 'an integer >= 0', decodeWorkers);
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError(fn, 'options.concurrency', 'a positive integer', concurrency);
  }
  return async (job) => {
    const payload = job.payload as Partial<CachePayload> | null;
    if (typeof payload !== 'object' || payload === null || payload.resize === undefined) {
      throw new ShardInputError(
        `cache payload must be { resize, format?, quality?, ... }, got ${JSON.stringify(payload)}`,
      );
    }
    let dataset: ReturnType<typeof createDataset>;
    try {
      const vocabulary =
        payload.classes !== undefined && payload.classes !== null
          ? ClassVocabulary.fromJSON({ classes: payload.classes })
          : undefined;
      dataset = createDataset(
        job.items.map((item) => ({ ...item, source: item.source ?? '' }) as DatasetItem),
        { ...(vocabulary !== undefined ? { vocabulary } : {}), multiLabel: payload.multiLabel ?? false },
      );
    } catch (error) {
      throw new ShardInputError(`shard ${job.shard} cannot be listed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const temporary = job.temporaryPath(CACHE_FOLDER);
    try {
      await writeCache(dataset, {
        dir: temporary,
        resize: payload.resize,
        ...(payload.format !== undefined ? { format: payload.format } : {}),
        ...(payload.quality !== undefined ? { quality: payload.quality } : {}),
        ...(payload.channels !== undefined ? { channels: payload.channels } : {}),
        ...(payload.shardSize !== undefined ? { shardSize: payload.shardSize } : {}),
        workers: decodeWorkers,
        concurrency,
        onProgress: (done) => job.progress(done),
        onQuarantine: (item) => job.quarantine(item),
      });
    } catch (error) {
      const { rm } = await import('node:fs/promises');
      await rm(temporary, { recursive: true, force: true });
      // Invalid options fail the same way on every worker: no retry.
      if ((error as { code?: unknown }).code === 'INVALID_ARGUMENT') {
        throw new ShardInputError((error as Error).message, { cause: error });
      }
      throw error;
    }
    await job.commit(temporary, CACHE_FOLDER);
    return { info: { cached: job.items.length } };
  };
}

interface CacheLineJson {
  readonly file?: string;
  readonly shard?: string;
  readonly [key: string]: unknown;
}

/**
 * Joins the shard caches of a `cache` run into one cache that `openCache` of `@topk/data-pipeline`
 * opens like any other: `items.jsonl` (shards in order, so by-index shards keep the listing's order)
 * pointing into the shard folders, the quarantine lists joined, and `cache.json` written last. The
 * images are not copied. The shards must share resize, format, channels and classes (they do when they
 * come from one run).
 *
 * @param report - what {@link runShardedJob} returned.
 * @returns the merged cache, opened.
 */
export async function mergeCaches(
  report: ShardedRunReport,
  options: { readonly dir?: string } = {},
): Promise<CachedDataset> {
  const fn = 'mergeCaches';
  if (typeof report !== 'object' || report === null || !Array.isArray(report.shards)) {
    throw new InvalidArgumentError(fn, 'report', 'a report from runShardedJob', report);
  }
  const dir = resolve(options.dir ?? report.outDir);
  const completed = report.shards.filter((shard) => shard.state === 'completed');
  if (completed.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'report',
      'a run with at least one completed shard',
      report.failures?.[0]?.reason,
    );
  }
  const { mkdir, readFile, rm } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  await rm(join(dir, 'cache.json'), { force: true });
  let manifest: Record<string, unknown> | undefined;
  const items: string[] = [];
  const quarantine: string[] = [];
  let count = 0;
  let quarantined = 0;
  for (const shard of completed) {
    const cacheDir = join(shard.dir, CACHE_FOLDER);
    if (!shard.files.includes(CACHE_FOLDER)) {
      throw new InvalidArgumentError(
        fn,
        `report.shards[${shard.shard}]`,
        'a shard with a cache folder',
        shard.files,
      );
    }
    const shardManifest = JSON.parse(await readFile(join(cacheDir, 'cache.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    if (manifest === undefined) manifest = shardManifest;
    else {
      for (const key of [
        'imageFormat',
        'height',
        'width',
        'channels',
        'quality',
        'multiLabel',
        'classes',
        'resize',
      ]) {
        if (JSON.stringify(manifest[key]) !== JSON.stringify(shardManifest[key])) {
          throw new InvalidArgumentError(
            fn,
            `report.shards[${shard.shard}]`,
            `a cache with the same ${key} as the other shards`,
            JSON.stringify(shardManifest[key]),
          );
        }
      }
    }
    const prefix = relative(dir, cacheDir).split('\\').join('/');
    for (const line of (await readFile(join(cacheDir, 'items.jsonl'), 'utf8')).split('\n')) {
      if (line.length === 0) continue;
      const entry = JSON.parse(line) as CacheLineJson;
      items.push(
        JSON.stringify({
          ...entry,
          ...(entry.file !== undefined ? { file: `${prefix}/${entry.file}` } : {}),
          ...(entry.shard !== undefined ? { shard: `${prefix}/${entry.shard}` } : {}),
        }),
      );
      count++;
    }
    for (const line of (await readFile(join(cacheDir, 'quarantine.jsonl'), 'utf8')).split('\n')) {
      if (line.length === 0) continue;
      quarantine.push(line);
      quarantined++;
    }
  }
  await writeFileAtomic(join(dir, 'items.jsonl'), items.length > 0 ? `${items.join('\n')}\n` : '');
  await writeFileAtomic(
    join(dir, 'quarantine.jsonl'),
    quarantine.length > 0 ? `${quarantine.join('\n')}\n` : '',
  );
  await writeFileAtomic(
    join(dir, 'cache.json'),
    `${JSON.stringify({ ...manifest, count, quarantined }, null, 2)}\n`,
  );
  const cached = await openCache(dir);
  if (cached === undefined) throw new Error(`${fn}: ${dir} holds no cache after merging`);
  return cached;
}
