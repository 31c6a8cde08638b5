import { InvalidArgumentError, TopkError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDecodePool, defaultWorkerCount } from './decode-pool.js';
import { resolveResizeOptions } from './resize-plan.js';
import type { DecodeTask } from './run-task.js';
import { png, solid } from './test-fixtures.js';

const resize = resolveResizeOptions('test', { size: 2 });

function task(source: DecodeTask['source'], output: DecodeTask['output'] = { kind: 'uint8' }): DecodeTask {
  return { source, channels: 3, resize, limitInputPixels: 1_000_000, autoOrient: true, output };
}

describe('createDecodePool', () => {
  it('runs tasks on worker threads and returns pixels, or the reason for quarantine', async () => {
    const pool = await createDecodePool({ workers: 2, tasksPerWorker: 1 });
    try {
      expect(pool.size).toBe(2);
      const bytes = await png(solid(4, 4, [10, 20, 30]));
      const outcomes = await Promise.all([
        pool.run(task(bytes)),
        pool.run(task(bytes, { kind: 'float32', scale: [1, 1, 1], offset: [0.5, 0, 0] })),
        pool.run(task(new Uint8Array([1, 2, 3]))),
        pool.run(task('/definitely/not/here.jpg')),
        pool.run(task(bytes, { kind: 'jpeg', quality: 80 })),
        pool.run(task(bytes, { kind: 'none' })),
      ]);
      expect(outcomes[0]).toEqual({
        ok: true,
        data: new Uint8Array([10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30]),
        width: 2,
        height: 2,
        channels: 3,
      });
      expect(outcomes[1]!.ok && Array.from(outcomes[1]!.data!.subarray(0, 3))).toEqual([10.5, 20, 30]);
      expect(outcomes[2]).toMatchObject({ ok: false, code: 'not-an-image' });
      expect(outcomes[3]).toMatchObject({ ok: false, code: 'missing' });
      expect(outcomes[4]!.ok && Array.from(outcomes[4]!.data!.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
      expect(outcomes[5]).toEqual({ ok: true, data: undefined, width: 2, height: 2, channels: 3 });
      // A view into a larger buffer is sent alone, not with its whole backing buffer, and still decodes.
      const big = new Uint8Array(1000);
      big.fill(7, 100, 112);
      const view = { data: big.subarray(100, 112), width: 2, height: 2, channels: 3 };
      expect(await pool.run(task(view))).toMatchObject({ ok: true, data: new Uint8Array(12).fill(7) });
    } finally {
      await pool.close();
    }
    await expect(pool.run(task(new Uint8Array(1)))).rejects.toBeInstanceOf(TopkError);
  });

  it('quarantines what is still queued when closed', async () => {
    const pool = await createDecodePool({ workers: 1, tasksPerWorker: 1 });
    const bytes = await png(solid(64, 64, [1, 2, 3]));
    const pending = Array.from({ length: 6 }, () => pool.run(task(bytes)));
    await pool.close();
    const outcomes = await Promise.all(pending);
    expect(outcomes.some((o) => !o.ok && o.reason.includes('pool closed'))).toBe(true);
  });

  it('sizes itself from the cores and rejects bad options', async () => {
    expect([1, 2, 3, 4, 8, 64].map(defaultWorkerCount)).toEqual([1, 1, 2, 3, 4, 4]);
    expect(() => defaultWorkerCount(0)).toThrow(InvalidArgumentError);
    await expect(createDecodePool({ workers: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createDecodePool({ tasksPerWorker: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createDecodePool({ failOn: 'x' as 'none' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
