import type { ImageDecoder } from './image-decoder.js';
import { isNode } from './read-source.js';

/** sharp in Node, the browser decoder elsewhere; loaded on demand so that neither is bundled needlessly. */
export async function defaultDecoder(): Promise<ImageDecoder> {
  if (isNode()) return (await import('./sharp-decoder.js')).createSharpDecoder();
  return (await import('./browser-decoder.js')).createBrowserDecoder();
}
