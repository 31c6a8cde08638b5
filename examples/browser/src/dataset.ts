/**
 * The example's data file, `public/fashion-mnist-small.bin`: a small slice of Fashion-MNIST in one
 * fetch, read the same way by the page and by the Node script that writes it.
 *
 * Layout (little-endian): the ASCII magic `FMS1`, then `u32 trainCount`, `u32 testCount`, then the
 * train labels (one byte each), the train images (784 bytes each, 28x28 row-major, 0–255), the test
 * labels, the test images. Labels are Fashion-MNIST's own (0–9).
 */

/** Pixels of one 28x28 grayscale image. */
export const IMAGE_BYTES = 28 * 28;

const MAGIC = 'FMS1';
const HEADER_BYTES = 12;

/** Fashion-MNIST's class names, in label order (Xiao, Rasul & Vollgraf, 2017). */
export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Labelled 28x28 images. */
export interface LabelledImages {
  /** `count * 784` pixels, 0–255. */
  readonly images: Uint8Array;
  /** `count` labels, 0–9. */
  readonly labels: Uint8Array;
}

/** The two splits of the data file. */
export interface SmallDataset {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
}

/** Serialises {@link SmallDataset} into the data file's bytes. */
export function encodeDataset({ train, test }: SmallDataset): Uint8Array {
  for (const [name, split] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (split.images.length !== split.labels.length * IMAGE_BYTES) {
      throw new Error(
        `Error in encodeDataset: ${name}.images must hold ${split.labels.length * IMAGE_BYTES} bytes, got ${split.images.length}`,
      );
    }
  }
  const out = new Uint8Array(HEADER_BYTES + (train.labels.length + test.labels.length) * (1 + IMAGE_BYTES));
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, train.labels.length, true);
  view.setUint32(8, test.labels.length, true);
  let offset = HEADER_BYTES;
  for (const part of [train.labels, train.images, test.labels, test.images]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Reads the data file's bytes back; throws when they are not a complete `FMS1` file. */
export function decodeDataset(bytes: Uint8Array): SmallDataset {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) {
    throw new Error(`Error in decodeDataset: bytes must start with ${MAGIC}, got '${magic}'`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrain = view.getUint32(4, true);
  const nTest = view.getUint32(8, true);
  const expected = HEADER_BYTES + (nTrain + nTest) * (1 + IMAGE_BYTES);
  if (bytes.length !== expected) {
    throw new Error(`Error in decodeDataset: bytes must be ${expected} long, got ${bytes.length}`);
  }
  let offset = HEADER_BYTES;
  const take = (length: number): Uint8Array => {
    const part = bytes.subarray(offset, offset + length);
    offset += length;
    return part;
  };
  const trainLabels = take(nTrain);
  const trainImages = take(nTrain * IMAGE_BYTES);
  const testLabels = take(nTest);
  const testImages = take(nTest * IMAGE_BYTES);
  return {
    train: { images: trainImages, labels: trainLabels },
    test: { images: testImages, labels: testLabels },
  };
}

/**
 * The first `perClass` samples of each class in `classes`, in the source's order (labels unchanged).
 */
export function takePerClass(
  source: LabelledImages,
  classes: readonly number[],
  perClass: number,
): LabelledImages {
  const picked: number[] = [];
  const counts = new Map(classes.map((c) => [c, 0]));
  for (let i = 0; i < source.labels.length; i++) {
    const label = source.labels[i]!;
    const count = counts.get(label);
    if (count === undefined || count >= perClass) continue;
    counts.set(label, count + 1);
    picked.push(i);
  }
  for (const [label, count] of counts) {
    if (count < perClass) {
      throw new Error(`Error in takePerClass: class ${label} must have ${perClass} samples, got ${count}`);
    }
  }
  const images = new Uint8Array(picked.length * IMAGE_BYTES);
  const labels = new Uint8Array(picked.length);
  picked.forEach((index, k) => {
    images.set(source.images.subarray(index * IMAGE_BYTES, (index + 1) * IMAGE_BYTES), k * IMAGE_BYTES);
    labels[k] = source.labels[index]!;
  });
  return { images, labels };
}
