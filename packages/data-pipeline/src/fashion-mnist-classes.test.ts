import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from './fashion-mnist-classes.js';

describe('FASHION_MNIST_CLASSES', () => {
  it("is the paper's label order and cannot be changed", () => {
    // Xiao, Rasul & Vollgraf (2017), table 1: 0 T-shirt/top, 5 Sandal, 9 Ankle boot.
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    expect(FASHION_MNIST_CLASSES[0]).toBe('T-shirt/top');
    expect(FASHION_MNIST_CLASSES[5]).toBe('Sandal');
    expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
    expect(new Set(FASHION_MNIST_CLASSES).size).toBe(10);
    expect(Object.isFrozen(FASHION_MNIST_CLASSES)).toBe(true);
  });
});
