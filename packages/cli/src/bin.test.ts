// The real executable, spawned as a user runs it after `npm ci`: from the TypeScript sources (no build).
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCommandList } from './run-cli.js';
import { put, tempDir, writeClassFolders } from './test-support.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE, 'bin', 'topk.mjs');
const LINK = join(PACKAGE, '..', '..', 'node_modules', '.bin', 'topk');

function spawnTopk(command: string, argv: readonly string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [command, ...argv], {
      cwd,
      env: { ...process.env, TOPK_CLI_SOURCE: '1', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeClassFolders(join(dir, 'data'), 2);
  await put(join(dir, 'data', 'fox', 'broken.jpg'), 'not a jpeg');
});
afterAll(() => remove());

describe('bin/topk.mjs', () => {
  it('is linked as node_modules/.bin/topk by the workspace install', () => {
    expect(existsSync(LINK)).toBe(true);
    expect(realpathSync(LINK)).toBe(realpathSync(BIN));
  });

  it('prints the command list without arguments', async () => {
    expect(await spawnTopk(LINK, [], dir)).toEqual({ code: 0, stdout: formatCommandList(), stderr: '' });
  });

  it('runs a command end to end from the sources, decoding in worker threads', async () => {
    const result = await spawnTopk(BIN, ['check-data', '--data', 'data', '--json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.listed).toBe(7);
    expect(json.used).toHaveLength(6);
    expect(json.quarantined).toMatchObject([{ id: 'fox/broken.jpg', code: 'not-an-image' }]);
  });

  it('exits with code 2 and one line for a bad flag', async () => {
    expect(await spawnTopk(BIN, ['check-data', '--data', 'data', '--workers', 'lots'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: `topk check-data: --workers must be an integer in [0, 64], got "lots" (see 'topk check-data --help')\n`,
    });
  });
});
