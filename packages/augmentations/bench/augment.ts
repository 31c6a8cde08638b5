/**
 * Augmentation throughput of the `standard` and `heavy` presets on the backend `selectBackend` picks (or
 * `--backend`), printed as JSON. Run from the repository root:
 *
 *   node --conditions=source --import tsx packages/augmentations/bench/augment.ts [--backend wasm]
 *     [--batch 64] [--size 224] [--iterations 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, type BackendName, Rng, selectBackend } from '@topk/core';
import { heavy, light, standard, type Transform } from '../src/index.js';

interface Flags {
  backend: BackendName | 'auto';
  batch: number;
  size: number;
  iterations: number;
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { backend: 'auto', batch: 64, size: 224, iterations: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (
      name === '--backend' &&
      (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value ?? ''))
    ) {
      flags.backend = value as BackendName | 'auto';
    } else if (
      (name === '--batch' || name === '--size' || name === '--iterations') &&
      /^[1-9]\d*$/.test(value ?? '')
    ) {
      flags[name.slice(2) as 'batch' | 'size' | 'iterations'] = Number(value);
    } else {
      throw new Error(
        `Unknown or malformed argument ${name} ${value ?? ''}: see the header of bench/augment.ts`,
      );
    }
  }
  return flags;
}

/** Images per second of `transform` on `images`, after one warm-up call, waiting for the results each time. */
async function measure(transform: Transform, images: tf.Tensor4D, iterations: number): Promise<number> {
  const rng = new Rng(0);
  const warm = transform.apply(images, rng).images;
  await warm.data();
  warm.dispose();
  const start = performance.now();
  for (let k = 0; k < iterations; k++) {
    const out = transform.apply(images, rng).images;
    await out.data();
    out.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return (images.shape[0] * iterations) / seconds;
}

const flags = parseFlags(process.argv.slice(2));
const selection = await selectBackend({ backend: flags.backend, purpose: 'predict' });
const images = tf.randomUniform(
  [flags.batch, flags.size, flags.size, 3],
  0,
  1,
  'float32',
  new Rng(1).seedForTf(),
) as tf.Tensor4D;
const presets: [string, Transform][] = [
  ['light', light()],
  ['standard', standard()],
  ['heavy', heavy()],
];
const results: Record<string, { imagesPerSecond: number }> = {};
for (const [name, transform] of presets) {
  results[name] = {
    imagesPerSecond: Math.round((await measure(transform, images, flags.iterations)) * 10) / 10,
  };
}
images.dispose();
console.log(
  JSON.stringify(
    {
      bench: 'augment',
      backend: selection.backend,
      threads: selection.threads,
      batch: flags.batch,
      height: flags.size,
      width: flags.size,
      iterations: flags.iterations,
      results,
    },
    null,
    2,
  ),
);
