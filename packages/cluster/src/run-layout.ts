import { join } from 'node:path';
import { InvalidArgumentError } from '@topk/core';
import type { QuarantinedItem } from '@topk/data-pipeline';

/**
 * One listed sample as it travels to a worker (a JSON file in the run folder): an id, the image path on
 * the shared filesystem and whatever labels the job needs.
 */
export interface ShardItem {
  readonly id: string;
  /** Path of the image file; relative paths are made absolute by the coordinator. */
  readonly source?: string;
  readonly label?: number;
  readonly labels?: readonly number[];
  readonly group?: string;
  readonly box?: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
  };
}

/**
 * An item as the coordinator ({@link runShardedJob}) and the in-process helpers take it; a `DatasetItem`
 * of `@topk/data-pipeline` fits. For sharded jobs `source` must be a file path (workers read the shared
 * filesystem); in-process helpers also take encoded bytes and decoded pixels.
 */
export interface ShardItemInput {
  readonly id: string;
  readonly source?: unknown;
  readonly label?: number;
  readonly labels?: readonly number[];
  readonly group?: string;
  readonly box?: ShardItem['box'];
}

/** A JSON value: what payloads, job data and shard `info` are made of. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** What a BullMQ job of a sharded run carries (the items themselves stay in the run folder). */
export interface ShardJobData {
  readonly version: 1;
  readonly runId: string;
  readonly kind: string;
  readonly shard: number;
  readonly shards: number;
  /** The shard's folder: `items.json` in, outputs and `result.json` out. */
  readonly dir: string;
  readonly payload: JsonValue;
}

/** `result.json` of a shard, written last (atomically) by the worker that finished it. */
export interface ShardResultFile {
  readonly format: 'topk-cluster-shard';
  readonly version: 1;
  readonly runId: string;
  readonly kind: string;
  readonly shard: number;
  /** Items listed in the shard. */
  readonly items: number;
  /** Items that went into the outputs (listed minus quarantined). */
  readonly processed: number;
  readonly quarantined: readonly QuarantinedItem[];
  /** Output files and folders, relative to the shard folder. */
  readonly files: readonly string[];
  readonly info: JsonValue;
  /** Which worker (`host:pid`) and which attempt produced it. */
  readonly worker: string;
  readonly attempt: number;
  readonly seconds: number;
}

/** `run.json`: what a run id stands for, so that a restarted coordinator resumes the same run. */
export interface RunManifest {
  readonly format: 'topk-cluster-run';
  readonly version: 1;
  readonly runId: string;
  readonly kind: string;
  readonly queue: string;
  /** Items per shard. */
  readonly shardSizes: readonly number[];
  /** SHA-256 of the shards' ids and of the payload. */
  readonly itemsHash: string;
  readonly payloadHash: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks a run id: letters, digits, `.`, `_`, `-` (it goes into job ids, which may not hold `:`). */
export function checkRunId(fn: string, argument: string, runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new InvalidArgumentError(
      fn,
      argument,
      'a run id of 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit',
      runId,
    );
  }
  return runId;
}

/** Checks a queue name (BullMQ queue names may not hold `:`). */
export function checkQueueName(fn: string, argument: string, queue: unknown): string {
  if (typeof queue !== 'string' || !RUN_ID.test(queue)) {
    throw new InvalidArgumentError(
      fn,
      argument,
      'a queue name of letters, digits, ".", "_" or "-", starting with a letter or digit',
      queue,
    );
  }
  return queue;
}

/** The BullMQ job id of one shard of a run. */
export function shardJobId(runId: string, shard: number): string {
  return `${runId}.shard-${String(shard).padStart(5, '0')}`;
}

/** The folder of one shard inside a run folder. */
export function shardDir(outDir: string, shard: number): string {
  return join(outDir, 'shards', String(shard).padStart(5, '0'));
}

/** What a run id stands for, in the run folder. */
export const RUN_MANIFEST = 'run.json';
/** The coordinator's report, in the run folder. */
export const RUN_REPORT = 'report.json';
/** A shard's listing, in its folder. */
export const SHARD_ITEMS = 'items.json';
/** A shard's result, written last by its worker. */
export const SHARD_RESULT = 'result.json';

/** Reads a shard's `result.json`; `undefined` when it is absent, unreadable, or from another run. */
export async function readShardResult(dir: string, runId: string): Promise<ShardResultFile | undefined> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(join(dir, SHARD_RESULT), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const result = JSON.parse(text) as ShardResultFile;
    return result.format === 'topk-cluster-shard' && result.runId === runId ? result : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a shard's listing. */
export async function readShardItems(dir: string): Promise<ShardItem[]> {
  const { readFile } = await import('node:fs/promises');
  const parsed = JSON.parse(await readFile(join(dir, SHARD_ITEMS), 'utf8')) as unknown;
  if (!Array.isArray(parsed))
    throw new Error(`${join(dir, SHARD_ITEMS)} does not hold a JSON array of items`);
  return parsed as ShardItem[];
}
