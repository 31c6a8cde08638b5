import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { brightnessContrast, compose, horizontalFlip, hueSaturationValue } from '@topk/augmentations';
import { Rng } from '@topk/core';
import { createBatchStream, createDataset, sequentialSampler } from '@topk/data-pipeline';
import type { Bench, Measurement } from '../types.js';

const IMAGES = 256;
const BATCH = 32;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/** Where `make_jpegs.py` and `pil_pipeline.py` live: `../shared/reference` beside the repository. */
export function referenceDir(repoRoot: string): string {
  return join(repoRoot, '..', 'shared', 'reference');
}

/** The same 500x500 JPEGs PyTorch's pipeline reads, made by the reference script (needs Python + PIL). */
function makeJpegs(repoRoot: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'topk-decode-'));
  execFileSync('/usr/bin/python3', [join(referenceDir(repoRoot), 'make_jpegs.py'), dir, String(IMAGES)], {
    stdio: 'ignore',
  });
  return dir;
}

/**
 * JPEG 500x500 → 224x224 float batches, normalised, with the stream decoding on 0 (this thread), 1 and 2
 * worker threads; then the same with torchvision's training augmentation (random-resized-crop in the
 * stream, flip and colour jitter on the batch). Compared with `pil_pipeline.py` on the same files.
 */
export function decodeBench(repoRoot: string): Bench {
  return {
    name: 'decode',
    description: `decode + resize ${IMAGES} JPEGs 500x500 → 224x224 (plain and augmented), 0/1/2 workers`,
    trains: false,
    firstBackendOnly: true,
    async run({ tf: tfc, log }) {
      let dir: string;
      try {
        dir = makeJpegs(repoRoot);
      } catch (error) {
        return {
          measurements: [],
          notes: [
            `skipped: make_jpegs.py needs /usr/bin/python3 with PIL (${(error as Error).message.split('\n')[0]})`,
          ],
        };
      }
      const files = readdirSync(dir).sort();
      const dataset = createDataset(files.map((f) => ({ id: f, source: join(dir, f) })));
      const augment = compose([
        horizontalFlip({ p: 0.5 }),
        brightnessContrast({ brightness: 0.2, contrast: 0.2 }),
        hueSaturationValue({ saturation: 0.2 }),
      ]);
      const measurements: Measurement[] = [];
      try {
        for (const augmented of [false, true]) {
          for (const workers of [0, 1, 2]) {
            const rng = new Rng(3);
            const stream = createBatchStream(dataset, {
              batchSize: BATCH,
              resize: { size: 224, mode: augmented ? 'random-resized-crop' : 'squish' },
              normalize: { mean: MEAN, std: STD },
              sampler: sequentialSampler(files.length),
              workers,
              rng: rng.split('resize'),
            });
            // One pass to start the workers (and warm the caches), then the timed pass.
            let started = 0;
            let count = 0;
            for (let pass = 0; pass < 2; pass++) {
              started = performance.now();
              count = 0;
              for await (const batch of stream) {
                let images: tf.Tensor4D = batch.images;
                if (augmented) {
                  images = augment.apply(batch.images, rng).images;
                  batch.images.dispose();
                }
                await images.data();
                count += images.shape[0];
                tfc.dispose([images, batch.labels ?? []]);
              }
            }
            await stream.close();
            const seconds = (performance.now() - started) / 1000;
            const metric = `${augmented ? 'decodeAugment' : 'decodeResize'}_w${workers}`;
            measurements.push({
              metric,
              value: Number((count / seconds).toFixed(1)),
              unit: 'img/s',
              iterations: count,
              seconds,
            });
            log(`${metric}: ${(count / seconds).toFixed(1)} img/s`);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { measurements, notes: [] };
    },
  };
}

/** Runs `pil_pipeline.py` on freshly made JPEGs; undefined when Python, PIL or torchvision are missing. */
export function runPilReference(repoRoot: string): Record<string, number> | undefined {
  let dir: string | undefined;
  try {
    dir = makeJpegs(repoRoot);
    const out = execFileSync('/usr/bin/python3', [join(referenceDir(repoRoot), 'pil_pipeline.py'), dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10 * 60_000,
    });
    const line = out.trim().split('\n').at(-1) ?? '{}';
    return JSON.parse(line) as Record<string, number>;
  } catch {
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
