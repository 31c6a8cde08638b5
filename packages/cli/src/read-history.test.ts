import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from './read-history.js';
import { put, tempDir } from './test-support.js';
import { UsageError } from './usage-error.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});
afterAll(() => remove());

describe('readHistory', () => {
  it('reads one epoch per line, non-finite values as NaN, and numbers epochs without one', async () => {
    await put(
      join(dir, 'run', 'history.jsonl'),
      '{"epoch":1,"loss":1.5,"val_loss":"NaN","note":"x"}\n\n{"loss":0.5,"val_loss":0.7,"lr":"Infinity"}\r\n',
    );
    expect(await readHistory(join(dir, 'run'), 'run')).toEqual([
      { epoch: 1, values: { loss: 1.5, val_loss: Number.NaN } },
      { epoch: 2, values: { loss: 0.5, val_loss: 0.7, lr: Number.NaN } },
    ]);
  });

  it('names --run and the line for bad files', async () => {
    const cases: [string | undefined, string][] = [
      [undefined, '--run r1: no history.jsonl in this run directory'],
      ['{"loss":1}\n{"loss":\n', '--run r2/history.jsonl line 2: '],
      ['[1,2]\n', '--run r3/history.jsonl line 1: expected a JSON object'],
      ['\n', '--run r4/history.jsonl: no epochs logged yet'],
    ];
    for (const [k, [text, message]] of cases.entries()) {
      const runDir = join(dir, `r${k + 1}`);
      if (text !== undefined) await put(join(runDir, 'history.jsonl'), text);
      const error = await readHistory(runDir, `r${k + 1}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message.startsWith(message)).toBe(true);
    }
  });
});
