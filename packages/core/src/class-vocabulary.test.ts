import { describe, expect, it } from 'vitest';
import { ClassVocabulary } from './class-vocabulary.js';
import { InvalidArgumentError } from './errors.js';

function expectInvalid(fn: () => unknown, name: string, argument: string): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fn).toBe(name);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    return error as InvalidArgumentError;
  }
  throw new Error(`expected ${name} to throw for ${argument}`);
}

describe('ClassVocabulary', () => {
  it('sorts by code units, not by locale', () => {
    // Code-unit order puts every uppercase ASCII letter before every lowercase one and 'é' (U+00E9)
    // after 'z'; localeCompare would interleave them.
    const vocab = new ClassVocabulary(['zebra', 'Zebra', 'éclair', 'apple', 'Banana', '10', '9']);
    expect(vocab.names).toEqual(['10', '9', 'Banana', 'Zebra', 'apple', 'zebra', 'éclair']);
  });

  it('gives the same indices whatever the input order', () => {
    const a = new ClassVocabulary(['b', 'c', 'a']);
    const b = new ClassVocabulary(new Set(['a', 'c', 'b']));
    expect(a.names).toEqual(b.names);
  });

  it('keeps the given order with sort: false', () => {
    expect(new ClassVocabulary(['b', 'a'], { sort: false }).names).toEqual(['b', 'a']);
  });

  it('maps names to indices and back', () => {
    const vocab = new ClassVocabulary(['dog', 'cat', 'bird']);
    expect(vocab.size).toBe(3);
    expect(vocab.indexOf('bird')).toBe(0);
    expect(vocab.indexOf('cat')).toBe(1);
    expect(vocab.nameOf(2)).toBe('dog');
    expect(vocab.has('cat')).toBe(true);
    expect(vocab.has('cow')).toBe(false);
    expect(vocab.encode(['dog', 'bird', 'dog'])).toEqual(new Int32Array([2, 0, 2]));
    expect(vocab.decode([2, 0])).toEqual(['dog', 'bird']);
    expect(vocab.decode(new Int32Array([1]))).toEqual(['cat']);
    expect(vocab.encode([])).toEqual(new Int32Array(0));
  });

  it('builds multi-hot targets', () => {
    const vocab = new ClassVocabulary(['a', 'b', 'c', 'd']);
    expect(vocab.multiHot(['d', 'a', 'd'])).toEqual(new Float32Array([1, 0, 0, 1]));
    expect(vocab.multiHot([])).toEqual(new Float32Array(4));
  });

  it('names is frozen', () => {
    const vocab = new ClassVocabulary(['a']);
    expect(Object.isFrozen(vocab.names)).toBe(true);
  });

  it('round-trips through JSON, keeping the stored order', () => {
    const vocab = new ClassVocabulary(['b', 'a', 'c'], { sort: false });
    const json = JSON.stringify(vocab);
    expect(JSON.parse(json)).toEqual({ classes: ['b', 'a', 'c'] });
    const restored = ClassVocabulary.fromJSON(JSON.parse(json));
    expect(restored.names).toEqual(vocab.names);
    expect(restored.indexOf('b')).toBe(0);
  });

  it('toJSON returns a copy', () => {
    const vocab = new ClassVocabulary(['a', 'b']);
    vocab.toJSON().classes.push('c');
    expect(vocab.size).toBe(2);
  });

  it('fromLabels collects single- and multi-label names with repeats', () => {
    expect(ClassVocabulary.fromLabels(['dog', 'cat', 'dog']).names).toEqual(['cat', 'dog']);
    expect(ClassVocabulary.fromLabels([['rain', 'cloud'], [], ['sun', 'rain']]).names).toEqual([
      'cloud',
      'rain',
      'sun',
    ]);
  });

  describe('unknown names', () => {
    const vocab = new ClassVocabulary(['golden_retriever', 'labrador', 'poodle', 'cat']);

    it('suggests close names', () => {
      const error = expectInvalid(() => vocab.indexOf('labradore'), 'ClassVocabulary.indexOf', 'name');
      expect(error.message).toBe(
        'Error in ClassVocabulary.indexOf: name must be one of the 4 known classes (did you mean "labrador"?), got "labradore"',
      );
    });

    it('treats case differences and substrings as close', () => {
      expect(() => vocab.indexOf('Poodle')).toThrow('did you mean "poodle"?');
      expect(() => vocab.indexOf('golden')).toThrow('did you mean "golden_retriever"?');
    });

    it('lists all names of a small vocabulary when none is close', () => {
      expect(() => vocab.indexOf('zzzzzzzz')).toThrow(
        'one of the 4 known classes: "cat", "golden_retriever", "labrador", "poodle"',
      );
    });

    it('does not list a large vocabulary', () => {
      const big = new ClassVocabulary(Array.from({ length: 50 }, (_, i) => `class_${i}`));
      expect(() => big.indexOf('zebra')).toThrow('one of the 50 known classes (none is close), got "zebra"');
    });

    it('names the offending element in encode and multiHot', () => {
      expectInvalid(() => vocab.encode(['cat', 'cow']), 'ClassVocabulary.encode', 'names[1]');
      expectInvalid(() => vocab.multiHot(['cow']), 'ClassVocabulary.multiHot', 'names[0]');
    });
  });

  const bad: [string, () => unknown, string, string][] = [
    [
      'a string as names',
      () => new ClassVocabulary('abc' as unknown as string[]),
      'new ClassVocabulary',
      'names',
    ],
    ['null names', () => new ClassVocabulary(null as unknown as string[]), 'new ClassVocabulary', 'names'],
    ['no names', () => new ClassVocabulary([]), 'new ClassVocabulary', 'names'],
    ['an empty name', () => new ClassVocabulary(['a', '']), 'new ClassVocabulary', 'names[1]'],
    [
      'a non-string name',
      () => new ClassVocabulary([3 as unknown as string]),
      'new ClassVocabulary',
      'names[0]',
    ],
    ['a duplicate name', () => new ClassVocabulary(['a', 'b', 'a']), 'new ClassVocabulary', 'names[2]'],
    [
      'a bad sort option',
      () => new ClassVocabulary(['a'], { sort: 1 as unknown as boolean }),
      'new ClassVocabulary',
      'options.sort',
    ],
    [
      'fromLabels non-iterable',
      () => ClassVocabulary.fromLabels(5 as unknown as string[]),
      'ClassVocabulary.fromLabels',
      'labels',
    ],
    [
      'fromLabels empty label',
      () => ClassVocabulary.fromLabels(['a', '']),
      'ClassVocabulary.fromLabels',
      'labels[1]',
    ],
    ['fromLabels no names', () => ClassVocabulary.fromLabels([[]]), 'ClassVocabulary.fromLabels', 'labels'],
    ['fromJSON null', () => ClassVocabulary.fromJSON(null), 'ClassVocabulary.fromJSON', 'json'],
    [
      'fromJSON without classes',
      () => ClassVocabulary.fromJSON({ names: ['a'] }),
      'ClassVocabulary.fromJSON',
      'json',
    ],
    [
      'fromJSON duplicate',
      () => ClassVocabulary.fromJSON({ classes: ['a', 'a'] }),
      'new ClassVocabulary',
      'names[1]',
    ],
    [
      'indexOf non-string',
      () => new ClassVocabulary(['a']).indexOf(0 as unknown as string),
      'ClassVocabulary.indexOf',
      'name',
    ],
    ['nameOf out of range', () => new ClassVocabulary(['a']).nameOf(1), 'ClassVocabulary.nameOf', 'i'],
    ['nameOf fractional', () => new ClassVocabulary(['a', 'b']).nameOf(0.5), 'ClassVocabulary.nameOf', 'i'],
    ['nameOf negative', () => new ClassVocabulary(['a']).nameOf(-1), 'ClassVocabulary.nameOf', 'i'],
    [
      'encode non-array',
      () => new ClassVocabulary(['a']).encode('a' as unknown as string[]),
      'ClassVocabulary.encode',
      'names',
    ],
    [
      'decode non-array',
      () => new ClassVocabulary(['a']).decode(1 as unknown as number[]),
      'ClassVocabulary.decode',
      'indices',
    ],
    [
      'decode out of range',
      () => new ClassVocabulary(['a']).decode([0, 4]),
      'ClassVocabulary.decode',
      'indices[1]',
    ],
    [
      'multiHot non-array',
      () => new ClassVocabulary(['a']).multiHot(null as unknown as string[]),
      'ClassVocabulary.multiHot',
      'names',
    ],
  ];

  it.each(bad)('rejects %s', (_, fn, name, argument) => {
    expectInvalid(fn, name, argument);
  });
});
