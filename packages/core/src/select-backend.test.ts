import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, InvalidArgumentError } from './errors.js';
import {
  defaultBackendOrder,
  formatBackendSelection,
  runtimeEnvironment,
  selectBackend,
} from './select-backend.js';
import { missingTrainingKernels } from './training-kernels.js';

describe('selectBackend', () => {
  it('documents the Node and browser orders', () => {
    expect(runtimeEnvironment()).toBe('node');
    expect(defaultBackendOrder('node')).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(defaultBackendOrder('browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('picks wasm for training here and says why each earlier choice was skipped', async () => {
    const selection = await selectBackend({ env: {} });
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.forced).toBe(false);
    const byName = Object.fromEntries(selection.attempts.map((a) => [a.backend, a]));
    // tfjs-node and webgpu are optional peers that this machine cannot install: skipped, not crashed.
    expect(byName['tensorflow-gpu']?.outcome).toBe('skipped');
    expect(byName['tensorflow-gpu']?.reason).toMatch(/not installed/);
    expect(byName.tensorflow?.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    expect(byName.webgpu?.outcome).toBe('skipped');
    expect(byName.wasm?.outcome).toBe('selected');
    expect(selection.kernels.missing).toEqual([]);
    expect(selection.kernels.registered).toContain('Conv2DBackpropFilter');
    expect(missingTrainingKernels('wasm')).toEqual([]);
    // Node gets tfjs-wasm's threaded build through topk's shim: one thread per core here.
    expect(selection.threads).toBe(Math.min(8, (await import('node:os')).availableParallelism()));
    expect(formatBackendSelection(selection)).toMatch(/^backend: wasm \(for train, node(, \d+ threads)?\)\n/);
  });

  it('honours TOPK_BACKEND and the backend option', async () => {
    const fromEnv = await selectBackend({ env: { TOPK_BACKEND: 'cpu' } });
    expect(fromEnv.backend).toBe('cpu');
    expect(fromEnv.forced).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    expect(fromEnv.attempts).toEqual([
      { backend: 'cpu', outcome: 'selected', reason: 'forced by TOPK_BACKEND' },
    ]);
    const fromOption = await selectBackend({ backend: 'wasm', env: { TOPK_BACKEND: 'cpu' } });
    expect(fromOption.backend).toBe('wasm');
  });

  it('follows a caller-given order and purpose', async () => {
    const selection = await selectBackend({ order: ['webgl', 'cpu', 'wasm'], purpose: 'predict', env: {} });
    expect(selection.backend).toBe('cpu');
    expect(selection.purpose).toBe('predict');
    expect(selection.attempts[0]).toEqual({ backend: 'webgl', outcome: 'skipped', reason: 'browser only' });
  });

  it('throws a BackendError naming the reason when a forced backend is unavailable', async () => {
    await expect(selectBackend({ backend: 'tensorflow', env: {} })).rejects.toThrow(BackendError);
    await expect(selectBackend({ env: { TOPK_BACKEND: 'webgpu' } })).rejects.toThrow(
      /Cannot use backend 'webgpu' \(forced by TOPK_BACKEND\): webgpu is not installed/,
    );
  });

  it('rejects a bad TOPK_THREADS', async () => {
    await expect(selectBackend({ env: { TOPK_THREADS: 'many' } })).rejects.toThrow(
      /Error in selectBackend: TOPK_THREADS must be an integer in \[1, 64\], got "many"/,
    );
    await expect(selectBackend({ threads: 0 })).rejects.toThrow(
      /threads must be an integer in \[1, 64\], got 0/,
    );
  });

  it('rejects unknown names and purposes with the argument named', async () => {
    await expect(selectBackend({ env: { TOPK_BACKEND: 'gpu' } })).rejects.toThrow(
      /Error in selectBackend: TOPK_BACKEND must be one of auto, tensorflow-gpu/,
    );
    await expect(selectBackend({ order: ['cpu', 'tpu' as 'cpu'] })).rejects.toThrow(InvalidArgumentError);
    await expect(selectBackend({ purpose: 'eval' as 'train' })).rejects.toThrow(
      /purpose must be 'train' or 'predict', got "eval"/,
    );
  });
});
