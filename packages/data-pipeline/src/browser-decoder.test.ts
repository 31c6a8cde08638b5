import { TopkError } from '@topk/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type BrowserDecoderOptions,
  type Canvas2DLike,
  type CanvasLike,
  createBrowserDecoder,
  type ImageBitmapLike,
  type ImageDataLike,
} from './browser-decoder.js';
import { ImageDecodeError, type QuarantineCode } from './image-decode-error.js';
import type { ResizeMode } from './resize-plan.js';
import { createSharpDecoder } from './sharp-decoder.js';
import { encode, hugeDeclaredPng, pixels, png, solid } from './test-fixtures.js';

/**
 * A stand-in for the browser's canvas: RGBA pixels, `fillRect`, `drawImage` by nearest neighbour
 * (centre sampling, `floor((x + 0.5) × sw / dw)`) with source-over compositing, and image data access.
 */
class FakeCanvas implements CanvasLike {
  readonly data: Uint8ClampedArray;
  readonly calls: string[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }

  getContext(): Canvas2DLike {
    const canvas = this;
    return {
      fillStyle: '#000',
      imageSmoothingEnabled: true,
      imageSmoothingQuality: 'low',
      fillRect(x, y, w, h) {
        const [r, g, b] = String(this.fillStyle).match(/\d+/g)!.map(Number) as [number, number, number];
        canvas.calls.push(`fillRect ${x} ${y} ${w} ${h} ${r},${g},${b}`);
        for (let yy = y; yy < y + h; yy++)
          for (let xx = x; xx < x + w; xx++) canvas.data.set([r, g, b, 255], (yy * canvas.width + xx) * 4);
      },
      clearRect(x, y, w, h) {
        canvas.calls.push(`clearRect ${x} ${y} ${w} ${h}`);
        for (let yy = y; yy < y + h; yy++)
          for (let xx = x; xx < x + w; xx++) canvas.data.set([0, 0, 0, 0], (yy * canvas.width + xx) * 4);
      },
      drawImage(image, sx, sy, sw, sh, dx, dy, dw, dh) {
        canvas.calls.push(
          `drawImage ${sx} ${sy} ${sw} ${sh} ${dx} ${dy} ${dw} ${dh} smoothing=${this.imageSmoothingEnabled}`,
        );
        const source = image as unknown as { data: Uint8ClampedArray; width: number };
        for (let y = 0; y < dh; y++) {
          for (let x = 0; x < dw; x++) {
            const srcX = sx + Math.floor(((x + 0.5) * sw) / dw);
            const srcY = sy + Math.floor(((y + 0.5) * sh) / dh);
            const s = (srcY * source.width + srcX) * 4;
            const o = ((dy + y) * canvas.width + dx + x) * 4;
            const a = source.data[s + 3]! / 255;
            for (let c = 0; c < 3; c++)
              canvas.data[o + c] = Math.round(source.data[s + c]! * a + canvas.data[o + c]! * (1 - a));
            canvas.data[o + 3] = Math.round(255 * (a + (canvas.data[o + 3]! / 255) * (1 - a)));
          }
        }
      },
      getImageData(x, y, w, h): ImageDataLike {
        expect([x, y, w, h]).toEqual([0, 0, canvas.width, canvas.height]);
        return { data: canvas.data.slice(), width: w, height: h };
      },
      createImageData(w, h): ImageDataLike {
        return { data: new Uint8ClampedArray(w * h * 4), width: w, height: h };
      },
      putImageData(imageData) {
        canvas.data.set(imageData.data);
      },
    };
  }
}

/** createImageBitmap, decoding for real with sharp into an RGBA bitmap-like object. */
const createImageBitmap: NonNullable<BrowserDecoderOptions['createImageBitmap']> = async (blob) => {
  const bytes = Buffer.from(await blob.arrayBuffer());
  try {
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8ClampedArray(data),
      close() {},
    } as ImageBitmapLike;
  } catch {
    throw new Error('InvalidStateError: The source image could not be decoded.');
  }
};

const canvases: FakeCanvas[] = [];
const decoder = createBrowserDecoder({
  createImageBitmap,
  createCanvas: (w, h) => {
    const canvas = new FakeCanvas(w, h);
    canvases.push(canvas);
    return canvas;
  },
});

const A: [number, number, number] = [10, 20, 30];
const B: [number, number, number] = [200, 150, 100];

async function expectCode(promise: Promise<unknown>, code: QuarantineCode): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(ImageDecodeError);
  await promise.catch((error: ImageDecodeError) => expect(error.quarantineCode).toBe(code));
}

