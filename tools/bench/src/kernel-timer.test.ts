import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKernelTimer } from './kernel-timer.js';

describe('startKernelTimer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts every kernel call, times it, and restores the kernels', () => {
    const before = tf.getKernel('Add', 'cpu')?.kernelFunc;
    const timer = startKernelTimer(tf, 'cpu');
    const a = tf.ones([64, 64]);
    const b = tf.tidy(() => tf.add(tf.matMul(a, a), a));
    const times = timer.times();
    timer.stop();
    const byName = new Map(times.map((t) => [t.kernel, t]));
    expect(byName.get('BatchMatMul')?.calls).toBe(1);
    expect(byName.get('Add')?.calls).toBe(1);
    for (const t of times) expect(t.exclusiveMs).toBeGreaterThanOrEqual(0);
    // Longest first.
    for (let i = 1; i < times.length; i++)
      expect(times[i]!.exclusiveMs).toBeLessThanOrEqual(times[i - 1]!.exclusiveMs);
    expect(tf.getKernel('Add', 'cpu')?.kernelFunc).toBe(before);
    // After stop nothing is counted any more.
    tf.dispose(tf.add(a, a));
    expect(timer.times().find((t) => t.kernel === 'Add')?.calls).toBe(1);
    tf.dispose([a, b]);
  });

  it('charges a nested kernel to itself, not to its caller', () => {
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // Spin: the kernel's own work.
      }
    };
    // An outer kernel (1 ms of its own) that runs an inner one (6 ms) through the engine, as topk's
    // recast gradient kernels run XNNPACK convolutions.
    tf.registerKernel({
      kernelName: 'TopkTimerTestInner',
      backendName: 'cpu',
      kernelFunc: ({ inputs }) => {
        busy(6);
        return tf.engine().runKernel('Relu', { x: inputs.x as tf.Tensor }) as tf.TensorInfo;
      },
    });
    tf.registerKernel({
      kernelName: 'TopkTimerTestOuter',
      backendName: 'cpu',
      kernelFunc: ({ inputs }) => {
        busy(1);
        return tf.engine().runKernel('TopkTimerTestInner', { x: inputs.x as tf.Tensor }) as tf.TensorInfo;
      },
    });
    const x = tf.ones([8, 8]);
    const timer = startKernelTimer(tf, 'cpu');
    tf.dispose(tf.engine().runKernel('TopkTimerTestOuter', { x }) as tf.Tensor);
    const times = new Map(timer.times().map((t) => [t.kernel, t]));
    timer.stop();
    tf.unregisterKernel('TopkTimerTestOuter', 'cpu');
    tf.unregisterKernel('TopkTimerTestInner', 'cpu');
    expect(times.get('Relu')?.calls).toBe(1);
    expect(times.get('TopkTimerTestInner')!.exclusiveMs).toBeGreaterThanOrEqual(6);
    // Without the subtraction the outer kernel would be charged 7 ms or more.
    expect(times.get('TopkTimerTestOuter')!.exclusiveMs).toBeGreaterThanOrEqual(1);
    expect(times.get('TopkTimerTestOuter')!.exclusiveMs).toBeLessThan(4);
    tf.dispose(x);
  });
});
