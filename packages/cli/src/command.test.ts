import { describe, expect, it } from 'vitest';
import { defineCommand, formatCommandHelp } from './command.js';
import { choiceValue, existingPath, listFlag, numberValue, switchFlag, valueFlag } from './flags.js';

const seen: unknown[] = [];

const definition = {
  name: 'demo-cmd',
  summary: 'does a thing',
  description: 'A longer description.',
  flags: {
    preds: valueFlag(existingPath('file'), { valueName: 'CSV', required: true, description: 'predictions' }),
    method: valueFlag(choiceValue(['a', 'b'] as const), {
      valueName: 'M',
      default: 'a',
      description: 'a or b',
    }),
    weights: listFlag(numberValue(), { valueName: 'W', description: 'weights' }),
    json: switchFlag('print JSON'),
  },
  examples: ['topk demo-cmd --preds p.csv'],
  check: (flags: { readonly weights: readonly number[] | undefined }) =>
    flags.weights?.length === 1 ? '--weights needs two values' : undefined,
  run: async (flags: unknown) => {
    seen.push(flags);
    return 3;
  },
};

describe('formatCommandHelp', () => {
  it('lays out usage, description, options with required and default marks, and examples', () => {
    expect(formatCommandHelp(definition)).toBe(
      [
        'topk demo-cmd: does a thing',
        '',
        'Usage: topk demo-cmd --preds CSV [options]',
        '',
        'A longer description.',
        '',
        'Options:',
        '  --preds CSV     predictions (required)',
        '  --method M      a or b (default: a)',
        '  --weights W...  weights',
        '  --json          print JSON',
        '  -h, --help      show this help',
        '',
        'Examples:',
        '  topk demo-cmd --preds p.csv',
        '',
      ].join('\n'),
    );
  });
});

describe('defineCommand', () => {
  it('runs the command and returns its exit code; --help prints the help instead', async () => {
    const command = defineCommand(definition);
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: () => 0 },
      cwd: process.cwd(),
      env: {},
      now: () => 0,
    };
    expect(await command.execute(['--preds', 'package.json', '--json'], { io })).toBe(3);
    expect(out).toEqual([]);
    expect(seen.at(-1)).toEqual({
      preds: `${process.cwd()}/package.json`,
      method: 'a',
      weights: undefined,
      json: true,
    });
    expect(await command.execute(['--help'], { io })).toBe(0);
    expect(out.join('')).toBe(command.help());
  });

  it('applies the cross-flag check as a usage error', async () => {
    const command = defineCommand(definition);
    const io = {
      stdout: { write: () => 0 },
      stderr: { write: () => 0 },
      cwd: process.cwd(),
      env: {},
      now: () => 0,
    };
    await expect(command.execute(['--preds', 'package.json', '--weights', '1'], { io })).rejects.toThrow(
      '--weights needs two values',
    );
    expect(await command.execute(['--preds', 'package.json', '--weights', '1', '2'], { io })).toBe(3);
  });
});
