import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, solidPng, tempDir } from './test-support.js';
import { thumbnailDataUri } from './thumbnail.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await put(join(dir, 'big.png'), await solidPng(300, 200, [10, 200, 30]));
  await put(join(dir, 'small.png'), await solidPng(40, 30, [200, 10, 30]));
  await put(join(dir, 'bad.jpg'), 'not an image');
});
afterAll(() => remove());

async function decode(uri: string) {
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    pixel: Array.from(data.subarray(0, 3)),
  };
}

describe('thumbnailDataUri', () => {
  it('shrinks large images to fit the size, keeping the aspect ratio and the colour', async () => {
    expect(await decode((await thumbnailDataUri(join(dir, 'big.png')))!)).toEqual({
      width: 96,
      height: 64,
      channels: 3,
      pixel: [10, 200, 30],
    });
    expect(await decode((await thumbnailDataUri(join(dir, 'big.png'), { size: 30 }))!)).toMatchObject({
      width: 30,
      height: 20,
    });
  });

  it('keeps small images at their size, and reads decoded grey pixels (IDX items) too', async () => {
    expect(await decode((await thumbnailDataUri(join(dir, 'small.png')))!)).toMatchObject({
      width: 40,
      height: 30,
    });
    const grey = { data: new Uint8Array(28 * 28).fill(77), height: 28, width: 28, channels: 1 };
    expect(await decode((await thumbnailDataUri(grey))!)).toEqual({
      width: 28,
      height: 28,
      channels: 3,
      pixel: [77, 77, 77],
    });
  });

  it('resolves to undefined for images that cannot be read', async () => {
    expect(await thumbnailDataUri(join(dir, 'bad.jpg'))).toBeUndefined();
    expect(await thumbnailDataUri(join(dir, 'missing.png'))).toBeUndefined();
  });
});
