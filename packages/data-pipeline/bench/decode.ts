/**
 * Decode + resize throughput: JPEG 500 × 500 → 224 × 224 (squish, bilinear), in images per second,
 * decoding in this thread and with 1 and 2 worker threads. Prints one JSON object on stdout.
 *
 *   node --conditions=source --import tsx packages/data-pipeline/bench/decode.ts [--images 300] [--workers 0,1,2]
 *
 * The harness can also import `runDecodeBench` and call it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { createDecodePool, type DecodeTask, resolveResizeOptions, type TaskOutcome } from '../src/index.js';
import { runTask } from '../src/run-task.js';
import { createSharpDecoder } from '../src/sharp-decoder.js';

/** Options of {@link runDecodeBench}. */
export interface DecodeBenchOptions {
  /** Distinct JPEG files decoded per configuration. @defaultValue 300 */
  readonly images?: number;
  /** Worker counts to measure; 0 is this thread. @defaultValue [0, 1, 2] */
  readonly workers?: readonly number[];
}

/** One measured configuration. */
export interface DecodeBenchResult {
  readonly workers: number;
  readonly imagesPerSecond: number;
  readonly images: number;
  readonly seconds: number;
  /**
   * Event-loop utilisation of the main thread during the timed pass (0–1): the share of its time the
   * decoding took from it, i.e. from the training step.
   */
  readonly mainThreadBusy: number;
}

/** What the bench prints. */
export interface DecodeBenchReport {
  readonly bench: 'decode';
  readonly description: string;
  readonly unit: 'img/s';
  readonly results: readonly DecodeBenchResult[];
  readonly environment: {
    readonly cpus: number;
    readonly node: string;
    readonly sharp: string;
    readonly libvips: string;
  };
}

const SIZE = 500;

async function writeJpegs(dir: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    // Photographic-ish content (smooth gradients plus noise) so the JPEGs have a realistic size (~60 KB).
    const jpeg = await sharp({
      create: {
        width: SIZE,
        height: SIZE,
        channels: 3,
        background: { r: (i * 37) % 256, g: 120, b: 200 },
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .blur(1.2)
      .jpeg({ quality: 90 })
      .toBuffer();
    const path = join(dir, `${i}.jpg`);
    await writeFile(path, jpeg);
    paths.push(path);
  }
  return paths;
}

async function measure(
  paths: readonly string[],
  run: (task: DecodeTask) => Promise<TaskOutcome>,
  concurrency: number,
): Promise<{ seconds: number; busy: number }> {
  const resize = resolveResizeOptions('decode bench', { size: 224 });
  let next = 0;
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const outcome = await run({
          source: paths[next++]!,
          channels: 3,
          resize,
          limitInputPixels: 89_478_485,
          autoOrient: true,
          output: { kind: 'uint8' },
        });
        if (!outcome.ok || outcome.data?.length !== 224 * 224 * 3)
          throw new Error(`bench image failed: ${JSON.stringify(outcome)}`);
      }
    }),
  );
  return {
    seconds: (performance.now() - start) / 1000,
    busy: performance.eventLoopUtilization(elu).utilization,
  };
}

/** Runs the bench and returns its report. */
export async function runDecodeBench(options: DecodeBenchOptions = {}): Promise<DecodeBenchReport> {
  const { images = 300, workers = [0, 1, 2] } = options;
  const dir = await mkdtemp(join(tmpdir(), 'topk-decode-bench-'));
  try {
    const paths = await writeJpegs(dir, images);
    const results: DecodeBenchResult[] = [];
    for (const count of workers) {
      let run: (task: DecodeTask) => Promise<TaskOutcome>;
      let close = async () => {};
      if (count === 0) {
        const decoder = createSharpDecoder();
        run = (task) => runTask(task, decoder);
      } else {
        const pool = await createDecodePool({ workers: count });
        run = (task) => pool.run(task);
        close = () => pool.close();
      }
      // Warm-up (page cache, worker start-up, libvips caches), then the timed pass.
      await measure(paths.slice(0, Math.min(20, paths.length)), run, Math.max(4, 4 * count));
      const { seconds, busy } = await measure(paths, run, Math.max(4, 4 * count));
      await close();
      results.push({
        workers: count,
        imagesPerSecond: Math.round((images / seconds) * 10) / 10,
        images,
        seconds: Math.round(seconds * 1000) / 1000,
        mainThreadBusy: Math.round(busy * 1000) / 1000,
      });
    }
    return {
      bench: 'decode',
      description:
        'JPEG 500x500 -> 224x224 squish (bilinear), read + decode + resize to uint8; workers 0 = in-thread sharp',
      unit: 'img/s',
      results,
      environment: {
        cpus: availableParallelism(),
        node: process.version,
        sharp: sharp.versions.sharp ?? 'unknown',
        libvips: sharp.versions.vips,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const images = argument('images');
  const workers = argument('workers');
  const report = await runDecodeBench({
    ...(images ? { images: Number(images) } : {}),
    ...(workers ? { workers: workers.split(',').map(Number) } : {}),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
