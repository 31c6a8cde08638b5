// `npm run bench`: topk's throughput per backend, side by side with PyTorch on the same machine in the same run.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, InvalidArgumentError } from '@topk/core';
import { activateBackend, probeBackends } from './backends.js';
import { runPilReference } from './benches/decode.js';
import { type BenchFlags, parseFlags, USAGE } from './flags.js';
import { checkParams, computeRatios } from './ratios.js';
import { BENCHES } from './registry.js';
import { REPO_ROOT } from './repo-root.js';
import { formatNumber, formatResultsTable } from './table.js';
import { averageTorch, runTorchReference, torchScriptPath, torchUnavailable } from './torch.js';
import type { BenchName, BenchReport, BenchResult, TorchReference } from './types.js';

const repoRoot = REPO_ROOT;

function flagsOrExit(): BenchFlags {
  try {
    return parseFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const flags = flagsOrExit();
// Skips tfjs's debug-time checks and its "install tfjs-node" banner; figures are for production use.
tf.enableProdMode();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
// Relative to the repository root: through the root script npm starts the inner run there and overwrites
// INIT_CWD, so where the user typed the command is not known.
const outPath = resolve(repoRoot, flags.out ?? 'bench-results.json');
const notes: string[] = [];
const warnings: string[] = [];
const warn = (line: string) => {
  warnings.push(line);
  console.warn(`WARNING: ${line}`);
};

const cpuList = cpus();
const machine = {
  cpus: cpuList.length,
  model: cpuList[0]?.model.trim() ?? 'unknown',
  node: process.version,
  loadAvg1m: Number((loadavg()[0] ?? 0).toFixed(2)),
};
console.log(
  `topk bench — ${machine.cpus}× ${machine.model}, Node ${machine.node}, load ${machine.loadAvg1m}`,
);
console.log(
  `benches: ${flags.only.join(', ')}; at most ${flags.steps} timed steps or ${flags.maxSeconds} s per loop\n`,
);

// PyTorch alone, before and after our benches (running it beside them would halve both on two cores); the
// ratios use the mean of the two runs, so that a load change during the run hits both sides alike.
let torch: TorchReference | undefined;
const torchRuns: TorchReference[] = [];
const script = torchScriptPath(repoRoot);
if (flags.torch) {
  const why = torchUnavailable(script);
  if (why === undefined) {
    console.log(`PyTorch reference: /usr/bin/python3 ${script} ...`);
    const started = performance.now();
    try {
      torch = await runTorchReference(script);
      torchRuns.push(torch);
      if (flags.only.includes('decode')) {
        console.log('PIL + torchvision pipeline reference ...');
        const pil = runPilReference(repoRoot);
        if (pil === undefined)
          notes.push('pil_pipeline.py not run (needs python3-pil and python3-torchvision)');
        else {
          torch = { ...torch, pil };
          console.log(`  ${JSON.stringify(pil)}\n`);
        }
      }
      console.log(
        `  torch ${torch.torch}, ${torch.threads} threads: matmul ${torch.matmul_gflops} GFLOP/s; cnn train ${torch.cnn.imgPerSec} / predict ${torch.cnn.predictImgPerSec} img/s; mnet train ${torch.mnet.imgPerSec} / predict ${torch.mnet.predictImgPerSec} img/s (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    } catch (error) {
      warn(`PyTorch reference failed, no ratios: ${(error as Error).message}`);
    }
  } else {
    notes.push(`PyTorch reference not run: ${why}`);
    console.log(`PyTorch reference not run: ${why}\n`);
  }
} else {
  notes.push('PyTorch reference not run (--no-torch)');
}

const probe = await probeBackends(flags.backends);
console.log(`backends: ${probe.available.join(', ') || 'none'}`);
for (const { backend, reason } of probe.skipped) {
  console.log(`  - ${backend}: ${reason}`);
  if (flags.backends !== undefined) warn(`backend ${backend} was asked for but cannot run: ${reason}`);
}
console.log('');

const results: BenchResult[] = [];
const paramCounts = new Map<BenchName, number>();
const threadCounts: Partial<Record<BackendName, number>> = {};
const trainOnCpu = flags.backends?.includes('cpu') === true;

for (const [backendIndex, backend] of probe.available.entries()) {
  const reported = new Set<string>();
  for (const name of flags.only) {
    const bench = BENCHES[name];
    if (bench.firstBackendOnly === true && backendIndex > 0) continue;
    let train = bench.trains;
    if (train && backend === 'cpu' && !trainOnCpu) {
      train = false;
      notes.push(
        `${name} on cpu: training not timed (the pure-JS cpu backend takes minutes per step); pass --backends cpu to time it`,
      );
    }
    let activation = await activateBackend(backend, train ? 'train' : 'predict');
    if (!activation.ok && train) {
      notes.push(`${name} on ${backend}: training skipped: ${activation.reason}`);
      train = false;
      activation = await activateBackend(backend, 'predict');
    }
    if (!activation.ok) {
      warn(`${name} on ${backend}: ${activation.reason}`);
      continue;
    }
    const purpose = activation.selection.purpose;
    if (!reported.has(purpose)) {
      const kernels = activation.selection.kernels.registered;
      // Newer @topk/core reports the wasm thread count; PyTorch runs on 2 threads, so it matters for ratios.
      const threads = (activation.selection as { readonly threads?: number }).threads;
      if (threads !== undefined) threadCounts[backend] = threads;
      console.log(
        `${backend} for ${purpose}${threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`}${kernels.length > 0 ? `; topk kernels: ${kernels.join(', ')}` : ''}`,
      );
      reported.add(purpose);
    }
    const log = (line: string) => console.log(`  ${name} on ${backend}: ${line}`);
    log(bench.description);
    const before = tf.memory().numTensors;
    try {
      const outcome = await bench.run({
        tf,
        backend,
        train,
        steps: flags.steps,
        maxSeconds: flags.maxSeconds,
        log,
      });
      for (const m of outcome.measurements) {
        results.push({ bench: name, backend, ...m });
        log(
          `${m.metric} ${formatNumber(m.value)} ${m.unit} (${m.iterations} iterations in ${m.seconds.toFixed(1)} s)`,
        );
      }
      if (outcome.trainableParams !== undefined) paramCounts.set(name, outcome.trainableParams);
      for (const note of outcome.notes) {
        if (note.startsWith('WARNING: ')) warn(`${name} on ${backend}: ${note.slice(9)}`);
        else notes.push(`${name} on ${backend}: ${note}`);
        log(note);
      }
    } catch (error) {
      warn(`${name} on ${backend} failed: ${(error as Error).stack ?? String(error)}`);
    }
    const after = tf.memory().numTensors;
    log(`tensors ${before} → ${after}`);
    if (after > before) warn(`${name} on ${backend} leaked ${after - before} tensors (${before} → ${after})`);
  }
  console.log('');
}

if (torch !== undefined) {
  console.log('PyTorch reference again, after our benches ...');
  try {
    torchRuns.push(await runTorchReference(script));
    const pil = torch.pil;
    torch = averageTorch(torchRuns);
    if (pil !== undefined) torch = { ...torch, pil };
  } catch (error) {
    warn(`second PyTorch reference run failed, ratios use the first only: ${(error as Error).message}`);
  }
}

const params = checkParams(paramCounts, torch);
const ratios = torch === undefined ? [] : computeRatios(results, torch);

console.log(formatResultsTable(results, ratios));
console.log('');
for (const check of params) {
  const against =
    check.torch === undefined
      ? 'no PyTorch count to compare'
      : `PyTorch ${check.torch}: ${check.match ? 'match' : 'MISMATCH'}`;
  console.log(`params ${check.bench}: ${check.topk} trainable (${against})`);
  if (check.match === false)
    warn(`${check.bench} has ${check.topk} trainable parameters, PyTorch's net ${check.torch}`);
}
if (notes.length > 0) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
if (warnings.length > 0)
  console.log(`\nwarnings:\n${warnings.map((w) => `  - ${w.split('\n')[0]}`).join('\n')}`);

const loadAvg1mEnd = Number((loadavg()[0] ?? 0).toFixed(2));
console.log(`\nload ${machine.loadAvg1m} at the start, ${loadAvg1mEnd} at the end`);
const report: BenchReport = {
  date: new Date().toISOString(),
  machine: { ...machine, loadAvg1mEnd },
  backends: { benchmarked: probe.available, skipped: probe.skipped, threads: threadCounts },
  results,
  params,
  ...(torch === undefined ? {} : { reference: { torch, runs: torchRuns } }),
  ratios,
  notes,
  warnings,
};
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${outPath}`);
if (warnings.length > 0) process.exitCode = 1;
