import type { ImageFormat } from './sniff-image-format.js';

function be16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function be32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function le16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}

function le24(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
}

/** JPEG start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (isStartOfFrame(marker)) return { height: be16(b, i + 5), width: be16(b, i + 7) };
    if (marker === 0xd9 || marker === 0xda) return undefined;
    i += 2 + be16(b, i + 2);
  }
  return undefined;
}

function webpSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 30) return undefined;
  const chunk = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
  if (chunk === 'VP8 ') return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  return undefined;
}

/**
 * The pixel size an image's header declares, without decoding it (PNG, GIF, JPEG, WebP), or `undefined`
 * when the header is unreadable or the format keeps it elsewhere (TIFF, AVIF, HEIF). Lets decoders that
 * cannot read headers themselves (a browser's `createImageBitmap`) refuse decompression bombs first.
 *
 * @param bytes - the file's bytes.
 * @param format - its format, from {@link sniffImageFormat}.
 */
export function readImageSize(
  bytes: Uint8Array,
  format: ImageFormat,
): { readonly width: number; readonly height: number } | undefined {
  switch (format) {
    case 'png':
      return bytes.length >= 24 ? { width: be32(bytes, 16), height: be32(bytes, 20) } : undefined;
    case 'gif':
      return bytes.length >= 10 ? { width: le16(bytes, 6), height: le16(bytes, 8) } : undefined;
    case 'jpeg':
      return jpegSize(bytes);
    case 'webp':
      return webpSize(bytes);
    default:
      return undefined;
  }
}
