import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  choiceValue,
  existingPath,
  integerValue,
  listFlag,
  numberValue,
  outputPath,
  stringValue,
  switchFlag,
  valueFlag,
} from './flags.js';
import { parseFlags } from './parse-flags.js';
import { tempDir } from './test-support.js';
import { UsageError } from './usage-error.js';

const specs = {
  preds: valueFlag(existingPath('file'), { description: 'predictions', required: true }),
  root: valueFlag(existingPath('directory'), { description: 'root' }),
  out: valueFlag(outputPath(), { description: 'output' }),
  k: valueFlag(integerValue({ min: 1, max: 50 }), { description: 'k', default: '20' }),
  lr: valueFlag(numberValue({ min: 0, exclusiveMin: true }), { description: 'lr' }),
  method: valueFlag(choiceValue(['mean', 'vote'] as const), { description: 'method', default: 'mean' }),
  name: valueFlag(stringValue(), { description: 'name' }),
  weights: listFlag(numberValue({ min: 0 }), { description: 'weights', min: 2 }),
  topLosses: valueFlag(integerValue({ min: 0 }), { description: 'top losses' }),
  json: switchFlag('json'),
};

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeFile(join(dir, 'p.csv'), 'id,a\n');
  await mkdir(join(dir, 'images'));
});
afterAll(() => remove());

async function parse(argv: string[]) {
  return parseFlags(specs, argv, { cwd: dir });
}

async function failure(argv: string[]): Promise<string> {
  const error = await parse(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('parseFlags', () => {
  it('parses values, lists, switches and defaults, resolving paths against the working directory', async () => {
    const parsed = await parse([
      '--preds',
      'p.csv',
      '--root=images',
      '--lr',
      '1e-3',
      '--weights',
      '0.5',
      '1',
      '-0',
      '--json',
      '--top-losses',
      '3',
    ]);
    expect(parsed).toEqual({
      help: false,
      values: {
        preds: join(dir, 'p.csv'),
        root: join(dir, 'images'),
        out: undefined,
        k: 20,
        lr: 0.001,
        method: 'mean',
        name: undefined,
        weights: [0.5, 1, 0],
        topLosses: 3,
        json: true,
      },
    });
  });

  it('accumulates a repeated list flag and keeps absolute paths', async () => {
    const parsed = await parse(['--preds', join(dir, 'p.csv'), '--weights', '1', '--weights', '2']);
    expect(parsed.help === false && parsed.values.weights).toEqual([1, 2]);
    expect(parsed.help === false && parsed.values.preds).toBe(join(dir, 'p.csv'));
  });

  it('returns a help request for --help or -h anywhere, before validating', async () => {
    expect(await parse(['--k', 'zero', '--help'])).toEqual({ help: true });
    expect(await parse(['-h'])).toEqual({ help: true });
  });

  it('names the flag in every error', async () => {
    expect(await failure([])).toBe('--preds is required');
    expect(await failure(['--preds'])).toBe('--preds needs a value');
    expect(await failure(['--preds', 'p.csv', '--prds', 'x'])).toBe(
      'unknown flag --prds (did you mean --preds?)',
    );
    expect(await failure(['--preds', 'p.csv', '--zzz'])).toBe('unknown flag --zzz');
    expect(await failure(['--preds', 'p.csv', '-x'])).toBe('unknown flag -x');
    expect(await failure(['--preds', 'p.csv', 'extra'])).toBe('unexpected argument "extra"');
    expect(await failure(['--preds', 'p.csv', '--k', '1', '--k', '2'])).toBe('--k is given twice');
    expect(await failure(['--preds', 'p.csv', '--json=yes'])).toBe('--json takes no value, got "yes"');
    expect(await failure(['--preds', 'missing.csv'])).toBe(
      '--preds must be an existing file, got "missing.csv"',
    );
    expect(await failure(['--preds', 'images'])).toBe('--preds must be an existing file, got "images"');
    expect(await failure(['--preds', 'p.csv', '--root', 'p.csv'])).toBe(
      '--root must be an existing directory, got "p.csv"',
    );
    expect(await failure(['--preds', 'p.csv', '--out', 'images'])).toBe(
      '--out must be a file path to write (not a directory), got "images"',
    );
    expect(await failure(['--preds', 'p.csv', '--k', 'ten'])).toBe(
      '--k must be an integer in [1, 50], got "ten"',
    );
    expect(await failure(['--preds', 'p.csv', '--k', '2.5'])).toBe(
      '--k must be an integer in [1, 50], got "2.5"',
    );
    expect(await failure(['--preds', 'p.csv', '--k', '51'])).toBe(
      '--k must be an integer in [1, 50], got "51"',
    );
    expect(await failure(['--preds', 'p.csv', '--top-losses', '-1'])).toBe(
      '--top-losses must be an integer >= 0, got "-1"',
    );
    expect(await failure(['--preds', 'p.csv', '--lr', '0'])).toBe(
      '--lr must be a number in (0, inf), got "0"',
    );
    expect(await failure(['--preds', 'p.csv', '--lr', 'abc'])).toBe(
      '--lr must be a number in (0, inf), got "abc"',
    );
    expect(await failure(['--preds', 'p.csv', '--method', 'median'])).toBe(
      '--method must be one of mean, vote, got "median"',
    );
    expect(await failure(['--preds', 'p.csv', '--name='])).toBe('--name must be a non-empty string, got ""');
    expect(await failure(['--preds', 'p.csv', '--weights', '1'])).toBe(
      '--weights needs at least 2 values, got 1',
    );
    expect(await failure(['--preds', 'p.csv', '--weights', '1', '-2'])).toBe(
      '--weights must be a number in [0, inf), got "-2"',
    );
  });
});
