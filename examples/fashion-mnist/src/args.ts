import { InvalidArgumentError } from '@topk/core';
import { DEFAULT_MEMBERS, MEMBERS, resolveMembers } from './recipe.js';

/** The Debian `dataset-fashion-mnist` location. */
export const DEFAULT_DATA_DIR = '/usr/share/datasets/fashion-mnist';

/** Command-line settings of the example, every default filled in. */
export interface CliOptions {
  /** Folder with the four gzipped IDX files. */
  readonly dataDir: string;
  /** Epochs of every member; `undefined` keeps each member's own. */
  readonly epochs: number | undefined;
  /** Side of the square model input; images are resized from 28x28 when it differs. */
  readonly size: number;
  /** Member names from `MEMBERS`. */
  readonly members: readonly string[];
  /** Keep at most this many training and this many test images (a seeded random subset). */
  readonly limit: number | undefined;
  /** Where `metrics.json` and `predictions.json` go. */
  readonly out: string;
  readonly seed: number;
  readonly batchSize: number;
  readonly help: boolean;
}

/** What `--help` prints. */
export const USAGE = `Usage: npm start -- [options]

  --data DIR         folder with the four Fashion-MNIST IDX .gz files (default ${DEFAULT_DATA_DIR})
  --epochs N         epochs of every member (default: each member's own, cnn 3, wrn 1, cnn-deep 2)
  --size N           square model input, 16 to 64; resized from 28 when different (default 28)
  --members A,B      ensemble members, from cnn, wrn, cnn-deep (default ${DEFAULT_MEMBERS.join(',')})
  --limit N          use a seeded random subset of N training and N test images
  --out DIR          write metrics.json and predictions.json there (default runs/fashion-mnist)
  --seed N           offsets every member's seed and the subset draw (default 0)
  --batch-size N     training batch size (default 64)
  --help             print this and exit`;

const FLAGS = ['data', 'epochs', 'size', 'members', 'limit', 'out', 'seed', 'batch-size'] as const;

function integer(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError('parseArgs', `--${flag}`, `an integer ${range}`, raw);
  }
  return value;
}

/**
 * Parses the command line (`process.argv.slice(2)`): `--flag value` or `--flag=value`. Unknown flags,
 * missing values and out-of-range numbers throw an {@link InvalidArgumentError} naming the flag.
 */
export function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const flag = match?.[1];
    if (flag === undefined || !(FLAGS as readonly string[]).includes(flag)) {
      throw new InvalidArgumentError('parseArgs', 'argv', `flags from --${FLAGS.join(', --')}, --help`, arg);
    }
    let value = match?.[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new InvalidArgumentError('parseArgs', `--${flag}`, 'a value', 'nothing');
      }
      i++;
    }
    values.set(flag, value);
  }
  const get = (flag: (typeof FLAGS)[number]) => values.get(flag);
  const epochs = get('epochs');
  const limit = get('limit');
  const members = get('members');
  const memberNames = members === undefined ? DEFAULT_MEMBERS : members.split(',').map((m) => m.trim());
  try {
    resolveMembers(memberNames);
  } catch {
    throw new InvalidArgumentError(
      'parseArgs',
      '--members',
      `distinct names from ${Object.keys(MEMBERS).join(', ')}`,
      members ?? '',
    );
  }
  const data = get('data');
  const out = get('out');
  const seed = get('seed');
  const size = get('size');
  const batchSize = get('batch-size');
  return {
    dataDir: data ?? DEFAULT_DATA_DIR,
    epochs: epochs === undefined ? undefined : integer('epochs', epochs, 1, 1000),
    size: size === undefined ? 28 : integer('size', size, 16, 64),
    members: memberNames,
    limit: limit === undefined ? undefined : integer('limit', limit, 10),
    out: out ?? 'runs/fashion-mnist',
    seed: seed === undefined ? 0 : integer('seed', seed, 0),
    batchSize: batchSize === undefined ? 64 : integer('batch-size', batchSize, 1, 4096),
    help,
  };
}
