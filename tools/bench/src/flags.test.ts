import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.js';

describe('parseFlags', () => {
  it('defaults: every bench but soak, backends probed, 20 steps, 30 s, torch on', () => {
    expect(parseFlags([])).toEqual({
      only: [
        'matmul',
        'train-cnn',
        'train-mnet',
        'backbones',
        'decode',
        'augment',
        'epoch',
        'tables',
        'cluster',
      ],
      steps: 20,
      maxSeconds: 30,
      torch: true,
      help: false,
    });
  });

  it('reads every flag, spaced or with =', () => {
    const flags = parseFlags([
      '--only',
      'train-mnet,matmul',
      '--backends=wasm,cpu',
      '--steps',
      '5',
      '--max-seconds=2.5',
      '--out',
      'x.json',
      '--no-torch',
    ]);
    // --only keeps the harness's order, whatever order it was given in.
    expect(flags).toEqual({
      only: ['matmul', 'train-mnet'],
      backends: ['wasm', 'cpu'],
      steps: 5,
      maxSeconds: 2.5,
      out: 'x.json',
      torch: false,
      help: false,
    });
    expect(parseFlags(['-h']).help).toBe(true);
  });

  it('drops repeated names', () => {
    expect(parseFlags(['--backends', 'cpu,cpu']).backends).toEqual(['cpu']);
  });

  it.each([
    [
      ['--only', 'resnet'],
      'Error in npm run bench: --only must be a comma-separated list of matmul, train-cnn, train-mnet, backbones, decode, augment, epoch, tables, cluster, soak, kernels, got "resnet"',
    ],
    [['--only', 'matmul,'], '--only must be a comma-separated list'],
    [['--backends', 'gpu'], '--backends must be a comma-separated list of tensorflow-gpu'],
    [['--steps', '0'], '--steps must be a positive integer, got "0"'],
    [['--steps', '2.5'], '--steps must be a positive integer, got "2.5"'],
    [['--steps', 'many'], '--steps must be a positive integer'],
    [['--max-seconds', '-1'], '--max-seconds must be a positive number, got "-1"'],
    [['--steps'], '--steps must be followed by a value, got undefined'],
    [['--out', '--no-torch'], '--out must be followed by a value, got "--no-torch"'],
    [['--out='], '--out must be a file path'],
    [['--no-torch=yes'], '--no-torch must be given without a value'],
    [
      ['--fast'],
      'each argument must be one of --only, --backends, --steps, --max-seconds, --out, --no-torch',
    ],
    [['matmul'], 'got "matmul"'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(InvalidArgumentError);
    expect(() => parseFlags(argv)).toThrow(message);
  });
});
