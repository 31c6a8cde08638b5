import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image.js';
import { ImageDecodeError } from './image-decode-error.js';
import { png, solid, tempDir } from './test-fixtures.js';

describe('decodeImage', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'a.png'), await png(solid(6, 4, [9, 8, 7])));
    await writeFile(join(dir, 'raw.u8'), new Uint8Array([0, 0, 1, 2, 3, 4, 5, 6]));
  });
  afterAll(() => cleanup());

  it('reads files, bytes, pixels and raw records', async () => {
    const file = await decodeImage(join(dir, 'a.png'), { resize: { size: 2 } });
    expect(Array.from(file.data)).toEqual([9, 8, 7, 9, 8, 7, 9, 8, 7, 9, 8, 7]);
    expect((await decodeImage(await png(solid(3, 3, [1, 1, 1])))).width).toBe(3);
    expect((await decodeImage(solid(2, 2, [4, 4, 4]), { channels: 1 })).data).toEqual(
      new Uint8Array([4, 4, 4, 4]),
    );
    const record = await decodeImage({
      kind: 'raw-record',
      path: join(dir, 'raw.u8'),
      offset: 2,
      width: 2,
      height: 1,
      channels: 3,
    });
    expect(Array.from(record.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('throws ImageDecodeError for unusable images and InvalidArgumentError for bad sources', async () => {
    await expect(decodeImage(join(dir, 'nope.png'))).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(
      decodeImage({
        kind: 'raw-record',
        path: join(dir, 'raw.u8'),
        offset: 4,
        width: 2,
        height: 1,
        channels: 3,
      }),
    ).rejects.toMatchObject({ quarantineCode: 'truncated' });
    await expect(decodeImage(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
