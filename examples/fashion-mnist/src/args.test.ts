import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, parseArgs } from './args.js';
import { DEFAULT_MEMBERS } from './recipe.js';

describe('parseArgs', () => {
  it('fills every default', () => {
    expect(parseArgs([])).toEqual({
      dataDir: DEFAULT_DATA_DIR,
      epochs: undefined,
      size: 28,
      members: DEFAULT_MEMBERS,
      limit: undefined,
      out: 'runs/fashion-mnist',
      seed: 0,
      batchSize: 64,
      help: false,
    });
  });

  it('reads --flag value and --flag=value', () => {
    const options = parseArgs([
      '--data',
      '/d',
      '--epochs=3',
      '--size',
      '32',
      '--members',
      'wrn, cnn',
      '--limit',
      '500',
      '--out=/o',
      '--seed',
      '7',
      '--batch-size',
      '128',
      '--help',
    ]);
    expect(options).toEqual({
      dataDir: '/d',
      epochs: 3,
      size: 32,
      members: ['wrn', 'cnn'],
      limit: 500,
      out: '/o',
      seed: 7,
      batchSize: 128,
      help: true,
    });
  });

  it('names the flag and the bad value', () => {
    expect(() => parseArgs(['--epochs', '0'])).toThrow(
      'Error in parseArgs: --epochs must be an integer from 1 to 1000, got "0"',
    );
    expect(() => parseArgs(['--epochs', '2.5'])).toThrow(/--epochs must be an integer/);
    expect(() => parseArgs(['--size', '100'])).toThrow(/--size must be an integer from 16 to 64, got "100"/);
    expect(() => parseArgs(['--limit', 'many'])).toThrow(/--limit must be an integer >= 10, got "many"/);
    expect(() => parseArgs(['--seed', '-1'])).toThrow(/--seed must be an integer >= 0/);
    expect(() => parseArgs(['--members', 'cnn,resnet'])).toThrow(
      /--members must be distinct names from cnn, wrn, cnn-deep/,
    );
    expect(() => parseArgs(['--members', 'cnn,cnn'])).toThrow(/--members must be distinct names/);
    expect(() => parseArgs(['--epochs'])).toThrow(/--epochs must be a value, got "nothing"/);
    expect(() => parseArgs(['--epochs', '--size', '28'])).toThrow(/--epochs must be a value/);
    expect(() => parseArgs(['--width', '3'])).toThrow(/argv must be flags from --data/);
    expect(() => parseArgs(['data'])).toThrow(/argv must be flags from/);
  });
});
