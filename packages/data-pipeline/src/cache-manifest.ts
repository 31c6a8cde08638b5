import type { ResolvedResizeOptions } from './resize-plan.js';

/** How a cache stores images: one JPEG file each, or raw uint8 records in shard files. */
export type CacheImageFormat = 'jpeg' | 'raw';

/** `cache.json`: written last, so a cache without it is incomplete and ignored. */
export interface CacheManifest {
  readonly format: 'topk-image-cache';
  readonly version: 1;
  readonly imageFormat: CacheImageFormat;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** JPEG quality, `null` for raw. */
  readonly quality: number | null;
  /** Records per raw shard, `null` for JPEG. */
  readonly shardSize: number | null;
  readonly multiLabel: boolean;
  /** The vocabulary's names in index order, `null` for unlabelled data. */
  readonly classes: readonly string[] | null;
  /** Items cached (lines of `items.jsonl`). */
  readonly count: number;
  /** Items quarantined while writing (lines of `quarantine.jsonl`). */
  readonly quarantined: number;
  /** The resize the images went through. */
  readonly resize: ResolvedResizeOptions;
}

/** One line of `items.jsonl`. */
export interface CacheLine {
  readonly id: string;
  readonly label?: number;
  readonly labels?: readonly number[];
  readonly group?: string;
  /** JPEG: the file, relative to the cache folder. */
  readonly file?: string;
  /** Raw: the shard file (relative) and the record's byte offset. */
  readonly shard?: string;
  readonly offset?: number;
}

/** File names inside a cache folder. */
export const MANIFEST = 'cache.json';
/** One JSON line per cached item. */
export const ITEMS = 'items.jsonl';
/** One JSON line per item left out. */
export const QUARANTINE = 'quarantine.jsonl';
