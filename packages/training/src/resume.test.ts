import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointMeta } from './checkpoint-io.js';

// The real kill -9 test: three child processes on the cpu backend. One trains uninterrupted; one is
// SIGKILLed right after a mid-epoch checkpoint; a third resumes from that checkpoint. The resumed run
// must end with the same weights, EMA weights and history as the uninterrupted one, bit for bit.
const fixture = fileURLToPath(new URL('./fixtures/resume-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'topk-resume-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(args: string[], killWhen?: (line: string) => boolean): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, ...args], {
      cwd: repoRoot,
      env: { ...process.env, TOPK_BACKEND: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (killWhen !== undefined && lines.some(killWhen)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function load(path: string) {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    weights: string[];
    ema: string[];
    history: unknown[];
    steps: number;
  };
  const unpack = (list: string[]) => list.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  return { weights: unpack(json.weights), ema: unpack(json.ema), history: json.history, steps: json.steps };
}

describe('resume after SIGKILL', () => {
  it('ends with the same weights as an uninterrupted run with the same seed (cpu backend)', async () => {
    const reference = join(work, 'reference.json');
    const resumed = join(work, 'resumed.json');
    const dir = join(work, 'checkpoints');

    const uninterrupted = await runChild(['--out', reference, '--history', `${reference}.jsonl`]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    // Kill right after the first mid-epoch checkpoint of the second epoch; the delay per step keeps the
    // child training long enough for the signal to land mid-run.
    const history = join(work, 'history.jsonl');
    const killed = await runChild(['--dir', dir, '--history', history, '--step-delay', '40'], (line) =>
      /checkpoint epoch=1 batch=[1-7] /.test(line),
    );
    expect(killed.signal, `the child finished before the kill:\n${killed.stdout}\n${killed.stderr}`).toBe(
      'SIGKILL',
    );
    expect(killed.stdout).not.toContain('done');
    const meta = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as CheckpointMeta;
    expect(meta.learner.position.epoch).toBe(1);
    expect(meta.learner.position.batchInEpoch).toBeGreaterThan(0);
    expect(existsSync(join(dir, meta.binary))).toBe(true);

    const second = await runChild(['--dir', dir, '--resume', '--out', resumed, '--history', history]);
    expect(second.code, second.stderr).toBe(0);

    const want = load(reference);
    const got = load(resumed);
    expect(got.steps).toBe(want.steps);
    expect(got.weights).toHaveLength(want.weights.length);
    got.weights.forEach((w, i) => {
      expect(w).toEqual(want.weights[i]);
    });
    expect(got.ema).toHaveLength(want.weights.length);
    got.ema.forEach((w, i) => {
      expect(w).toEqual(want.ema[i]);
    });
    expect(got.history).toEqual(want.history);
    // The JSONL history was rewritten from the checkpoint's rows: no duplicate epochs from the killed run.
    const rows = (path: string) =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const { seconds: _s, imagesPerSecond: _i, ...rest } = JSON.parse(line) as Record<string, number>;
          return rest;
        });
    expect(rows(history).map((row) => row.epoch)).toEqual([0, 1, 2]);
    expect(rows(history)).toEqual(rows(`${reference}.jsonl`));
  }, 120_000);
});
