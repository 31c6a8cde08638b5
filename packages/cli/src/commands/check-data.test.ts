import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, put, solidPng, tempDir, topk, writeClassFolders } from '../test-support.js';

const ASSETS = new URL('../../assets/fashion-mnist/', import.meta.url).pathname;

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeClassFolders(join(dir, 'data'), 2);
  const png = await solidPng(20, 20, [1, 2, 3]);
  await put(join(dir, 'data', 'cat', 'truncated.png'), png.subarray(0, png.length - 20));
  await put(join(dir, 'data', 'dog', 'page.jpg'), '<!doctype html><html>404</html>');
  await put(join(dir, 'data', 'fox', 'empty.png'), new Uint8Array(0));
  await put(join(dir, 'data', 'notes.txt'), 'hello');
  await put(join(dir, 'list.csv'), 'id,label\ndata/cat/0.png,cat\ndata/dog/0.png,dog\ngone.jpg,dog\n');
  await put(join(dir, 'images', 'x.png'), png);
  await put(join(dir, 'rooted.csv'), 'id,labels\nx.png,a b\n');
});
afterAll(() => remove());

describe('topk check-data', () => {
  it('reports used and quarantined files of a class-folder dataset as text', async () => {
    const result = await topk(['check-data', '--data', 'data', '--workers', '0'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'data (folder, 3 classes, single-label)',
      'listed 9 images: 6 used, 3 quarantined',
      'used per class:',
      '  cat  2',
      '  dog  2',
      '  fox  2',
      'quarantined by reason: empty 1, not-an-image 1, truncated 1',
    ]);
    expect(lines[7]).toMatch(/^ {2}truncated {5}data\/cat\/truncated\.png {2}\S/);
    expect(lines[8]).toMatch(/^ {2}not-an-image {2}data\/dog\/page\.jpg {2}\S/);
    expect(lines[9]).toMatch(/^ {2}empty {9}data\/fox\/empty\.png {2}\S/);
    expect(lines.slice(10)).toEqual([
      'not listed (not images, or outside class folders): 1',
      '  data/notes.txt',
    ]);
  });

  it('prints the report as JSON, with worker threads, and --strict turns quarantine into exit code 1', async () => {
    const result = await topk(['check-data', '--data', 'data', '--json', '--strict', '--workers', '1'], dir);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      data: 'data',
      format: 'folder',
      multiLabel: false,
      classes: ['cat', 'dog', 'fox'],
      listed: 9,
      used: ['cat/0.png', 'cat/1.png', 'dog/0.png', 'dog/1.png', 'fox/0.png', 'fox/1.png'],
      usedPerClass: { cat: 2, dog: 2, fox: 2 },
      ignored: ['data/notes.txt'],
    });
    expect(json.quarantined.map((q: { id: string; code: string }) => [q.id, q.code])).toEqual([
      ['cat/truncated.png', 'truncated'],
      ['dog/page.jpg', 'not-an-image'],
      ['fox/empty.png', 'empty'],
    ]);
    expect(json.counts).toMatchObject({ truncated: 1, 'not-an-image': 1, empty: 1, missing: 0 });
    expect(json.used.length + json.quarantined.length).toBe(json.listed);
  });

  it('checks a CSV listing (paths relative to the CSV, or to --root) and finds dead links', async () => {
    const listed = JSON.parse(
      (await topk(['check-data', '--data', 'list.csv', '--json', '--workers', '0'], dir)).stdout,
    );
    expect(listed.used).toEqual(['data/cat/0.png', 'data/dog/0.png']);
    expect(listed.quarantined).toMatchObject([
      { id: 'gone.jpg', path: join(dir, 'gone.jpg'), code: 'missing' },
    ]);
    const rooted = JSON.parse(
      (
        await topk(
          ['check-data', '--data', 'rooted.csv', '--root', 'images', '--json', '--workers', '0'],
          dir,
        )
      ).stdout,
    );
    expect(rooted).toMatchObject({
      format: 'csv',
      multiLabel: true,
      classes: ['a', 'b'],
      used: ['x.png'],
      quarantined: [],
    });
  });

  it('checks the shipped Fashion-MNIST IDX subset: 1 000 test images, 100 per class', async () => {
    const result = await topk(
      ['check-data', '--data', join(ASSETS, 't10k-images-idx3-ubyte.gz'), '--json', '--workers', '0'],
      dir,
    );
    const json = JSON.parse(result.stdout);
    expect(json.format).toBe('idx');
    expect(json.listed).toBe(1000);
    expect(json.used).toHaveLength(1000);
    expect(Object.values(json.usedPerClass)).toEqual(new Array(10).fill(100));
  });

  it('draws a progress bar on a terminal only', async () => {
    const tty = await topk(['check-data', '--data', 'data', '--workers', '0'], dir, { tty: true });
    expect(tty.stderr).toContain('\r\x1b[Kchecking [');
    expect(tty.stderr).toContain('] 9/9');
    expect(tty.stderr.endsWith('\n')).toBe(true);
    expect((await topk(['check-data', '--data', 'data', '--workers', '0'], dir)).stderr).toBe('');
  });

  it('rejects bad input with one line and exit code 2', async () => {
    expectUsageError(await topk(['check-data'], dir), 'topk check-data: --data is required');
    expectUsageError(
      await topk(['check-data', '--data', 'nope'], dir),
      '--data must be an existing path, got "nope"',
    );
    expectUsageError(
      await topk(['check-data', '--data', 'data', '--workers', 'many'], dir),
      '--workers must be an integer in [0, 64]',
    );
    expectUsageError(
      await topk(['check-data', '--data', 'data', '--root', 'images'], dir),
      '--root applies to a CSV --data',
    );
    expectUsageError(
      await topk(['check-data', '--data', 'list.csv', '--root', 'list.csv'], dir),
      '--root must be an existing directory',
    );
    expectUsageError(
      await topk(['check-data', '--dat', 'data'], dir),
      'unknown flag --dat (did you mean --data?)',
    );
    expectUsageError(
      await topk(['check-data', '--data', 'images'], dir),
      '--data images: no images in class folders',
    );
  });
});
