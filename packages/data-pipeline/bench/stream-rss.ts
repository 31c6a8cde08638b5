/**
 * Memory of a long stream: 200 000 items (1 000 distinct generated 48 × 48 JPEGs, each listed 200 times
 * under its own id) streamed through `createBatchStream` with worker threads, shuffled, resized to 32 × 32
 * and stacked into tensors that are disposed after each batch, while the process RSS (workers included:
 * they are threads) is sampled every 20 batches. Prints one JSON object: the RSS after 40 warm-up batches,
 * the peak after them, the growth, and whether it stayed within `--bound` MB (the exit code is 1 if not).
 *
 *   node --conditions=source --import tsx packages/data-pipeline/bench/stream-rss.ts \
 *     [--items 200000] [--workers 2] [--batch 256] [--bound 64]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClassVocabulary, Rng } from '@topk/core';
import sharp from 'sharp';
import { createBatchStream, createDataset, type DatasetItem, shuffledSampler } from '../src/index.js';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ITEMS = argument('items', 200_000);
const WORKERS = argument('workers', 2);
const BATCH = argument('batch', 256);
const DISTINCT = 1000;
const WARMUP_BATCHES = 40;
/** The bound the README states: RSS may not grow more than this after warm-up. */
const BOUND_MB = argument('bound', 64);
const MB = 1024 * 1024;

await tf.setBackend('cpu');
const dir = await mkdtemp(join(tmpdir(), 'topk-rss-bench-'));
try {
  const files: string[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const jpeg = await sharp({
      create: {
        width: 48,
        height: 48,
        channels: 3,
        background: { r: i % 256, g: (i * 7) % 256, b: 99 },
        noise: { type: 'gaussian', mean: 100, sigma: 30 },
      },
    })
      .jpeg()
      .toBuffer();
    const path = join(dir, `${i}.jpg`);
    await writeFile(path, jpeg);
    files.push(path);
  }
  const classes = Array.from({ length: 100 }, (_, c) => `class${c}`);
  const items: DatasetItem[] = Array.from({ length: ITEMS }, (_, i) => ({
    id: `item${i}`,
    source: files[i % DISTINCT]!,
    label: i % 100,
  }));
  const dataset = createDataset(items, { vocabulary: new ClassVocabulary(classes) });
  const stream = createBatchStream(dataset, {
    batchSize: BATCH,
    resize: { size: 32, mode: 'random-resized-crop' },
    normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    sampler: shuffledSampler(ITEMS, { rng: new Rng(1).split('sampler') }),
    rng: new Rng(1).split('resize'),
    workers: WORKERS,
    prefetch: 2,
  });

  const samples: { batch: number; rssMB: number; heapMB: number }[] = [];
  let baseline = 0;
  let peak = 0;
  let batches = 0;
  let images = 0;
  const tensorsBefore = tf.memory().numTensors;
  const start = performance.now();
  let timedStart = start;
  for await (const batch of stream) {
    // Stand-in for a training step: read the batch once, then let it go.
    tf.tidy(() => tf.sum(batch.images).dataSync());
    tf.dispose([batch.images, batch.labels!]);
    batches++;
    images += batch.ids.length;
    if (batches % 20 === 0 || batches === WARMUP_BATCHES) {
      const { rss, heapUsed } = process.memoryUsage();
      samples.push({
        batch: batches,
        rssMB: Math.round((rss / MB) * 10) / 10,
        heapMB: Math.round((heapUsed / MB) * 10) / 10,
      });
      if (batches === WARMUP_BATCHES) {
        baseline = rss;
        timedStart = performance.now();
      }
      if (batches > WARMUP_BATCHES) peak = Math.max(peak, rss);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  await stream.close();
  const report = {
    bench: 'stream-rss',
    items: ITEMS,
    batchSize: BATCH,
    workers: WORKERS,
    batches,
    images,
    quarantined: stream.stats.quarantined,
    seconds: Math.round(seconds * 10) / 10,
    imagesPerSecond:
      Math.round(((images - WARMUP_BATCHES * BATCH) / ((performance.now() - timedStart) / 1000)) * 10) / 10,
    tensorsLeft: tf.memory().numTensors - tensorsBefore,
    rss: {
      afterWarmupMB: Math.round((baseline / MB) * 10) / 10,
      peakMB: Math.round((peak / MB) * 10) / 10,
      growthMB: Math.round(((peak - baseline) / MB) * 10) / 10,
      boundMB: BOUND_MB,
      withinBound: peak - baseline <= BOUND_MB * MB,
    },
    environment: { cpus: availableParallelism(), node: process.version },
    samples,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!report.rss.withinBound) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
