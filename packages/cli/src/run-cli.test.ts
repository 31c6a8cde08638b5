import { describe, expect, it } from 'vitest';
import { defineCommand } from './command.js';
import { COMMANDS } from './commands.js';
import { integerValue, switchFlag, valueFlag } from './flags.js';
import { formatCommandList, runCli } from './run-cli.js';
import { captureIo, expectUsageError, topk } from './test-support.js';
import { UsageError } from './usage-error.js';

const cwd = process.cwd();

const probe = defineCommand({
  name: 'probe',
  summary: 'a command for testing the dispatcher',
  flags: {
    fail: valueFlag(integerValue({ min: 0, max: 2 }), { description: 'how to fail', default: '0' }),
    loud: switchFlag('print something'),
  },
  examples: ['topk probe --loud'],
  async run(flags, { io }) {
    if (flags.fail === 1) throw new UsageError('the data file is bad\nsecond line', { hint: false });
    if (flags.fail === 2) throw new Error('disk on fire');
    if (flags.loud) io.stdout.write('hello\n');
    return 0;
  },
});

async function runProbe(argv: string[], env: Record<string, string> = {}) {
  const captured = captureIo(cwd, { env });
  const code = await runCli(argv, captured.io, { commands: [probe] });
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('runCli', () => {
  it('prints the command list without arguments, with --help and with help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const result = await topk(argv, cwd);
      expect(result).toEqual({ code: 0, stdout: formatCommandList(), stderr: '' });
    }
    const list = formatCommandList();
    for (const command of COMMANDS) expect(list).toContain(`  ${command.name}`);
    expect(list).toContain('Usage: topk <command> [options]');
  });

  it('prints the version of the package', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    expect(await topk(['--version'], cwd)).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints a command help with help <command> and <command> --help', async () => {
    for (const command of COMMANDS) {
      const a = await topk(['help', command.name], cwd);
      const b = await topk([command.name, '--help'], cwd);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(command.help());
      expect(b).toEqual(a);
      expect(a.stdout).toContain(`Usage: topk ${command.name}`);
      expect(a.stdout).toContain('Examples:');
    }
  });

  it('every registered command rejects an unknown flag and a missing required flag with exit code 2', async () => {
    for (const command of COMMANDS) {
      expectUsageError(
        await topk([command.name, '--no-such-flag'], cwd),
        `topk ${command.name}: unknown flag --no-such-flag`,
      );
      // `topk demo` has no required flag: without arguments it trains (its own test runs it).
      if (!command.help().includes('(required)')) continue;
      expectUsageError(await topk([command.name], cwd), `topk ${command.name}: --`, ' is required');
    }
  });

  it('rejects an unknown command with a suggestion and exit code 2', async () => {
    expectUsageError(await topk(['evalute'], cwd), 'unknown command "evalute" (did you mean evaluate?)');
    expectUsageError(
      await topk(['help', 'ensembel'], cwd),
      'unknown command "ensembel" (did you mean ensemble?)',
    );
    expectUsageError(await topk(['frobnicate'], cwd), 'unknown command "frobnicate";');
  });

  it('runs a command and returns its exit code', async () => {
    expect(await runProbe(['probe', '--loud'])).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('prints a usage error on one line with the help hint, exit code 2', async () => {
    const result = await runProbe(['probe', '--fail', '7']);
    expectUsageError(
      result,
      'topk probe: --fail must be an integer in [0, 2], got "7" (see \'topk probe --help\')',
    );
  });

  it('prints a data error on one line without the hint, exit code 2', async () => {
    const result = await runProbe(['probe', '--fail', '1']);
    expectUsageError(result);
    expect(result.stderr).toBe('topk probe: the data file is bad second line\n');
  });

  it('prints an unexpected error on one line with exit code 1, and its stack with TOPK_DEBUG', async () => {
    expect(await runProbe(['probe', '--fail', '2'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'topk probe: disk on fire\n',
    });
    const debug = await runProbe(['probe', '--fail', '2'], { TOPK_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^topk probe: disk on fire\nError: disk on fire\n\s+at /);
  });
});
