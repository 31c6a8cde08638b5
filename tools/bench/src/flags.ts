import { BACKEND_NAMES, type BackendName, InvalidArgumentError } from '@topk/core';
import { BENCH_NAMES, type BenchName, DEFAULT_BENCHES } from './types.js';

/** The command line of `npm run bench`, parsed and validated. */
export interface BenchFlags {
  /** Benches to run, in {@link BENCH_NAMES} order. @defaultValue {@link DEFAULT_BENCHES} */
  readonly only: readonly BenchName[];
  /**
   * Backends to benchmark; when given, training runs on every one of them, `cpu` included.
   * @defaultValue every backend that activates here (training skipped on `cpu`)
   */
  readonly backends?: readonly BackendName[];
  /** Upper bound on timed train and predict iterations per bench. @defaultValue 20, as the PyTorch script */
  readonly steps: number;
  /** Upper bound on the seconds of one timed loop. @defaultValue 30 */
  readonly maxSeconds: number;
  /** Where the JSON goes. @defaultValue `bench-results.json` at the repository root */
  readonly out?: string;
  /** Whether to run the PyTorch reference script. @defaultValue true */
  readonly torch: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [flags]

  --only NAMES         comma-separated benches to run: ${BENCH_NAMES.join(', ')}
                       (default: ${DEFAULT_BENCHES.join(', ')})
  --backends NAMES     comma-separated backends: ${BACKEND_NAMES.join(', ')}
                       (default: every one that activates here; training skipped on cpu unless named)
  --steps N            timed train/predict iterations per bench, at most (default 20)
  --max-seconds S      seconds per timed loop, at most; one iteration always runs (default 30)
  --out PATH           JSON output, relative to the repository root (default: bench-results.json)
  --no-torch           do not run ../shared/reference/torch_train_step.py beside topk
  -h, --help           this text`;

const FN = 'npm run bench';

function list<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] {
  const names = raw.split(',').map((name) => name.trim());
  const expected = `a comma-separated list of ${allowed.join(', ')}`;
  if (names.some((name) => name === '')) throw new InvalidArgumentError(FN, flag, expected, raw);
  for (const name of names) {
    if (!(allowed as readonly string[]).includes(name))
      throw new InvalidArgumentError(FN, flag, expected, name);
  }
  return [...new Set(names as T[])];
}

function positive(flag: string, raw: string, integer: boolean): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(FN, flag, integer ? 'a positive integer' : 'a positive number', raw);
  }
  return value;
}

const WITH_VALUE = ['--only', '--backends', '--steps', '--max-seconds', '--out'] as const;
const BOOLEAN = ['--no-torch', '--help', '-h'] as const;

/**
 * Parses the arguments after `npm run bench --`. Accepts `--flag value` and `--flag=value`; throws an
 * {@link InvalidArgumentError} naming the flag and the bad value.
 */
export function parseFlags(argv: readonly string[]): BenchFlags {
  let only: readonly BenchName[] = DEFAULT_BENCHES;
  let backends: readonly BackendName[] | undefined;
  let steps = 20;
  let maxSeconds = 30;
  let out: string | undefined;
  let torch = true;
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if ((BOOLEAN as readonly string[]).includes(flag)) {
      if (eq !== -1) throw new InvalidArgumentError(FN, flag, 'given without a value', arg.slice(eq + 1));
      if (flag === '--no-torch') torch = false;
      else help = true;
      continue;
    }
    if (!(WITH_VALUE as readonly string[]).includes(flag)) {
      throw new InvalidArgumentError(
        FN,
        'each argument',
        `one of ${[...WITH_VALUE, ...BOOLEAN].join(', ')}`,
        arg,
      );
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new InvalidArgumentError(FN, flag, 'followed by a value', next);
      value = next;
      i++;
    }
    switch (flag as (typeof WITH_VALUE)[number]) {
      case '--only': {
        const picked = new Set(list(flag, value, BENCH_NAMES));
        only = BENCH_NAMES.filter((name) => picked.has(name));
        break;
      }
      case '--backends':
        backends = list(flag, value, BACKEND_NAMES);
        break;
      case '--steps':
        steps = positive(flag, value, true);
        break;
      case '--max-seconds':
        maxSeconds = positive(flag, value, false);
        break;
      case '--out':
        if (value.trim() === '') throw new InvalidArgumentError(FN, flag, 'a file path', value);
        out = value;
        break;
    }
  }
  return {
    only,
    ...(backends === undefined ? {} : { backends }),
    steps,
    maxSeconds,
    ...(out === undefined ? {} : { out }),
    torch,
    help,
  };
}