describe('createBrowserDecoder', () => {
  it('draws the planned crop at the planned size, smoothing unless the kernel is nearest', async () => {
    canvases.length = 0;
    const bands = await png(pixels(12, 4, 3, (x) => (x < 4 ? A : x < 8 ? B : A)));
    const out = await decoder.decode(bands, { resize: { size: 2, mode: 'center-crop', kernel: 'nearest' } });
    expect(canvases.at(-1)!.calls).toEqual([
      'fillRect 0 0 2 2 255,255,255',
      'drawImage 4 0 4 4 0 0 2 2 smoothing=false',
    ]);
    expect(Array.from(out.data)).toEqual([...B, ...B, ...B, ...B]);
    await decoder.decode(bands, { resize: { size: 2 } });
    expect(canvases.at(-1)!.calls.at(-1)).toBe('drawImage 0 0 12 4 0 0 2 2 smoothing=true');
  });

  it('gives the same pixels as the sharp decoder on block images, for every resize mode', async () => {
    const sharpDecoder = createSharpDecoder();
    const blocks = await png(pixels(16, 8, 3, (x, y) => (x < 8 ? (y < 4 ? A : B) : y < 4 ? B : A)));
    const modes: ResizeMode[] = ['squish', 'center-crop', 'pad'];
    for (const mode of modes) {
      const resize = { size: [4, 8] as [number, number], mode, kernel: 'nearest' as const };
      const viaBrowser = await decoder.decode(blocks, { resize });
      const viaSharp = await sharpDecoder.decode(blocks, { resize });
      expect([viaBrowser.width, viaBrowser.height, viaBrowser.channels]).toEqual([8, 4, 3]);
      expect(Array.from(viaBrowser.data)).toEqual(Array.from(viaSharp.data));
    }
    const padded = {
      size: [8, 4] as [number, number],
      mode: 'pad' as const,
      padMode: 'mirror' as const,
      kernel: 'nearest' as const,
    };
    expect(Array.from((await decoder.decode(blocks, { resize: padded })).data)).toEqual(
      Array.from((await sharpDecoder.decode(blocks, { resize: padded })).data),
    );
  });

  it('flattens transparency onto the fill colour and converts channels', async () => {
    const rgba = await png(pixels(2, 1, 4, (x) => (x === 0 ? [255, 0, 0, 0] : [0, 128, 0, 255])));
    expect(Array.from((await decoder.decode(rgba)).data)).toEqual([255, 255, 255, 0, 128, 0]);
    expect(Array.from((await decoder.decode(rgba, { channels: 4 })).data)).toEqual([
      0, 0, 0, 0, 0, 128, 0, 255,
    ]);
    // Rec. 601 luma of (0, 128, 0): round(0.587 × 128) = 75.
    expect(Array.from((await decoder.decode(rgba, { channels: 1 })).data)).toEqual([255, 75]);
  });

  it('resizes raw pixels through a canvas and passes unchanged ones through', async () => {
    const image = pixels(4, 2, 3, (x) => (x < 2 ? A : B));
    const half = await decoder.decode(image, { resize: { size: [2, 2], kernel: 'nearest' } });
    expect(Array.from(half.data)).toEqual([...A, ...B, ...A, ...B]);
    const same = await decoder.decode(image);
    expect(Array.from(same.data)).toEqual(Array.from(image.data));
    expect(same.data).not.toBe(image.data);
  });

  it('refuses bad input with the same codes as sharp, bombs before decoding', async () => {
    await expectCode(decoder.decode(new Uint8Array(0)), 'empty');
    await expectCode(decoder.decode(new TextEncoder().encode('<html>404</html>')), 'not-an-image');
    let decoded = 0;
    const counting = createBrowserDecoder({
      createImageBitmap: async (blob) => {
        decoded++;
        return createImageBitmap(blob);
      },
      createCanvas: (w, h) => new FakeCanvas(w, h),
    });
    await expectCode(counting.decode(await hugeDeclaredPng(100_000, 100_000)), 'too-large');
    expect(decoded).toBe(0);
    await expectCode(counting.decode(await png(solid(8, 8, A)), { limitInputPixels: 10 }), 'too-large');
    const jpeg = await encode(
      pixels(32, 32, 3, (x, y) => [x * 8, y * 8, 0]),
      'jpeg',
    );
    await expectCode(counting.decode(jpeg.subarray(0, jpeg.length >> 1)), 'truncated');
    await expectCode(
      decoder.decode(solid(8, 8, A), { resize: { size: 2, margins: { left: 8 } } }),
      'too-small',
    );
  });

  it('needs createImageBitmap and a canvas', () => {
    expect(() => createBrowserDecoder()).toThrow(TopkError);
  });
});
