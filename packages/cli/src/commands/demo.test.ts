import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, tempDir, topk } from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});
afterAll(() => remove());

describe('topk demo', () => {
  it('trains on the shipped Fashion-MNIST subset to at least 80 % test accuracy and saves the run', async () => {
    const result = await topk(['demo', '--out', 'run'], dir);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^backend: \w+ \(for train, node/);
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(4);
    const accuracy = Number(/test accuracy ([\d.]+) %/.exec(result.stdout)?.[1]) / 100;
    console.log(lines.at(-2));
    expect(accuracy).toBeGreaterThanOrEqual(0.8);
    const config = JSON.parse(await readFile(join(dir, 'run', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ backbone: 'simple-cnn', size: [28, 28], channels: 1, multiLabel: false });
    expect(config.classes).toHaveLength(10);
    const history = (await readFile(join(dir, 'run', 'history.jsonl'), 'utf8')).trim().split('\n');
    expect(history).toHaveLength(4);
    expect(JSON.parse(history[3]!).valid_accuracy).toBeCloseTo(accuracy, 3);
  }, 300_000);

  it('rejects bad flags with exit code 2', async () => {
    expectUsageError(await topk(['demo', '--epochs', '0'], dir), '--epochs must be an integer in [1, 100]');
    expectUsageError(await topk(['demo', '--backend', 'gpu'], dir), '--backend must be one of');
    expectUsageError(await topk(['demo', '--out', '.'], dir), '--out must be a file path to write');
  });
});
