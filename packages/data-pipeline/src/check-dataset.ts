import { InvalidArgumentError, Rng } from '@topk/core';
import { assertDataset, withItems } from './dataset.js';
import { createDecodePool, type DecodePool, machineWorkerCount } from './decode-pool.js';
import { defaultDecoder } from './default-decoder.js';
import { QUARANTINE_CODES, type QuarantineCode, type QuarantinedItem } from './image-decode-error.js';
import { DEFAULT_LIMIT_INPUT_PIXELS, type ImageDecoder } from './image-decoder.js';
import { isNode } from './read-source.js';
import { type ResizeOptions, resolveResizeOptions } from './resize-plan.js';
import { type DecodeTask, runTask, type TaskOutcome } from './run-task.js';
import type { Dataset, DatasetItem } from './types.js';

/** Options of {@link checkDataset}. */
export interface CheckDatasetOptions {
  /**
   * The resize the data will get: margins and boxes are checked too (`too-small`, `invalid-box`).
   * Random modes are planned with a fixed seed; their random part cannot fail.
   * @defaultValue a small squish, which still decodes every byte of every image
   */
  readonly resize?: ResizeOptions;
  /** Worker threads; 0 decodes in this thread. @defaultValue {@link defaultWorkerCount} in Node, 0 elsewhere */
  readonly workers?: number;
  /** A shared pool (not closed afterwards); takes precedence over `workers`. */
  readonly pool?: DecodePool;
  /** In-thread decoder when `workers` is 0. @defaultValue sharp in Node, the browser decoder elsewhere */
  readonly decoder?: ImageDecoder;
  /** @defaultValue 89_478_485 */
  readonly limitInputPixels?: number;
  /** @defaultValue true */
  readonly autoOrient?: boolean;
  /** Images checked at once. @defaultValue 64 */
  readonly concurrency?: number;
  /** Progress, called after each image: `(done, total)`. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link checkDataset} found: every listed item is either used or quarantined. */
export interface DatasetReport {
  /** Number of items listed. */
  readonly listed: number;
  /** Ids of the items that decode, in listed order. */
  readonly used: readonly string[];
  /** Items that do not, with path, code and reason, in listed order. */
  readonly quarantined: readonly QuarantinedItem[];
  /** Quarantined items per code (every code present, zeros included). */
  readonly counts: Readonly<Record<QuarantineCode, number>>;
  /** The dataset without the quarantined items, ready to split and stream. */
  readonly dataset: Dataset;
}

/**
 * Decodes every image of `dataset` once (fully, so that a JPEG cut short is caught) and sorts the items
 * into used and quarantined, never throwing for a bad file: missing, unreadable, empty, not an image,
 * truncated, over the pixel limit, left empty by the crop margins or box, or otherwise undecodable
 * (the iMaterialist write-up's dead links and corrupt files). `used.length + quarantined.length ===
 * listed`, always.
 *
 * @param dataset - the listing to check.
 */
export async function checkDataset(
  dataset: Dataset,
  options: CheckDatasetOptions = {},
): Promise<DatasetReport> {
  const fn = 'checkDataset';
  assertDataset(fn, dataset);
  const {
    resize = { size: 8 },
    workers,
    pool,
    decoder,
    limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS,
    autoOrient = true,
    concurrency = 64,
    onProgress,
  } = options;
  const resolved = resolveResizeOptions(fn, resize);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 256)) {
    throw new InvalidArgumentError(fn, 'options.workers', 'an integer in [0, 256]', workers);
  }
  if (!Number.isSafeInteger(limitInputPixels) || limitInputPixels < 1) {
    throw new InvalidArgumentError(fn, 'options.limitInputPixels', 'a positive integer', limitInputPixels);
  }
  if (typeof autoOrient !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.autoOrient', 'a boolean', autoOrient);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError(fn, 'options.concurrency', 'a positive integer', concurrency);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError(fn, 'options.onProgress', 'a function', onProgress);
  }

  let run: (task: DecodeTask) => Promise<TaskOutcome>;
  let ownPool: DecodePool | undefined;
  const count = pool ? 0 : (workers ?? (isNode() ? await machineWorkerCount() : 0));
  if (pool) run = (task) => pool.run(task);
  else if (count > 0) {
    ownPool = await createDecodePool({ workers: count });
    const started = ownPool;
    run = (task) => started.run(task);
  } else {
    const inThread = decoder ?? (await defaultDecoder());
    run = (task) => runTask(task, inThread);
  }

  const { items } = dataset;
  const outcomes: (TaskOutcome | undefined)[] = new Array(items.length);
  // One fixed seed for random modes: their random part never fails, only margins and boxes can.
  const seed = new Rng('checkDataset').int(0, 2 ** 32);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      const outcome = await run({
        source: item.source,
        channels: 3,
        resize: resolved,
        ...(item.box ? { box: item.box } : {}),
        seed,
        limitInputPixels,
        autoOrient,
        output: { kind: 'none' },
      });
      // Successes are only counted: keeping them would hold a result per item for nothing.
      outcomes[i] = outcome.ok ? undefined : outcome;
      done++;
      onProgress?.(done, items.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));
  } finally {
    await ownPool?.close();
  }

  const used: string[] = [];
  const usable: DatasetItem[] = [];
  const quarantined: QuarantinedItem[] = [];
  const counts = Object.fromEntries(QUARANTINE_CODES.map((code) => [code, 0])) as Record<
    QuarantineCode,
    number
  >;
  items.forEach((item, i) => {
    const outcome = outcomes[i];
    if (outcome === undefined || outcome.ok) {
      used.push(item.id);
      usable.push(item);
      return;
    }
    const { source } = item;
    const path =
      typeof source === 'string'
        ? source
        : typeof source === 'object' && 'kind' in source
          ? source.path
          : undefined;
    quarantined.push(
      path !== undefined
        ? { id: item.id, path, code: outcome.code, reason: outcome.reason }
        : { id: item.id, code: outcome.code, reason: outcome.reason },
    );
    counts[outcome.code]++;
  });
  return { listed: items.length, used, quarantined, counts, dataset: withItems(dataset, usable) };
}
