import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TorchNetFigures, TorchReference } from './types.js';

/** Debian's interpreter, where `python3-torch` installs; a virtualenv's python would measure another torch. */
export const PYTHON = '/usr/bin/python3';

/** `../shared/reference/torch_train_step.py`, beside the repository. */
export function torchScriptPath(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'reference', 'torch_train_step.py');
}

/** Why the PyTorch reference cannot run here, or undefined when it can. */
export function torchUnavailable(script: string): string | undefined {
  if (!existsSync(script)) return `${script} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    return `${PYTHON} cannot import torch (apt-get install -y python3-torch): ${(probe.stderr ?? '').trim().split('\n').at(-1) ?? ''}`;
  }
  return undefined;
}

function isNet(value: unknown): value is TorchNetFigures {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    ['imgPerSec', 'secPerStep', 'params', 'predictImgPerSec'].every((key) => typeof v[key] === 'number')
  );
}

/**
 * The figures in the PyTorch script's output: its last line that parses as a JSON object with
 * `matmul_gflops`, `cnn` and `mnet`. Throws naming what is missing.
 */
export function parseTorchOutput(stdout: string): TorchReference {
  const lines = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'));
  for (const line of lines.reverse()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const p = parsed as Record<string, unknown>;
    if (typeof p.matmul_gflops === 'number' && isNet(p.cnn) && isNet(p.mnet)) return parsed as TorchReference;
    throw new Error(
      `Error in parseTorchOutput: expected matmul_gflops, cnn and mnet with imgPerSec, secPerStep, params, predictImgPerSec; got ${line.slice(0, 200)}`,
    );
  }
  throw new Error(
    `Error in parseTorchOutput: no JSON line in the output: ${JSON.stringify(stdout.slice(-200))}`,
  );
}

/** Runs the PyTorch reference script to completion and parses its figures. */
export function runTorchReference(script: string, timeoutMs = 15 * 60_000): Promise<TorchReference> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${PYTHON} ${script} exited with ${code ?? signal}: ${stderr.trim().slice(-500)}`));
        return;
      }
      try {
        resolvePromise(parseTorchOutput(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The mean of several runs of the reference script, figure by figure. */
export function averageTorch(runs: readonly TorchReference[]): TorchReference {
  const first = runs[0];
  if (first === undefined) throw new Error('averageTorch needs at least one run');
  const mean = (pick: (r: TorchReference) => number) =>
    Number((runs.reduce((s, r) => s + pick(r), 0) / runs.length).toFixed(2));
  const net = (key: 'cnn' | 'mnet') => ({
    ...first[key],
    imgPerSec: mean((r) => r[key].imgPerSec),
    secPerStep: mean((r) => r[key].secPerStep),
    predictImgPerSec: mean((r) => r[key].predictImgPerSec),
  });
  return { ...first, matmul_gflops: mean((r) => r.matmul_gflops), cnn: net('cnn'), mnet: net('mnet') };
}
