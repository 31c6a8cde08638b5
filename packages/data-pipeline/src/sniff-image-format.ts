/** Image formats topk decodes, recognised by their leading bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif' | 'heif';

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/**
 * The image format of `bytes` from its signature ("magic bytes"), or `undefined` when it is none of the
 * {@link ImageFormat}s: a text file or an HTML error page saved as `.jpg` is caught here, before any
 * decoder sees it. The file name's extension plays no part.
 *
 * @param bytes - the start of the file (the first 64 bytes are enough).
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 4) {
    const head = ascii(b, 0, 4);
    // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
    if (head === 'II*\0' || head === 'MM\0*' || head === 'II+\0' || head === 'MM\0+') return 'tiff';
  }
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    // ISO-BMFF: the major brand, then compatible brands up to the end of the ftyp box.
    const boxSize = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const end = Math.min(b.length, Math.max(16, boxSize));
    const brands = [ascii(b, 8, 4)];
    for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(b, i, 4));
    if (brands.some((brand) => brand === 'avif' || brand === 'avis')) return 'avif';
    if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'heif';
  }
  return undefined;
}

function lastIndexOfPair(bytes: Uint8Array, first: number, second: number, window: number): number {
  const stop = Math.max(0, bytes.length - window);
  for (let i = bytes.length - 2; i >= stop; i--) {
    if (bytes[i] === first && bytes[i + 1] === second) return i;
  }
  return -1;
}

/**
 * Whether a file of a known format visibly stops early: a JPEG without its end-of-image marker, a PNG
 * without its `IEND` chunk, a GIF without its trailer byte, a WebP shorter than its RIFF header says.
 * Used after a decoder has failed, to tell `truncated` from other corruption; formats without such a
 * marker (TIFF, AVIF) are never reported truncated by this test.
 *
 * @param bytes - the whole file.
 * @param format - its format, from {@link sniffImageFormat}.
 */
export function looksTruncated(bytes: Uint8Array, format: ImageFormat): boolean {
  switch (format) {
    case 'jpeg':
      // EOI (FF D9) ends the stream; entropy-coded data never contains it (FF is stuffed as FF 00).
      // Search a window, as some writers append padding or trailers after it.
      return lastIndexOfPair(bytes, 0xff, 0xd9, 4096) < 0;
    case 'png': {
      // The IEND chunk type, then its 4-byte CRC.
      const tail = ascii(bytes, Math.max(0, bytes.length - 64), 64);
      const end = tail.lastIndexOf('IEND');
      return end < 0 || tail.length - end < 8;
    }
    case 'gif':
      return bytes[bytes.length - 1] !== 0x3b;
    case 'webp': {
      const riffSize = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
      return bytes.length < riffSize + 8;
    }
    default:
      return false;
  }
}
