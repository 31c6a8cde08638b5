/**
 * Fashion-MNIST's ten class names in label order, as the dataset's paper lists them (Xiao, Rasul and
 * Vollgraf 2017, table 1): label 0 is `T-shirt/top`, label 9 `Ankle boot`. Name the classes of an IDX
 * label file with it (`fromIdx(images, labels, { classNames: FASHION_MNIST_CLASSES })`).
 */
export const FASHION_MNIST_CLASSES = Object.freeze([
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
] as const);
