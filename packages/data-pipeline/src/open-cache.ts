import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import {
  type CacheImageFormat,
  type CacheLine,
  type CacheManifest,
  ITEMS,
  MANIFEST,
} from './cache-manifest.js';
import { createDataset } from './dataset.js';
import type { ResolvedResizeOptions } from './resize-plan.js';
import type { Dataset, DatasetItem } from './types.js';

/** What a cache holds, from its manifest. */
export interface CacheInfo {
  readonly dir: string;
  readonly imageFormat: CacheImageFormat;
  /** `[height, width]` of every cached image. */
  readonly size: readonly [number, number];
  readonly channels: number;
  readonly quality: number | null;
  readonly resize: ResolvedResizeOptions;
  /** Items quarantined when the cache was written (listed in its `quarantine.jsonl`). */
  readonly quarantined: number;
}

/** A dataset read from a cache, with the cache's description. */
export interface CachedDataset extends Dataset {
  readonly cache: CacheInfo;
}

function invalid(dir: string, what: string, got: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    'openCache',
    'dir',
    `a topk image cache (${what})`,
    `${dir}: ${typeof got === 'string' ? got : JSON.stringify(got)}`,
  );
}

/**
 * Opens a cache written by {@link writeCache}: the items point at its JPEG files or raw records, with
 * their labels, groups and the saved vocabulary. Resolves to `undefined` when the folder holds no
 * complete cache (no `cache.json`), so that a run can write the cache on its first start:
 * `(await openCache(dir)) ?? (await writeCache(dataset, { dir, resize })).dataset`. Node only.
 *
 * @param dir - the cache folder.
 */
export async function openCache(dir: string): Promise<CachedDataset | undefined> {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidArgumentError('openCache', 'dir', 'a folder path', dir);
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(`${base}/${MANIFEST}`, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(text) as CacheManifest;
  } catch {
    throw invalid(base, 'cache.json is not JSON', text.slice(0, 40));
  }
  if (manifest.format !== 'topk-image-cache' || manifest.version !== 1) {
    throw invalid(base, 'format "topk-image-cache" version 1', `${manifest.format} ${manifest.version}`);
  }
  const { imageFormat, height, width, channels } = manifest;
  const vocabulary = manifest.classes ? ClassVocabulary.fromJSON({ classes: manifest.classes }) : undefined;
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const items: DatasetItem[] = [];
  const lines = createInterface({
    input: createReadStream(`${base}/${ITEMS}`, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    if (raw.length === 0) continue;
    let line: CacheLine;
    try {
      line = JSON.parse(raw) as CacheLine;
    } catch {
      throw invalid(base, `items.jsonl line ${lineNumber} is JSON`, raw.slice(0, 40));
    }
    const source =
      imageFormat === 'jpeg'
        ? `${base}/${line.file}`
        : {
            kind: 'raw-record' as const,
            path: `${base}/${line.shard}`,
            offset: line.offset!,
            height,
            width,
            channels,
          };
    items.push({
      id: line.id,
      source,
      ...(line.label !== undefined ? { label: line.label } : {}),
      ...(line.labels !== undefined ? { labels: line.labels } : {}),
      ...(line.group !== undefined ? { group: line.group } : {}),
    });
  }
  if (items.length !== manifest.count)
    throw invalid(base, `${manifest.count} items in items.jsonl`, `${items.length} items`);
  const dataset = createDataset(items, {
    ...(vocabulary ? { vocabulary } : {}),
    multiLabel: manifest.multiLabel,
  });
  const cache: CacheInfo = {
    dir: base,
    imageFormat,
    size: [height, width],
    channels,
    quality: manifest.quality,
    resize: manifest.resize,
    quarantined: manifest.quarantined,
  };
  return Object.freeze({ ...dataset, cache });
}
