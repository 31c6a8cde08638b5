import { join } from 'node:path';
import { createPredictionTable, InvalidArgumentError, type PredictionTable } from '@topk/core';
import type { DecodedImage, ImageDecoder, QuarantinedItem } from '@topk/data-pipeline';
import { formatPredictionCsv, parsePredictionCsv } from '@topk/thresholding';
import { moveIntoPlace, temporaryPath } from './atomic-file.js';
import { checkBatchSize, type ItemDecodeRequest, rowsOfItems } from './decode-items.js';
import { type ModelHandlerOptions, modelJobHandler } from './model-job-handler.js';
import { readShardItems, type ShardItemInput } from './run-layout.js';
import type { ShardedRunReport } from './run-sharded-job.js';
import type { JobHandler } from './start-worker.js';

/** A model as the `predict` job sees it: its classes, how it wants images decoded, and a batch function. */
export interface Predictor {
  /** Class names, in the order of the probabilities `predict` returns. */
  readonly classes: readonly string[];
  /** Channels and resize of the model's input. @defaultValue `{ channels: 3 }` (no resize) */
  readonly decode?: ItemDecodeRequest;
  /** Probabilities for a batch: `images.length × classes.length` values, row-major, each in [0, 1]. */
  predict(images: readonly DecodedImage[]): Promise<Float32Array> | Float32Array;
  /** Frees the model (tensors) once its run is over. */
  dispose?(): unknown;
}

/** Options of {@link predictItems}. */
export interface PredictItemsOptions {
  /** Images per `predict` call. @defaultValue 32 */
  readonly batchSize?: number;
  /** @defaultValue sharp */
  readonly decoder?: ImageDecoder;
  /** Items done (predicted or quarantined) so far. */
  readonly onProgress?: (done: number) => void;
}

/** Predictions of a list of items, and the items that could not be decoded. */
export interface PredictItemsResult {
  /** Rows in the items' order, quarantined items left out. */
  readonly table: PredictionTable;
  readonly quarantined: readonly QuarantinedItem[];
}

function checkPredictor(fn: string, predictor: Predictor): void {
  if (typeof predictor !== 'object' || predictor === null || typeof predictor.predict !== 'function') {
    throw new InvalidArgumentError(fn, 'predictor', 'a Predictor { classes, predict, decode? }', predictor);
  }
  if (!Array.isArray(predictor.classes) || predictor.classes.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'predictor.classes',
      'a non-empty array of class names',
      predictor.classes,
    );
  }
}

/**
 * Predicts a list of items in one process: decodes them in batches (bad images quarantined with their
 * reason), runs the predictor, and returns a prediction table in the items' order. It is what each
 * `predict` shard runs, so a sharded run and a single-process run of the same predictor agree row for row.
 *
 * @param items - items with image paths (in this process, also encoded bytes or decoded pixels).
 * @param predictor - the model.
 */
export async function predictItems(
  items: readonly ShardItemInput[],
  predictor: Predictor,
  options: PredictItemsOptions = {},
): Promise<PredictItemsResult> {
  const fn = 'predictItems';
  if (!Array.isArray(items)) throw new InvalidArgumentError(fn, 'items', 'an array of items', items);
  checkPredictor(fn, predictor);
  const { batchSize = 32, decoder, onProgress } = options;
  checkBatchSize(fn, batchSize);
  const { ids, rows, quarantined } = await rowsOfItems(
    items,
    {
      name: 'Predictor.predict',
      unit: 'probabilities',
      width: predictor.classes.length,
      decode: predictor.decode ?? { channels: 3 },
      run: (images) => predictor.predict(images),
    },
    {
      batchSize,
      ...(decoder !== undefined ? { decoder } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    },
  );
  return { table: createPredictionTable(ids, predictor.classes, rows), quarantined };
}

/** Options of {@link createPredictHandler}: `load` builds the run's Predictor. */
export type PredictHandlerOptions<P> = ModelHandlerOptions<P, Predictor>;

/** The shard output of a `predict` job. */
export const PREDICTIONS_FILE = 'predictions.csv';

/**
 * The worker side of sharded prediction: each shard's items are predicted with {@link predictItems} and
 * written as `predictions.csv` (the prediction CSV of `@topk/thresholding`, float32-exact) into the
 * shard's folder; bad images are quarantined and listed in the run report. Register it as
 * `handlers: { predict: createPredictHandler({ load }) }`.
 */
export function createPredictHandler<P = unknown>(options: PredictHandlerOptions<P>): JobHandler<P> {
  return modelJobHandler('createPredictHandler', 'Predictor', options, async (predictor, job, settings) => {
    const { table, quarantined } = await predictItems(job.items, predictor, {
      ...settings,
      onProgress: (done) => job.progress(done),
    });
    for (const item of quarantined) job.quarantine(item);
    await job.writeFile(PREDICTIONS_FILE, formatPredictionCsv(table));
    return { info: { rows: table.ids.length, classes: table.classes.length } };
  });
}

/** Options of {@link mergePredictions}. */
export interface MergePredictionsOptions {
  /** The merged CSV. */
  readonly out: string;
}

/** What {@link mergePredictions} wrote. */
export interface MergedPredictions {
  readonly out: string;
  readonly rows: number;
  readonly classes: readonly string[];
  /** Ids of shards that failed: not in the CSV. */
  readonly missing: readonly string[];
  /** Ids quarantined by workers: not in the CSV. */
  readonly quarantined: readonly string[];
}

/**
 * Merges the `predictions.csv` of a predict run's completed shards into one CSV, the same format
 * `topk predict` writes (`id,<class 1>,…`): shards in order, so with shards by index the rows follow the
 * input listing. Each id appears once (checked); the file is written under a temporary name and renamed.
 * The shards are read one at a time, so memory holds one shard, not the whole table.
 *
 * @param report - what {@link runShardedJob} returned.
 */
export async function mergePredictions(
  report: ShardedRunReport,
  options: MergePredictionsOptions,
): Promise<MergedPredictions> {
  const fn = 'mergePredictions';
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
  const { open, readFile, rm } = await import('node:fs/promises');
  const temporary = temporaryPath(out);
  const file = await open(temporary, 'w');
  const seen = new Set<string>();
  let classes: readonly string[] | undefined;
  let rows = 0;
  try {
    for (const shard of completed) {
      if (!shard.files.includes(PREDICTIONS_FILE)) {
        throw new InvalidArgumentError(
          fn,
          `report.shards[${shard.shard}]`,
          `a shard with ${PREDICTIONS_FILE}`,
          shard.files,
        );
      }
      const text = await readFile(join(shard.dir, PREDICTIONS_FILE), 'utf8');
      const table = parsePredictionCsv(text, classes !== undefined ? { classes } : {});
      if (classes === undefined) {
        classes = table.classes;
        const header = formatPredictionCsv(createPredictionTable([], classes, new Float32Array(0)));
        await file.write(header);
      }
      table.ids.forEach((id) => {
        if (seen.has(id)) {
          throw new InvalidArgumentError(fn, `report.shards[${shard.shard}]`, 'shards with distinct ids', id);
        }
        seen.add(id);
      });
      const body = formatPredictionCsv(table);
      await file.write(body.slice(body.indexOf('\n') + 1));
      rows += table.ids.length;
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
  return { out, rows, classes: classes!, missing, quarantined: report.quarantined.map((item) => item.id) };
}
