import '@tensorflow/tfjs-backend-cpu';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWasmThreadsNodeStatus, prepareWasmThreadsForNode } from './wasm-threads-node';

// The wasm backend can be initialised only once per process, so this file does it once (in beforeAll) and
// every test reads that state; vitest runs each test file in its own forked child process. The stock
// single-threaded wasm build, for comparison, runs in a separate `node` process.

const require = createRequire(import.meta.url);
type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

const THREADS = 2;

type Spec =
  | { name: string; op: 'conv2d'; x: number[]; filter: number[]; strides: number; pad: 'same' | 'valid' }
  | { name: string; op: 'matMul'; a: number[]; b: number[]; transposeB: boolean };

// Big enough for XNNPACK to split them across threads.
const specs: Spec[] = [
  {
    name: 'conv2d 3x3 same [8,32,32,16]->32',
    op: 'conv2d',
    x: [8, 32, 32, 16],
    filter: [3, 3, 16, 32],
    strides: 1,
    pad: 'same',
  },
  {
    name: 'conv2d 5x5/2 valid [4,33,33,8]->24',
    op: 'conv2d',
    x: [4, 33, 33, 8],
    filter: [5, 5, 8, 24],
    strides: 2,
    pad: 'valid',
  },
  { name: 'matMul [300,256]x[256,200]', op: 'matMul', a: [300, 256], b: [256, 200], transposeB: false },
  {
    name: 'batched matMul [6,64,128]x[6,96,128]^T',
    op: 'matMul',
    a: [6, 64, 128],
    b: [6, 96, 128],
    transposeB: true,
  },
];

/** Runs the specs on the active backend; the same function source also runs in the child process. */
async function runSpecs(tfjs: typeof tf, list: Spec[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, spec] of list.entries()) {
    const y = tfjs.tidy(() => {
      const input = (shape: number[], seed: number) => tfjs.randomUniform(shape, -1, 1, 'float32', seed);
      return spec.op === 'conv2d'
        ? tfjs.conv2d(
            input(spec.x, 2 * i + 1) as tf.Tensor4D,
            input(spec.filter, 2 * i + 2) as tf.Tensor4D,
            spec.strides,
            spec.pad,
          )
        : tfjs.matMul(input(spec.a, 2 * i + 1), input(spec.b, 2 * i + 2), false, spec.transposeB);
    });
    out.push((await y.data()) as Float32Array);
    y.dispose();
  }
  return out;
}

function sha256(values: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

/** The specs on the stock (single-threaded SIMD) wasm build, in a fresh `node` process: sha256 per output. */
async function stockWasmHashes(): Promise<string[]> {
  const script = `
    import * as tf from '@tensorflow/tfjs-core';
    import { createHash } from 'node:crypto';
    import { createRequire } from 'node:module';
    const wasm = createRequire(process.cwd() + '/')('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    if (wasm.getThreadsCount() !== 1) throw new Error('expected the single-threaded build');
    const runSpecs = ${runSpecs.toString()};
    const outputs = await runSpecs(tf, ${JSON.stringify(specs)});
    const hash = (v) => createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
    process.stdout.write(JSON.stringify(outputs.map(hash)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeout: 60_000,
  });
  return JSON.parse(stdout) as string[];
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(1, Math.abs(e)));
  }
  return worst;
}

describe('prepareWasmThreadsForNode', () => {
  const os = require('node:os') as typeof import('node:os');
  const originals = { Blob: globalThis.Blob, createObjectURL: URL.createObjectURL, cpus: os.cpus };
  const countMessagePorts = (): number =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;
  let cpuResults: Float32Array[] = [];
  let wasmResults: Float32Array[] = [];
  let prepared: Awaited<ReturnType<typeof prepareWasmThreadsForNode>>;
  let messagePortsBefore = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    cpuResults = await runSpecs(tf, specs);
    messagePortsBefore = countMessagePorts();
    prepared = await prepareWasmThreadsForNode({ threads: THREADS });
    await tf.setBackend('wasm');
    wasmResults = await runSpecs(tf, specs);
  });

  afterAll(() => {
    // Terminates the pool's workers (not needed for exit: they are unref()ed).
    if (tf.engine().registryFactory.wasm !== undefined) tf.removeBackend('wasm');
  });

  it('starts the threaded build with the requested pool size', () => {
    expect(prepared).toEqual({ ok: true, threads: THREADS });
    expect(tf.getBackend()).toBe('wasm');
    expect(getWasmThreadsNodeStatus()).toEqual({ state: 'active', threads: THREADS });
    expect((require('@tensorflow/tfjs-backend-wasm') as WasmPackage).getThreadsCount()).toBe(THREADS);
  });

  it('computes conv2d and matMul like the cpu backend', () => {
    for (const [i, spec] of specs.entries()) {
      expect(wasmResults[i]!.length, spec.name).toBe(cpuResults[i]!.length);
      expect(maxRelativeError(wasmResults[i]!, cpuResults[i]!), spec.name).toBeLessThan(1e-4);
    }
  });

  it('gives bit-identical results to the stock single-threaded wasm build, run after run', async () => {
    const again = await runSpecs(tf, specs);
    for (const [i, spec] of specs.entries()) expect(again[i], spec.name).toEqual(wasmResults[i]);
    expect(wasmResults.map(sha256)).toEqual(await stockWasmHashes());
  });

  it('leaves no worker holding the event loop open and restores the patched globals', () => {
    expect(countMessagePorts()).toBe(messagePortsBefore);
    expect(globalThis.Blob).toBe(originals.Blob);
    expect(URL.createObjectURL).toBe(originals.createObjectURL);
    expect(os.cpus).toBe(originals.cpus);
    expect(Object.hasOwn(globalThis, 'Worker')).toBe(false);
  });

  it('fails soft once the backend is initialised, and on bad input', async () => {
    const again = await prepareWasmThreadsForNode({ threads: THREADS });
    expect(again.ok).toBe(false);
    expect(again.threads).toBe(1);
    expect(again.reason).toMatch(/already initialised/);
    const bad = await prepareWasmThreadsForNode({ threads: 0 });
    expect(bad).toEqual({ ok: false, threads: 1, reason: 'threads must be an integer >= 1, got 0' });
    // A failed later call does not overwrite the outcome of the first.
    expect(getWasmThreadsNodeStatus()).toEqual({ state: 'active', threads: THREADS });
  });
});
