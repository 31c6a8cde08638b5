import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, TopkError } from './errors.js';
import { expectNoLeaks, expectNoLeaksSync, TensorLeakError } from './expect-no-leaks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('expectNoLeaks', () => {
  it('passes and returns the value when fn cleans up', async () => {
    const before = tf.memory().numTensors;
    const value = await expectNoLeaks(() => tf.tidy(() => tf.sum(tf.add(tf.ones([2]), 1)).arraySync()));
    expect(value).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('awaits async functions', async () => {
    const before = tf.memory().numTensors;
    const value = await expectNoLeaks(async () => {
      const x = tf.ones([3]);
      const data = await x.data();
      x.dispose();
      return data.length;
    });
    expect(value).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws a TensorLeakError with counts when fn leaks', async () => {
    const before = tf.memory().numTensors;
    const kept: tf.Tensor[] = [];
    const error = await caught(
      expectNoLeaks(
        () => {
          kept.push(tf.ones([2]), tf.zeros([2]));
        },
        { label: 'leaky op' },
      ),
    );
    expect(error).toBeInstanceOf(TensorLeakError);
    expect(error).toBeInstanceOf(TopkError);
    const leak = error as TensorLeakError;
    expect(leak.code).toBe('TENSOR_LEAK');
    expect(leak.before).toBe(before);
    expect(leak.after).toBe(before + 2);
    expect(leak.leaked).toBe(2);
    expect(leak.label).toBe('leaky op');
    expect(leak.message).toBe(
      `leaky op: 2 tensors leaked (tf.memory().numTensors went from ${before} to ${before + 2}; 0 allowed)`,
    );
    tf.dispose(kept);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tolerates up to `allowed` tensors', async () => {
    const before = tf.memory().numTensors;
    const kept: tf.Tensor[] = [];
    await expectNoLeaks(() => void kept.push(tf.ones([1])), { allowed: 1 });
    const error = await caught(
      expectNoLeaks(() => void kept.push(tf.ones([1]), tf.ones([1])), { allowed: 1 }),
    );
    expect((error as TensorLeakError).allowed).toBe(1);
    tf.dispose(kept);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not count tensors that fn returns, alone or in arrays and objects', async () => {
    const before = tf.memory().numTensors;
    const single = await expectNoLeaks(() => tf.ones([2]));
    const nested = await expectNoLeaks(() => ({ a: [tf.ones([1]), tf.ones([1])], b: { c: tf.zeros([1]) } }));
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose([single, nested.a, nested.b.c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('still counts extra tensors besides the returned ones', async () => {
    const before = tf.memory().numTensors;
    const kept: tf.Tensor[] = [];
    const error = await caught(
      expectNoLeaks(() => {
        kept.push(tf.ones([1]));
        const result = tf.ones([1]);
        kept.push(result);
        return result;
      }),
    );
    const leak = error as TensorLeakError;
    expect(leak.leaked).toBe(1);
    expect(leak.message).toContain('not counting 1 returned');
    tf.dispose(kept);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('returning a pre-existing tensor does not hide a leak', async () => {
    const x = tf.ones([1]);
    const before = tf.memory().numTensors;
    let leaked: tf.Tensor | undefined;
    const error = await caught(
      expectNoLeaks(() => {
        leaked = tf.zeros([1]);
        return x;
      }),
    );
    expect((error as TensorLeakError).leaked).toBe(1);
    tf.dispose([x, leaked!]);
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('propagates errors thrown by fn', async () => {
    await expect(
      expectNoLeaks(() => {
        throw new RangeError('boom');
      }),
    ).rejects.toThrow(RangeError);
    await expect(expectNoLeaks(() => Promise.reject(new RangeError('async boom')))).rejects.toThrow(
      'async boom',
    );
  });

  it('rejects bad arguments', async () => {
    const cases: [unknown, unknown, string][] = [
      [42, {}, 'fn'],
      [() => 0, null, 'options'],
      [() => 0, { allowed: -1 }, 'options.allowed'],
      [() => 0, { allowed: 0.5 }, 'options.allowed'],
      [() => 0, { label: 3 }, 'options.label'],
    ];
    for (const [fn, options, argument] of cases) {
      const error = await caught(expectNoLeaks(fn as () => unknown, options as object));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).fn).toBe('expectNoLeaks');
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });
});

describe('expectNoLeaksSync', () => {
  it('returns the value and passes when nothing leaks', () => {
    const before = tf.memory().numTensors;
    expect(expectNoLeaksSync(() => tf.tidy(() => tf.sum(tf.ones([4])).dataSync()[0]))).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws a TensorLeakError on a leak', () => {
    const before = tf.memory().numTensors;
    let leaked: tf.Tensor | undefined;
    expect(() =>
      expectNoLeaksSync(() => {
        leaked = tf.ones([1]);
      }),
    ).toThrow(/^expectNoLeaks: 1 tensor leaked/);
    leaked?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not count a returned tensor', () => {
    const before = tf.memory().numTensors;
    const y = expectNoLeaksSync(() => tf.tidy(() => tf.mul(tf.ones([2]), 2)));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects async functions and bad arguments', () => {
    expect(() => expectNoLeaksSync(async () => 1)).toThrow(
      'Error in expectNoLeaksSync: fn must be a synchronous function',
    );
    expect(() => expectNoLeaksSync(null as unknown as () => void)).toThrow(InvalidArgumentError);
    expect(() => expectNoLeaksSync(() => 0, { allowed: Number.NaN })).toThrow('options.allowed');
  });
});
