import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTemporaryName, moveIntoPlace, temporaryPath, writeFileAtomic } from './atomic-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topk-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic files', () => {
  it('temporary names are unique, recognisable and next to the target', () => {
    const a = temporaryPath(join(dir, 'out.csv'));
    const b = temporaryPath(join(dir, 'out.csv'));
    expect(a).not.toBe(b);
    expect(a.startsWith(join(dir, 'out.csv.tmp-'))).toBe(true);
    expect(isTemporaryName(a)).toBe(true);
    expect(isTemporaryName('out.csv')).toBe(false);
    expect(isTemporaryName('out.tmp.csv')).toBe(false);
  });

  it('writeFileAtomic replaces a file and leaves no temporary file', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, new TextEncoder().encode('new'));
    expect(await readFile(path, 'utf8')).toBe('new');
    await writeFileAtomic(path, [
      new TextEncoder().encode('head,'),
      new Uint8Array(0),
      new TextEncoder().encode('tail'),
    ]);
    expect(await readFile(path, 'utf8')).toBe('head,tail');
    expect((await readdir(dir)).filter(isTemporaryName)).toEqual([]);
    await expect(writeFileAtomic(join(dir, 'no-such-folder', 'b.txt'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('moveIntoPlace replaces a non-empty folder with a finished one', async () => {
    const target = join(dir, 'cache');
    await mkdir(join(target, 'images'), { recursive: true });
    await writeFile(join(target, 'images', 'old.jpg'), 'old');
    const temporary = temporaryPath(target);
    await mkdir(temporary);
    await writeFile(join(temporary, 'new.jpg'), 'new');
    await moveIntoPlace(temporary, target);
    expect(await readdir(target)).toEqual(['new.jpg']);
    await expect(moveIntoPlace(join(dir, 'missing'), join(dir, 'x'))).rejects.toThrow(/ENOENT/);
  });
});
